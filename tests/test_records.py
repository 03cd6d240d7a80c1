"""Record building: defaults, id rules, validation messages, masking, agreement with the spec."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
import yaml
from leadexec_api_client.models import AccountStatus as GenAccountStatus
from leadexec_api_client.models import (
    ClientInfo,
    ClientUpsert,
    DeliveryAccount,
    DeliveryCriteria,
    DeliveryDay,
    DeliveryFieldSetting,
    DeliveryMethod,
)

from leadexec_async import _records, _shapes
from leadexec_async._builders import Criteria, FieldSetting, weekly
from leadexec_async._errors import ValidationError
from leadexec_async._records import (
    SECRET_FIELDS,
    build_client,
    build_delivery_account,
    build_delivery_method,
    masked_wire,
    record_id_of,
    require_positive_id,
)
from leadexec_async._specfile import spec_path
from leadexec_async.enums import AccountStatus, DeliveryType, WeekDay

SPEC = yaml.safe_load(spec_path().read_text())
SCHEMAS = SPEC["components"]["schemas"]


def assert_valid(schema_name: str, wire: dict[str, Any]) -> None:
    """Validate a wire body against the spec's schema with a real JSON-Schema validator."""
    schema = {"components": SPEC["components"], "$ref": f"#/components/schemas/{schema_name}"}
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(
        wire
    )


def new_client(**fields: Any) -> ClientUpsert:
    return build_client(record_id=0, fields={"username": "acme", "password": "s3cret", **fields})


def new_account(**fields: Any) -> DeliveryAccount:
    return build_delivery_account(7, record_id=0, fields={"delivery_uid": 3, **fields})


def pacific_now_ish(text: str) -> None:
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() in (dt.timedelta(hours=-8), dt.timedelta(hours=-7))
    assert abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(minutes=5)


# --- defaults --------------------------------------------------------------------------------------


def test_client_create_defaults() -> None:
    wire = new_client().to_dict()
    assert_valid("ClientUpsert", wire)
    info = wire["Info"]
    pacific_now_ish(info.pop("DateAdded"))
    assert info == {
        "ClientUID": 0,
        "Status": "Active",
        "UserUID": 0,
        "TimeOffset": -8,
        "TimeZoneName": "Pacific Standard Time",
        "Notes": "",
        "ResellerUID": 0,
        "GroupUID": 0,
        "Username": "acme",
        "Password": "s3cret",
        "OverrideReassign": False,
        "DeliveryAccountAutomationType": "Price",
    }
    assert "FieldData" not in wire


def test_method_create_defaults() -> None:
    wire = build_delivery_method(7, record_id=0).to_dict()
    assert_valid("DeliveryMethod", wire)
    pacific_now_ish(wire.pop("DateAdded"))
    strings = [k for k, v in SCHEMAS["DeliveryMethod"]["properties"].items() if v.get("type") == "string"]
    for key in strings:
        if key != "DateAdded":
            assert wire.pop(key) == "", key
    assert wire == {
        "ClientDeliveryUID": 0,
        "ClientUID": 7,
        "Type": 0,
        "Status": True,
        "inTesting": False,
        "LeadTypeUID": 0,
        "useRegEx": False,
        "SMTPAuth": False,
        "EmailNotify": False,
        "LeadCatUID": 0,
    }


def test_account_create_defaults() -> None:
    wire = new_account().to_dict()
    assert_valid("DeliveryAccount", wire)
    assert wire == {
        "ClientAccountUID": 0,
        "ClientUID": 7,
        "DeliveryUID": 3,
        "Price": 0.0,
        "HourMax": -1,
        "DayMax": -1,
        "MonthMax": -1,
        "WeekMax": -1,
        "useOrder": False,
        "Status": 12,
        "DeliveryDelay": 0,
        "Description": "",
        "RedirectURL": "",
        "AutomationEnabled": False,
        "AlternatePosting": 0,
        "AccountType": 0,
        "AgentName": "",
        "AgentPhone": "",
    }


def test_every_required_wire_field_is_sent() -> None:
    built = {
        "ClientInfo": new_client().to_dict()["Info"],
        "DeliveryMethod": build_delivery_method(7, record_id=0).to_dict(),
        "DeliveryAccount": new_account().to_dict(),
    }
    for name, wire in built.items():
        assert set(SCHEMAS[name]["required"]) <= set(wire), name


def test_defaults_are_fresh_per_call() -> None:
    first = build_delivery_method(7, record_id=0)
    second = build_delivery_method(7, record_id=0)
    assert first.date_added <= second.date_added
    assert first.date_added.tzinfo is not None


def test_caller_values_override_defaults() -> None:
    wire = new_account(
        price=25,
        day_max=100,
        status="on hold",
        account_type="800 IVR",
        description="Main",
        offer_duration="yearly",
        offer_start_date="2024-07-01",
    ).to_dict()
    assert_valid("DeliveryAccount", wire)
    assert wire["Price"] == 25.0
    assert isinstance(wire["Price"], float)
    assert (wire["DayMax"], wire["HourMax"], wire["Status"], wire["AccountType"]) == (100, -1, 11, 3)
    assert wire["OfferDuration"] == 1
    assert wire["OfferStartDate"] == "2024-07-01T00:00:00-07:00"
    assert "OfferEndDate" not in wire


def test_enum_values_become_generated_members() -> None:
    account = new_account(status=AccountStatus.SUSPENDED)
    assert type(account.status) is GenAccountStatus
    method = build_delivery_method(7, record_id=0, fields={"type": "xml / json"})
    assert method.to_dict()["Type"] == DeliveryType.XML_JSON == 2


def test_naive_dates_are_sent_as_pacific() -> None:
    wire = new_client(date_added=dt.datetime(2024, 1, 2, 3, 4, 5)).to_dict()
    assert wire["Info"]["DateAdded"] == "2024-01-02T03:04:05-08:00"


# --- ids -------------------------------------------------------------------------------------------


def test_create_update_and_upsert_ids() -> None:
    assert record_id_of(new_client()) == 0
    assert record_id_of(build_client(record_id=42)) == 42
    assert record_id_of(build_client(record_id=None, body={"Info": {"ClientUID": 9}})) == 9
    assert record_id_of(build_client(record_id=None, body={"Info": {"Username": "a", "Password": "b"}})) == 0
    assert record_id_of(build_delivery_method(7, record_id=5)) == 5
    assert record_id_of(build_delivery_method(7, record_id=None, body={"ClientDeliveryUID": 6})) == 6
    assert record_id_of(build_delivery_method(7, record_id=None, body={})) == 0
    assert record_id_of(build_delivery_account(7, record_id=8, fields={"delivery_uid": 1})) == 8
    body = {"ClientAccountUID": 11, "DeliveryUID": 1}
    assert record_id_of(build_delivery_account(7, record_id=None, body=body)) == 11
    with pytest.raises(TypeError):
        record_id_of(ClientInfo)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, True, False, "5", 5.0, 2**31])
def test_bad_record_ids_name_the_argument(bad: Any) -> None:
    for build in (
        lambda: build_client(record_id=bad),
        lambda: build_delivery_method(7, record_id=bad),
        lambda: build_delivery_account(7, record_id=bad, fields={"delivery_uid": 1}),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.field == "record_id"


@pytest.mark.parametrize("bad", [0, -3, True, "7", 7.0, None])
def test_client_uid_must_be_a_positive_int(bad: Any) -> None:
    for build in (
        lambda: build_delivery_method(bad, record_id=0),
        lambda: build_delivery_account(bad, record_id=0, fields={"delivery_uid": 1}),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.field == "client_uid"
    with pytest.raises(ValidationError) as info:
        require_positive_id(bad, "method_uid")
    assert info.value.field == "method_uid"
    assert require_positive_id(3, "x") == 3


def test_body_id_must_agree_with_the_call() -> None:
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=5, body={"ClientDeliveryUID": 6})
    assert info.value.field == "ClientDeliveryUID"
    with pytest.raises(ValidationError) as info:
        build_client(record_id=0, body={"Info": {"ClientUID": 3}})
    assert info.value.field == "Info.ClientUID"
    # the same id, or none, is fine
    assert record_id_of(build_delivery_method(7, record_id=5, body={"ClientDeliveryUID": 5})) == 5
    assert record_id_of(build_delivery_method(7, record_id=5, body={"ClientDeliveryUID": 0})) == 5


def test_body_client_uid_must_equal_the_path_client() -> None:
    with pytest.raises(ValidationError) as info:
        build_delivery_account(7, record_id=None, body={"ClientUID": 8, "DeliveryUID": 1})
    assert info.value.field == "ClientUID"
    filled = build_delivery_account(7, record_id=None, body={"DeliveryUID": 1})
    assert filled.client_uid == 7
    same = build_delivery_account(7, record_id=None, body={"ClientUID": 7, "DeliveryUID": 1})
    assert same.client_uid == 7
    # 0, as in the reference's examples, means "the client of the call"
    zero = build_delivery_method(7, record_id=None, body={"ClientUID": 0})
    assert zero.client_uid == 7
    model = DeliveryMethod.from_dict({**zero.to_dict(), "ClientUID": 0})
    assert build_delivery_method(7, record_id=None, body=model).client_uid == 7
    assert model.client_uid == 0  # the caller's model is left alone
    for not_an_int in (False, 0.0):  # equal to 0, but no client id: refused, not taken as 0
        with pytest.raises(ValidationError) as info:
            build_delivery_method(7, record_id=None, body={"ClientUID": not_an_int})
        assert info.value.field == "ClientUID"


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("client_uid", {"client_uid": 3}),
        ("client_delivery_uid", {"client_delivery_uid": 3}),
    ],
)
def test_ids_are_not_keywords(name: str, fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="not a keyword") as info:
        build_delivery_method(7, record_id=0, fields=fields)
    assert info.value.field == name
    with pytest.raises(ValidationError) as info:
        build_client(record_id=0, fields={"username": "a", "password": "b", "client_uid": 1})
    assert info.value.field == "client_uid"


# --- username / password ---------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["username", "password"])
def test_username_and_password_are_required_on_create(missing: str) -> None:
    fields = {"username": "acme", "password": "s3cret"}
    del fields[missing]
    with pytest.raises(ValidationError, match="required") as info:
        build_client(record_id=0, fields=fields)
    assert info.value.field == missing
    with pytest.raises(ValidationError) as info:
        build_client(record_id=0, fields={**fields, missing: ""})
    assert info.value.field == missing
    wire_key = missing.title()
    with pytest.raises(ValidationError) as info:
        build_client(record_id=None, body={"Info": {k.title(): v for k, v in fields.items()}})
    assert info.value.field == f"Info.{wire_key}"


def test_update_leaves_credentials_out_unless_given() -> None:
    info = build_client(record_id=5, fields={"status": "Suspended"}).to_dict()["Info"]
    assert "Username" not in info
    assert "Password" not in info
    assert info["Status"] == "Suspended"
    given = build_client(record_id=5, fields={"username": "acme"}).to_dict()["Info"]
    assert given["Username"] == "acme"


# --- did you mean ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field", "suggestion"),
    [
        (lambda: build_delivery_method(7, record_id=0, body={"Settings": []}), "Settings", "FieldSettings"),
        (
            lambda: build_delivery_method(7, record_id=0, fields={"settings": []}),
            "settings",
            "field_settings",
        ),
        (
            lambda: build_delivery_method(
                7, record_id=0, body={"FieldSettings": [{"FieldName": "a", "Mappings": []}]}
            ),
            "FieldSettings[0].Mappings",
            "FieldMappings",
        ),
        (
            lambda: build_delivery_method(
                7, record_id=0, fields={"field_settings": [{"field_name": "a", "mappings": []}]}
            ),
            "field_settings[0].mappings",
            "field_mappings",
        ),
        (lambda: new_account(pric=3), "pric", "price"),
        (lambda: new_account(Price=3), "Price", "price"),
        (lambda: new_account(dailymax=3), "dailymax", "day_max"),
        (
            lambda: build_delivery_account(7, record_id=0, body={"DeliveryUID": 1, "Descripton": "x"}),
            "Descripton",
            "Description",
        ),
        (
            lambda: build_delivery_account(7, record_id=0, body={"DeliveryUID": 1, "useorder": True}),
            "useorder",
            "use_order",
        ),
        (lambda: new_client(user_name="x"), "user_name", "username"),
        (lambda: build_client(record_id=0, body={"Infos": {}}), "Infos", "Info"),
        (lambda: build_delivery_method(7, record_id=0, fields={"type_": 0}), "type_", "type"),
    ],
)
def test_unknown_keys_get_did_you_mean(build: Any, field: str, suggestion: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field
    assert f"did you mean {suggestion!r}" in str(info.value)


def test_missing_required_fields_are_named_in_the_callers_style() -> None:
    with pytest.raises(ValidationError, match="required") as info:
        build_delivery_account(7, record_id=0)
    assert info.value.field == "delivery_uid"
    with pytest.raises(ValidationError, match="required") as info:
        build_delivery_account(7, record_id=None, body={"Price": 5})
    assert info.value.field == "DeliveryUID"
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=None, body={"FieldSettings": [{"Value": "x"}]})
    assert info.value.field == "FieldSettings[0].FieldName"


def test_client_fields_outside_info_are_pointed_inside() -> None:
    with pytest.raises(ValidationError, match="inside 'Info'") as info:
        build_client(record_id=None, body={"Username": "a"})
    assert info.value.field == "Username"


# --- validation names the field and the expected type ----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"price": True}, "price", "a number"),
        ({"price": "25"}, "price", "a number"),
        ({"price": -1}, "price", ">= 0"),
        ({"price": float("nan")}, "price", "finite"),
        ({"price": float("inf")}, "price", "finite"),
        ({"day_max": 1.5}, "day_max", "an integer"),
        ({"day_max": True}, "day_max", "an integer"),
        ({"day_max": -2}, "day_max", "from -1"),
        ({"hour_max": 2**31}, "hour_max", "to 2147483647"),
        ({"use_order": 1}, "use_order", "a bool"),
        ({"description": 5}, "description", "a string"),
        ({"status": "Gone"}, "status", "'Open' (12)"),
        ({"status": True}, "status", "AccountStatus"),
        ({"offer_start_date": "soon"}, "offer_start_date", "ISO 8601"),
        ({"criteria": "CA"}, "criteria", "a list"),
        ({"criteria": [5]}, "criteria[0]", "a DeliveryCriteria or a mapping"),
        ({"criteria": [{"lead_field_uid": 1, "operator": "Like"}]}, "criteria[0].operator", "'NotIn'"),
        ({"criteria": [{"LeadFieldUID": 1, "Operator": "In", "Value": 5}]}, "criteria[0].Value", "a string"),
        ({"criteria": [{"operator": "In"}]}, "criteria[0].lead_field_uid", "required"),
        ({"criteria": [{"type": "Expression"}]}, "criteria[0].expression", "required"),
        ({"delivery_uid": 0}, "delivery_uid", "from 1"),
        ({"delivery_uid": None}, "delivery_uid", "an integer"),
    ],
)
def test_account_validation_names_the_field(fields: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(ValidationError) as info:
        new_account(**fields)
    assert info.value.field == field
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "carrier pigeon"}, "type"),
        ({"status": "enabled"}, "status"),
        ({"date_added": 123}, "date_added"),
        ({"field_settings": [{}]}, "field_settings[0].field_name"),
        ({"field_settings": [{"field_name": "a", "field_type": 9}]}, "field_settings[0].field_type"),
        (
            {"field_settings": [{"field_name": "a", "field_mappings": [{"field_value": "CA"}]}]},
            "field_settings[0].field_mappings[0].delivery_value",
        ),
        ({"delivery_days": [{"start_time": "9 am"}]}, "delivery_days[0].start_time"),
        ({"delivery_days": [{"allow": True}]}, "delivery_days[0].week_day"),
        ({"delivery_days": [{"week_day": 7}]}, "delivery_days[0].week_day"),
        ({"delivery_days": [{"WeekDay": 1, "Name": "x"}]}, "delivery_days[0].Name"),
    ],
)
def test_method_validation_names_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=0, fields=fields)
    assert info.value.field == field
    assert field in str(info.value)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time_offset": 15}, "time_offset"),
        ({"time_offset": -13}, "time_offset"),
        ({"override_reassign": "yes"}, "override_reassign"),
        ({"delivery_account_automation_type": "cheapest"}, "delivery_account_automation_type"),
        ({"field_data": [{"client_field_uid": 1}]}, "field_data[0].value"),
        ({"field_data": [{"ClientFieldUID": "1", "Value": "x"}]}, "field_data[0].ClientFieldUID"),
        ({"field_data": {"ClientFieldUID": 1}}, "field_data"),
    ],
)
def test_client_validation_names_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        new_client(**fields)
    assert info.value.field == field


@pytest.mark.parametrize("body", [[], "x", 5, DeliveryMethod])
def test_a_body_of_the_wrong_kind_is_refused(body: Any) -> None:
    with pytest.raises(ValidationError) as info:
        build_delivery_account(7, record_id=None, body=body)
    assert info.value.field == "body"
    with pytest.raises(ValidationError) as info:
        build_client(record_id=None, body=body)
    assert info.value.field == "body"


def test_a_body_of_another_record_type_is_refused() -> None:
    method = build_delivery_method(7, record_id=0)
    with pytest.raises(ValidationError, match="DeliveryAccount or a mapping"):
        build_delivery_account(7, record_id=None, body=method)


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="twice") as info:
        build_delivery_account(7, record_id=None, body={"DeliveryUID": 1, "delivery_uid": 2})
    assert info.value.field == "delivery_uid"


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="must be strings"):
        build_delivery_account(7, record_id=None, body={"DeliveryUID": 1, 3: 4})


def test_generated_models_with_garbage_inside_are_refused() -> None:
    row = DeliveryCriteria(
        client_criteria_uid=0, lead_field_uid=1, type_="Oops", expression="", operator="In", value=""
    )
    with pytest.raises(ValidationError) as info:
        new_account(criteria=[row])
    assert info.value.field == "criteria[0].Type"


# --- bodies, nested rows and builders --------------------------------------------------------------


def test_nested_rows_accept_models_builders_and_both_key_styles() -> None:
    ways = [
        [Criteria.in_(lead_field_uid=12, values=["CA", "NV"])],
        [{"LeadFieldUID": 12, "Operator": "In", "Value": "CA,NV"}],
        [{"lead_field_uid": 12, "operator": "not_in".replace("not_", ""), "value": "CA,NV"}],
        [
            DeliveryCriteria(
                client_criteria_uid=0,
                lead_field_uid=12,
                type_="FieldValue",
                expression="",
                operator="In",
                value="CA,NV",
            )
        ],
    ]
    wires = [new_account(criteria=rows).to_dict()["Criteria"] for rows in ways]
    assert all(w == wires[0] for w in wires)
    assert wires[0] == [
        {
            "ClientCriteriaUID": 0,
            "LeadFieldUID": 12,
            "Type": "FieldValue",
            "Expression": "",
            "Operator": "In",
            "Value": "CA,NV",
        }
    ]


def test_upsert_of_a_generated_model_copies_and_validates_it() -> None:
    original = new_account(description="Main")
    again = build_delivery_account(7, record_id=None, body=original)
    assert again is not original
    assert again.to_dict() == original.to_dict()
    wire = original.to_dict()
    assert build_delivery_account(7, record_id=None, body=wire).to_dict() == wire


def test_fields_win_over_the_body() -> None:
    account = build_delivery_account(
        7, record_id=None, body={"DeliveryUID": 1, "Price": 5}, fields={"price": 9}
    )
    assert account.price == 9.0


def test_client_body_as_model_and_as_snake_dict() -> None:
    model = new_client(notes="n", field_data=[{"ClientFieldUID": 4, "Value": "x"}])
    assert build_client(record_id=None, body=model).to_dict() == model.to_dict()
    snake = build_client(
        record_id=None,
        body={
            "info": {
                "username": "acme",
                "password": "s3cret",
                "notes": "n",
                "date_added": model.info.date_added,
            }
        },
        fields={"field_data": [{"client_field_uid": 4, "value": "x"}]},
    )
    assert snake.to_dict() == model.to_dict()


def test_child_rows_get_their_parents_ids() -> None:
    method = build_delivery_method(
        7,
        record_id=21,
        fields={
            "field_settings": [
                FieldSetting.lead_field("state", lead_field_uid=3, mappings={"CA": "California"}),
                {
                    "DeliverySettingUID": 40,
                    "FieldName": "zip",
                    "FieldMappings": [{"FieldValue": "a", "DeliveryValue": "b"}],
                },
            ],
            "delivery_days": weekly(WeekDay.MONDAY, start=dt.time(9), end=dt.time(17)),
        },
    )
    wire = method.to_dict()
    assert_valid("DeliveryMethod", wire)
    assert [s["DeliveryUID"] for s in wire["FieldSettings"]] == [21, 21]
    assert wire["FieldSettings"][0]["FieldMappings"][0]["DeliverySettingUID"] == 0
    assert wire["FieldSettings"][1]["FieldMappings"][0]["DeliverySettingUID"] == 40
    assert wire["DeliveryDays"][0]["DeliveryUID"] == 21
    assert wire["FieldSettings"][1]["hasMap"] is True


def test_a_child_row_of_another_parent_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=21, fields={"delivery_days": [{"WeekDay": 1, "DeliveryUID": 22}]})
    assert info.value.field == "DeliveryDays[0]"
    setting = {
        "DeliverySettingUID": 40,
        "FieldName": "z",
        "FieldMappings": [{"DeliverySettingUID": 41, "FieldValue": "a", "DeliveryValue": "b"}],
    }
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=21, fields={"field_settings": [setting]})
    assert info.value.field == "FieldSettings[0].FieldMappings[0]"


def test_caller_rows_are_not_mutated() -> None:
    row = FieldSetting.static("source", "acme")
    build_delivery_method(7, record_id=21, fields={"field_settings": [row]})
    assert row.delivery_uid == 0


def test_delivery_day_rows_from_dicts() -> None:
    wire = build_delivery_method(
        7,
        record_id=0,
        fields={
            "delivery_days": [
                {"week_day": "fri", "start_time": dt.time(8, 30), "allow": False},
                {"StaticDate": "2024-12-25"},
            ]
        },
    ).to_dict()["DeliveryDays"]
    assert wire[0]["WeekDay"] == 5
    assert wire[0]["StartTime"].endswith("T08:30:00-08:00")
    assert wire[0]["EndTime"].endswith("T23:59:59-08:00")
    assert wire[0]["Allow"] is False
    assert wire[1]["WeekDay"] == 3  # 2024-12-25 was a Wednesday
    assert wire[1]["StaticDate"] == "2024-12-25T00:00:00-08:00"
    assert wire[1]["StartTime"] == "2024-12-25T00:00:00-08:00"


# --- secrets ---------------------------------------------------------------------------------------


def test_masked_wire_hides_every_secret() -> None:
    client = new_client(password="hunter2")
    method = build_delivery_method(
        7, record_id=0, fields={"ftp_password": "ftp-secret", "smtp_password": "smtp-secret"}
    )
    assert masked_wire(client)["Info"]["Password"] == "***"
    assert masked_wire(client)["Info"]["Username"] == "acme"
    masked = masked_wire(method)
    assert masked["FTPPassword"] == masked["SMTPPassword"] == "***"
    assert "secret" not in repr(masked)
    assert masked_wire(method.to_dict()) == masked
    assert masked_wire({"a": [{"Password": "x"}]}) == {"a": [{"Password": "***"}]}
    assert {"Password", "FTPPassword", "SMTPPassword"} == SECRET_FIELDS


@pytest.mark.parametrize("bad", [["hunter2"], {"hunter2": 1}, b"hunter2"])
def test_validation_errors_never_show_a_secret(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        new_client(password=bad)
    assert "hunter2" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        build_delivery_method(7, record_id=0, fields={"smtp_password": bad})
    assert "hunter2" not in str(info.value)


# --- tables agree with the spec --------------------------------------------------------------------


def test_bounds_table_matches_the_spec() -> None:
    from_spec: dict[str, tuple[float, float]] = {}
    for schema_name, schema in SCHEMAS.items():
        for key, prop in (schema.get("properties") or {}).items():
            if "minimum" in prop or "maximum" in prop:
                high = prop.get("maximum", 2**31 - 1 if prop.get("type") == "integer" else float("inf"))
                from_spec[f"{schema_name}.{key}"] = (prop.get("minimum"), high)
    assert dict(_shapes.BOUNDS) == from_spec


def test_required_on_create_matches_the_spec() -> None:
    wire = {_records.SHAPES[ClientInfo].by_attr[a].wire for a in _records._ON_CREATE}
    assert wire == set(SCHEMAS["ClientInfo"]["x-required-on-create"])


def test_secret_fields_are_the_specs_secrets() -> None:
    secrets = {
        key
        for schema in SCHEMAS.values()
        for key, prop in (schema.get("properties") or {}).items()
        if "never logged" in prop.get("description", "") or "A secret" in prop.get("description", "")
    }
    assert secrets - {"client_secret", "access_token"} == SECRET_FIELDS


def test_secret_keywords_are_the_secret_fields_keyword_names() -> None:
    assert {"password", "ftp_password", "smtp_password"} == _records.SECRET_KEYWORDS


@pytest.mark.parametrize(
    "model",
    [ClientInfo, DeliveryMethod, DeliveryAccount, DeliveryCriteria, DeliveryDay, DeliveryFieldSetting],
)
def test_shapes_know_every_wire_key(model: type) -> None:
    shape = _records.SHAPES[model]
    assert set(shape.wire_names) == set(SCHEMAS[model.__name__]["properties"])
