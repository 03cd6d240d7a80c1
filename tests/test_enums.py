"""The friendly enums: names from the spec, labels from the reference, and ``parse``."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import yaml
from leadexec_api_client import models as gen

from leadexec_async._errors import LeadExecError, ValidationError
from leadexec_async._specfile import spec_path
from leadexec_async.enums import (
    GENERATED,
    AccountStatus,
    AccountType,
    AutomationType,
    ClientStatus,
    CriteriaOperator,
    CriteriaType,
    DeliveryType,
    FieldType,
    OfferDuration,
    WeekDay,
    to_generated,
)
from tests._reference import load_sections

ALL = [
    ClientStatus,
    AutomationType,
    DeliveryType,
    FieldType,
    WeekDay,
    AccountStatus,
    AccountType,
    OfferDuration,
    CriteriaType,
    CriteriaOperator,
]

# Which reference parameter documents which enum: (section title prefix, parameter name).
REFERENCE_PARAMS = {
    ClientStatus: ("Create / Modify Client", "Info.Status"),
    AutomationType: ("Create / Modify Client", "Info.DeliveryAccountAutomationType"),
    DeliveryType: ("Create or Modify Delivery Method", "Type"),
    FieldType: ("Create or Modify Delivery Method", "Setting.FieldType"),
    WeekDay: ("Create or Modify Delivery Method", "DeliveryDay.WeekDay"),
    AccountStatus: ("Create or Modify Delivery Account", "Status"),
    AccountType: ("Create or Modify Delivery Account", "AccountType"),
    OfferDuration: ("Create or Modify Delivery Account", "OfferDuration"),
    CriteriaType: ("Create or Modify Delivery Account", "Criteria.Type"),
    CriteriaOperator: ("Create or Modify Delivery Account", "Criteria.Operator"),
}


def _reference_values(cls: type[enum.Enum]) -> list[tuple[Any, str]]:
    """[(wire value, label)] as the API reference lists them."""
    title, name = REFERENCE_PARAMS[cls]
    (section,) = [s for s in load_sections() if s.title.startswith(title)]
    (param,) = [p for p in section.params if p.name == name]
    out: list[tuple[Any, str]] = []
    for text in param.enum_values:
        if " = " in text:
            number, label = text.split(" = ", 1)
            out.append((int(number), label))
        else:
            out.append((text, text))
    return out


def _spellings(text: str) -> set[str]:
    """The ways people write a name or label: as is, lower, upper, spaces/underscores/hyphens swapped."""
    forms = {text, text.lower(), text.upper(), text.title()}
    for old in (" ", "_", "-", "/"):
        for new in (" ", "_", "-", ""):
            forms |= {f.replace(old, new) for f in list(forms)}
    return {f for f in forms if f.strip()}


def test_spec_examples_of_the_issue() -> None:
    assert DeliveryType.HTTP_POST == 0
    assert DeliveryType.XML_JSON == 2
    assert DeliveryType.PING_POST == 9
    assert AccountStatus.OPEN == 12
    assert AccountStatus.ON_HOLD == 11
    assert AccountType.IVR_800 == 3
    assert ClientStatus.ACTIVE == "Active"
    assert AutomationType.ROUND_ROBIN == "RoundRobin"
    assert CriteriaOperator.NOT_IN == "NotIn"
    assert CriteriaOperator.DISTANCE_COMPARE == "Distance_Compare"
    assert CriteriaOperator.DOESNT_CONTAIN == "Doesnt_Contain"


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_values_and_names_follow_the_spec(cls: type[enum.Enum]) -> None:
    schema = yaml.safe_load(spec_path().read_text())["components"]["schemas"][cls.__name__]
    assert [m.value for m in cls] == schema["enum"]
    if "x-enum-varnames" in schema:
        assert [m.name for m in cls] == schema["x-enum-varnames"]
    else:  # string enums: SCREAMING_SNAKE of the wire string
        for m in cls:
            assert m.name.replace("_", "") == m.value.replace("_", "").upper()


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_labels_are_the_references_and_parse_back(cls: Any) -> None:
    documented = _reference_values(cls)
    assert [(m.value, m.label) for m in cls] == documented
    for value, label in documented:
        for spelling in _spellings(label):
            assert cls.parse(spelling) is cls(value), spelling


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_parse_takes_members_values_and_names(cls: Any) -> None:
    twin = GENERATED[cls]
    for m in cls:
        assert cls.parse(m) is m
        assert cls.parse(twin(m.value)) is m
        assert cls.parse(m.value) is m
        assert cls.parse(str(m.value)) is m
        assert cls.parse(f" {m.value} ") is m
        for spelling in _spellings(m.name):
            assert cls.parse(spelling) is m, spelling
        if isinstance(m.value, str):
            for spelling in (m.value.lower(), m.value.upper()):
                assert cls.parse(spelling) is m


@pytest.mark.parametrize(
    ("cls", "text", "member"),
    [
        (DeliveryType, "HTTP POST", DeliveryType.HTTP_POST),
        (DeliveryType, "http_post", DeliveryType.HTTP_POST),
        (DeliveryType, "XML / JSON", DeliveryType.XML_JSON),
        (DeliveryType, "xml/json", DeliveryType.XML_JSON),
        (DeliveryType, "E-Mail", DeliveryType.EMAIL),
        (DeliveryType, "email", DeliveryType.EMAIL),
        (DeliveryType, "PING/POST", DeliveryType.PING_POST),
        (DeliveryType, "ping post", DeliveryType.PING_POST),
        (DeliveryType, "sales exec", DeliveryType.SALES_EXEC),
        (AccountType, "800 IVR", AccountType.IVR_800),
        (AccountType, "800 ivr", AccountType.IVR_800),
        (AccountType, "ivr_800", AccountType.IVR_800),
        (AccountType, "live-call", AccountType.LIVE_CALL),
        (AccountStatus, "OnHold", AccountStatus.ON_HOLD),
        (AccountStatus, "on hold", AccountStatus.ON_HOLD),
        (AccountStatus, "12", AccountStatus.OPEN),
        (DeliveryType, "05", DeliveryType.EMAIL),
        (AutomationType, "Round Robin", AutomationType.ROUND_ROBIN),
        (AutomationType, "round_robin", AutomationType.ROUND_ROBIN),
        (CriteriaOperator, "not in", CriteriaOperator.NOT_IN),
        (CriteriaOperator, "Distance Compare", CriteriaOperator.DISTANCE_COMPARE),
        (CriteriaOperator, "doesnt contain", CriteriaOperator.DOESNT_CONTAIN),
        (CriteriaOperator, "greater or equal", CriteriaOperator.GREATER_OR_EQUAL),
        (FieldType, "sub string", FieldType.SUB_STRING),
        (WeekDay, "Mon", WeekDay.MONDAY),
        (WeekDay, "sat", WeekDay.SATURDAY),
        (ClientStatus, "ACTIVE", ClientStatus.ACTIVE),
    ],
)
def test_parse_friendly_spellings(cls: Any, text: str, member: enum.Enum) -> None:
    assert cls.parse(text) is member


@pytest.mark.parametrize(
    ("cls", "bad"),
    [
        (DeliveryType, True),
        (DeliveryType, False),
        (DeliveryType, 12),
        (DeliveryType, -1),
        (DeliveryType, 1.0),
        (DeliveryType, None),
        (DeliveryType, ""),
        (DeliveryType, "HTTP PUT"),
        (AccountStatus, 0),
        (AccountStatus, "0"),
        (WeekDay, 7),
        (WeekDay, AccountType.GENERAL),  # another enum's member is a mistake, not a 0
        (WeekDay, gen.AccountType.GENERAL),
        (ClientStatus, "Actives"),
        (ClientStatus, 1),
        (ClientStatus, CriteriaType.FUNCTION),
        (CriteriaOperator, "Doesnt"),
        (OfferDuration, "2"),
        (OfferDuration, b"0"),
    ],
)
def test_parse_rejects_with_validation_error_listing_labels(cls: Any, bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        cls.parse(bad)
    message = str(info.value)
    assert cls.__name__ in message
    for m in cls:
        assert repr(m.label) in message
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LeadExecError)


@pytest.mark.parametrize(
    ("cls", "typo", "suggestion"),
    [
        (DeliveryType, "htp post", "HTTP POST"),
        (DeliveryType, "xml json s", "XML / JSON"),
        (AccountStatus, "opn", "Open"),
        (ClientStatus, "Suspend", "Suspended"),
        (CriteriaOperator, "Not_Inn", "NotIn"),
        (AutomationType, "round robbin", "RoundRobin"),
    ],
)
def test_parse_suggests_a_close_match(cls: Any, typo: str, suggestion: str) -> None:
    with pytest.raises(ValidationError, match=f"did you mean {suggestion!r}"):
        cls.parse(typo)


def test_no_suggestion_when_nothing_is_close() -> None:
    with pytest.raises(ValidationError) as info:
        DeliveryType.parse("zzzzzzzz")
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_generated_twins_have_the_same_values(cls: Any) -> None:
    twin = GENERATED[cls]
    assert twin is getattr(gen, cls.__name__)
    assert {m.value for m in cls} == {m.value for m in twin}
    for m in cls:
        converted = to_generated(m)
        assert type(converted) is twin
        assert converted.value == m.value


def test_str_is_the_wire_value() -> None:
    assert str(DeliveryType.PING_POST) == "9"
    assert str(ClientStatus.ACTIVE) == "Active"
    assert f"{CriteriaOperator.NOT_IN}" == "NotIn"
