"""Plan loading and checking: every kind of bad plan is refused with the file, record and field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadexec_async import _constants as C
from leadexec_async.provision.plan import PlanError, load_plan, parse_plan

GOOD = """\
clients:
  - key: acme
    username: acme
    password: ${PW}
    status: Active
    delivery_methods:
      - key: post
        name: Acme POST
        type: HTTP POST
        delivery_address: https://acme.example/in
    delivery_accounts:
      - key: main
        delivery_method: post
        description: Main
        price: 25.0
        status: on hold
"""
ENV = {"PW": "s3cret"}


def _problems(text: str, *, fmt: str = "yaml", environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, name="plan.yaml", fmt=fmt, environ=ENV if environ is None else environ)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_a_good_plan_becomes_records_in_dependency_order() -> None:
    plan = parse_plan(GOOD, name="plan.yaml", environ=ENV)
    assert [(r.kind, r.key) for r in plan.records] == [
        ("client", "acme"),
        ("delivery_method", "acme/post"),
        ("delivery_account", "acme/main"),
    ]
    client, _, account = plan.records
    assert client.fields["password"] == "s3cret"
    assert account.method == "acme/post"
    assert account.client == "acme"
    assert "delivery_method" not in account.fields
    assert "s3cret" not in repr(client)


def test_json_plans_are_read_the_same_way(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(yaml.safe_load(GOOD)))
    plan = load_plan(path, environ=ENV)
    assert len(plan.records) == 3


def test_variables_come_from_the_environment_and_dollar_dollar_escapes() -> None:
    text = GOOD.replace("name: Acme POST", "name: Acme $${literal} ${WHO}")
    plan = parse_plan(text, environ={"PW": "x", "WHO": "buyer"})
    assert plan.records[1].fields["name"] == "Acme ${literal} buyer"


def test_a_missing_variable_is_named() -> None:
    (problem,) = _problems(GOOD, environ={})
    assert problem == "plan.yaml: client 'acme': field 'password': environment variable PW is not set"


def test_unknown_fields_get_a_did_you_mean() -> None:
    problems = _problems(
        GOOD.replace("delivery_address:", "delivery_adress:").replace("status: Active", "statu: Active")
    )
    assert "plan.yaml: client 'acme': field 'statu': unknown field; did you mean 'status'?" in problems
    assert (
        "plan.yaml: delivery method 'acme/post': field 'delivery_adress': unknown field; "
        "did you mean 'delivery_address'?"
    ) in problems


def test_unknown_top_level_keys_are_refused() -> None:
    (problem,) = _problems("client:\n  - key: a\n" + GOOD)
    assert "field 'client': unknown top-level key; did you mean 'clients'?" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + GOOD.replace("clients:\n", ""),
            "client 'acme': field 'key': duplicate key: the plan has another",
        ),
        (
            GOOD.replace(
                "    delivery_accounts:", "      - key: post\n        name: again\n    delivery_accounts:"
            ),
            "delivery method 'acme/post': field 'key': duplicate key: client 'acme' has another",
        ),
        (
            GOOD.replace("username: acme", "username: acme\n    username: again"),
            "field 'username': the same key appears twice",
        ),
    ],
)
def test_duplicate_keys_are_refused(text: str, expected: str) -> None:
    problems = _problems(text)
    assert any(expected in p for p in problems), problems


def test_an_account_naming_a_missing_method_is_refused() -> None:
    (problem,) = _problems(GOOD.replace("delivery_method: post", "delivery_method: posst"))
    assert problem == (
        "plan.yaml: delivery account 'acme/main': field 'delivery_method': "
        "no delivery method 'posst' under client 'acme'; did you mean 'post'?"
    )


@pytest.mark.parametrize(
    ("old", "new", "where", "allowed"),
    [
        ("status: Active", "status: Activ", "client 'acme': field 'status'", "did you mean 'Active'"),
        ("type: HTTP POST", "type: HTTP PST", "delivery method 'acme/post': field 'type'", "'HTTP POST'"),
        ("status: on hold", "status: paused", "delivery account 'acme/main': field 'status'", "'Open'"),
    ],
)
def test_bad_enum_labels_name_the_field_and_the_allowed_values(
    old: str, new: str, where: str, allowed: str
) -> None:
    (problem,) = _problems(GOOD.replace(old, new))
    assert problem.startswith(f"plan.yaml: {where}: ")
    assert allowed in problem


def test_missing_required_values_are_named() -> None:
    problems = _problems(
        GOOD.replace("    username: acme\n", "").replace("  - key: main\n", "  - notes: 1\n")
    )
    assert any("client 'acme': field 'username'" in p and "required" in p for p in problems), problems
    assert any(
        "delivery_accounts[0]: field 'key': every delivery account needs a `key`" in p for p in problems
    )


def test_ids_the_ledger_owns_cannot_be_set() -> None:
    (problem,) = _problems(GOOD.replace("price: 25.0", "price: 25.0\n        delivery_uid: 3"))
    assert "delivery account 'acme/main': field 'delivery_uid': must not be set in a plan" in problem


def test_wrong_shapes_are_refused() -> None:
    assert "a top-level `clients:` list is required" in _problems("clients: 3\n")[0]
    assert "the plan is empty" in _problems("")[0]
    assert "a client must be a mapping" in _problems("clients:\n  - just-a-string\n")[0]
    assert "not valid YAML at line 3" in _problems("clients:\n  - key: [unclosed\n")[0]
    assert "not valid JSON at line 1" in _problems("{", fmt="json")[0]


def test_non_utf8_plans_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"clients:\n  - key: caf\xe9\n")
    with pytest.raises(PlanError, match=r"plan.yaml: the plan is not UTF-8 text \(bad byte at line 2\)"):
        load_plan(path)


def test_huge_plans_are_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "MAX_PLAN_BYTES", 1000)
    path = tmp_path / "plan.yaml"
    path.write_text(GOOD + "#" * 2000)
    with pytest.raises(PlanError, match="more than the 1000 allowed"):
        load_plan(path, environ=ENV)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_deeply_nested_plans_are_refused(fmt: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    text = f'{{"clients": [{{"key": "a", "notes": {deep}}}]}}'
    problems = _problems(text, fmt=fmt)
    assert "nested" in problems[0]
    shallow_but_too_deep = "[" * (C.MAX_PLAN_DEPTH + 1) + "]" * (C.MAX_PLAN_DEPTH + 1)
    problems = _problems(f'{{"clients": {shallow_but_too_deep}}}', fmt=fmt)
    assert f"nested more than {C.MAX_PLAN_DEPTH} levels deep" in problems[0]


def test_yaml_aliases_are_refused() -> None:
    text = "x: &a [1, 2]\nclients:\n  - key: a\n    notes: *a\n"
    assert "YAML aliases" in _problems(text)[0]


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("status: Active", "status: Nope").replace(
        "delivery_method: post", "delivery_method: x"
    )
    assert len(_problems(text)) == 2


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "missing.yaml")
