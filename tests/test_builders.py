"""Row builders: what each one puts on the wire, and what it refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from leadexec_api_client.models import DeliveryCriteria, DeliveryDay, DeliveryFieldSetting

from leadexec_async import _builders
from leadexec_async._builders import (
    CRITERIA_VALUE_FORMATS,
    LIST_SEPARATOR,
    Criteria,
    FieldSetting,
    on_date,
    weekly,
)
from leadexec_async._errors import ValidationError
from leadexec_async._records import build_delivery_account, build_delivery_method
from leadexec_async.enums import CriteriaOperator, FieldType, WeekDay


def row(op: str, value: str, lead_field_uid: int = 12) -> dict[str, Any]:
    return {
        "ClientCriteriaUID": 0,
        "LeadFieldUID": lead_field_uid,
        "Type": "FieldValue",
        "Expression": "",
        "Operator": op,
        "Value": value,
    }


@pytest.mark.parametrize(
    ("built", "op", "value"),
    [
        (Criteria.equal(12, "CA"), "Equal", "CA"),
        (Criteria.not_equal(12, "CA"), "NotEqual", "CA"),
        (Criteria.greater(12, 18), "Greater", "18"),
        (Criteria.less(12, 2.5), "Less", "2.5"),
        (Criteria.greater_or_equal(12, 18.0), "GreaterOrEqual", "18"),
        (Criteria.less_or_equal(12, -3), "LessOrEqual", "-3"),
        (Criteria.contains(12, "gmail"), "Contains", "gmail"),
        (Criteria.doesnt_contain(12, "spam"), "Doesnt_Contain", "spam"),
        (Criteria.between(12, 18, 65), "Between", "18,65"),
        (Criteria.between(lead_field_uid=12, low="A", high="M"), "Between", "A,M"),
        (Criteria.in_(lead_field_uid=12, values=["CA", "NV"]), "In", "CA,NV"),
        (Criteria.in_(12, (90210, 10001)), "In", "90210,10001"),
        (Criteria.not_in(12, ["TX"]), "NotIn", "TX"),
        (Criteria.date_compare(12, dt.date(2024, 7, 1)), "DateCompare", "2024-07-01T00:00:00-07:00"),
        (
            Criteria.date_compare(12, dt.datetime(2024, 1, 1, 20, tzinfo=dt.UTC)),
            "DateCompare",
            "2024-01-01T12:00:00-08:00",
        ),
        (Criteria.date_compare(12, "-30d"), "DateCompare", "-30d"),
        (Criteria.distance_compare(12, "90210", 25), "Distance_Compare", "90210,25"),
        (Criteria.distance_compare(12, 90210, 12.5), "Distance_Compare", "90210,12.5"),
        (Criteria.field(12, "not equal", "x"), "NotEqual", "x"),
    ],
)
def test_field_value_criteria_on_the_wire(built: DeliveryCriteria, op: str, value: str) -> None:
    assert isinstance(built, DeliveryCriteria)
    assert built.to_dict() == row(op, value)


def test_expression_and_function_rows() -> None:
    assert Criteria.expression("[Age] > 18").to_dict() == {
        "ClientCriteriaUID": 0,
        "LeadFieldUID": 0,
        "Type": "Expression",
        "Expression": "[Age] > 18",
        "Operator": "Equal",
        "Value": "",
    }
    assert Criteria.function("IsMobile([Phone])").to_dict()["Type"] == "Function"


def test_the_assumed_formats_live_in_one_place() -> None:
    assert LIST_SEPARATOR == ","
    assert set(CRITERIA_VALUE_FORMATS) == {
        CriteriaOperator.IN,
        CriteriaOperator.NOT_IN,
        CriteriaOperator.BETWEEN,
        CriteriaOperator.DATE_COMPARE,
        CriteriaOperator.DISTANCE_COMPARE,
    }


def test_the_separator_is_the_modules_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_builders, "LIST_SEPARATOR", "|")
    assert Criteria.in_(1, ["a", "b"]).value == "a|b"
    assert Criteria.between(1, 1, 2).value == "1|2"
    assert Criteria.distance_compare(1, "z", 3).value == "z|3"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Criteria.in_(12, []), "values"),
        (lambda: Criteria.in_(12, "CA,NV"), "values"),
        (lambda: Criteria.in_(12, ["CA", "N,V"]), "values[1]"),
        (lambda: Criteria.not_in(12, [True]), "values[0]"),
        (lambda: Criteria.in_(12, 5), "values"),
        (lambda: Criteria.between(12, "1,5", 9), "low"),
        (lambda: Criteria.between(12, 1, None), "high"),
        (lambda: Criteria.equal(12, True), "value"),
        (lambda: Criteria.equal(12, None), "value"),
        (lambda: Criteria.greater(12, float("nan")), "value"),
        (lambda: Criteria.equal("12", "x"), "lead_field_uid"),
        (lambda: Criteria.equal(-1, "x"), "lead_field_uid"),
        (lambda: Criteria.field(12, "like", "x"), "operator"),
        (lambda: Criteria.distance_compare(12, "90210", -1), "distance"),
        (lambda: Criteria.distance_compare(12, "90,210", 5), "origin"),
        (lambda: Criteria.date_compare(12, b"not a date"), "value"),
        (lambda: Criteria.expression(""), "expr"),
        (lambda: Criteria.function(5), "expr"),
    ],
)
def test_criteria_refuse_bad_arguments_naming_them(build: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


def test_field_settings() -> None:
    mapped = FieldSetting.lead_field("state", lead_field_uid=3, mappings={"CA": "California", "NV": "Nevada"})
    assert isinstance(mapped, DeliveryFieldSetting)
    assert mapped.to_dict() == {
        "DeliverySettingUID": 0,
        "DeliveryUID": 0,
        "Delete": False,
        "Format": "",
        "FieldType": 1,
        "FieldName": "state",
        "Value": "",
        "LeadFieldUID": 3,
        "Expr": "",
        "hasMap": True,
        "FieldMappings": [
            {
                "DeliveryMappingUID": 0,
                "Delete": False,
                "DeliverySettingUID": 0,
                "DeliveryValue": "California",
                "FieldValue": "CA",
            },
            {
                "DeliveryMappingUID": 0,
                "Delete": False,
                "DeliverySettingUID": 0,
                "DeliveryValue": "Nevada",
                "FieldValue": "NV",
            },
        ],
    }
    static = FieldSetting.static("source", "acme").to_dict()
    assert (static["FieldType"], static["Value"], static["hasMap"]) == (0, "acme", False)
    assert "FieldMappings" not in static
    assert FieldSetting.expression("full", "[First] + ' ' + [Last]").to_dict()["FieldType"] == 3
    assert FieldSetting.function("f", "Now()").to_dict()["FieldType"] == 8
    pairs = FieldSetting.lead_field("s", lead_field_uid=3, mappings=[("CA", "California")], format="upper")
    assert pairs.to_dict()["FieldMappings"][0]["FieldValue"] == "CA"
    assert pairs.to_dict()["Format"] == "upper"
    client_field = FieldSetting.of("acct", "Client Field", value="AccountNumber")
    assert client_field.to_dict()["FieldType"] == FieldType.CLIENT_FIELD == 6


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: FieldSetting.static("", "x"), "field_name"),
        (lambda: FieldSetting.static("s", 5), "value"),
        (lambda: FieldSetting.lead_field("s", lead_field_uid="3"), "lead_field_uid"),
        (lambda: FieldSetting.lead_field("s", lead_field_uid=3, mappings="CA=California"), "mappings"),
        (lambda: FieldSetting.lead_field("s", lead_field_uid=3, mappings=[("CA",)]), "mappings"),
        (
            lambda: FieldSetting.lead_field("s", lead_field_uid=3, mappings={"CA": 1}),
            "field_mappings[0].delivery_value",
        ),
        (lambda: FieldSetting.of("s", "Lead Feld"), "field_type"),
        (lambda: FieldSetting.expression("s", " "), "expr"),
    ],
)
def test_field_settings_refuse_bad_arguments_naming_them(build: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


def test_weekly_rows() -> None:
    rows = weekly(WeekDay.MONDAY, "Wednesday", 5, "mon", start=dt.time(9), end="17:30")
    assert all(isinstance(r, DeliveryDay) for r in rows)
    wire = [r.to_dict() for r in rows]
    assert [w["WeekDay"] for w in wire] == [1, 3, 5]  # the repeated Monday is sent once
    for w in wire:
        start, end = dt.datetime.fromisoformat(w["StartTime"]), dt.datetime.fromisoformat(w["EndTime"])
        assert (start.time(), end.time()) == (dt.time(9), dt.time(17, 30))
        assert start.utcoffset() == dt.timedelta(hours=-8)
        assert w["Allow"] is True
        assert (w["DeliveryDayUID"], w["DeliveryUID"]) == (0, 0)
    all_day = weekly(WeekDay.SUNDAY, allow=False)[0].to_dict()
    assert all_day["StartTime"].endswith("T00:00:00-08:00")
    assert all_day["EndTime"].endswith("T23:59:59-08:00")
    assert all_day["Allow"] is False
    aware = weekly(1, start=dt.datetime(2024, 7, 1, 16, tzinfo=dt.UTC))[0].to_dict()
    assert "T09:00:00" in aware["StartTime"]  # 16:00 UTC is 09:00 in Los Angeles in July


def test_on_date_rows() -> None:
    christmas = on_date(dt.date(2024, 12, 25), allow=False).to_dict()
    assert christmas == {
        "DeliveryDayUID": 0,
        "DeliveryUID": 0,
        "WeekDay": 3,
        "StaticDate": "2024-12-25T00:00:00-08:00",
        "StartTime": "2024-12-25T00:00:00-08:00",
        "EndTime": "2024-12-25T23:59:59-08:00",
        "Allow": False,
    }
    summer = on_date("2024-07-04", start="10:00", end=dt.time(14)).to_dict()
    assert summer["WeekDay"] == 4  # a Thursday
    assert summer["StartTime"] == "2024-07-04T10:00:00-07:00"
    assert summer["EndTime"] == "2024-07-04T14:00:00-07:00"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: weekly(), "days"),
        (lambda: weekly("Funday"), "days[0]"),
        (lambda: weekly(1, True), "days[1]"),
        (lambda: weekly(1, start="9am"), "start"),
        (lambda: weekly(1, end=17), "end"),
        (lambda: weekly(1, allow="yes"), "allow"),
        (lambda: on_date(dt.datetime(2024, 1, 1)), "day"),
        (lambda: on_date("someday"), "day"),
    ],
)
def test_day_builders_refuse_bad_arguments_naming_them(build: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


def test_builder_rows_are_accepted_by_the_records() -> None:
    method = build_delivery_method(
        7,
        record_id=0,
        fields={
            "field_settings": [FieldSetting.static("source", "acme")],
            "delivery_days": [
                *weekly(WeekDay.MONDAY, start=dt.time(9), end=dt.time(17)),
                on_date(dt.date(2024, 12, 25)),
            ],
        },
    )
    assert len(method.field_settings) == 1
    assert len(method.delivery_days) == 2
    account = build_delivery_account(
        7,
        record_id=0,
        fields={"delivery_uid": 3, "criteria": [Criteria.in_(lead_field_uid=12, values=["CA", "NV"])]},
    )
    assert account.to_dict()["Criteria"] == [row("In", "CA,NV")]


def test_namespaces_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        Criteria()
    with pytest.raises(TypeError):
        FieldSetting()
