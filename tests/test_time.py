"""Dates go out as Pacific Time with their offset, with or without a system time-zone database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pytest

from leadexec_async import _time
from leadexec_async._errors import ValidationError
from leadexec_async._time import PACIFIC, now_pacific, to_pacific

UTC = dt.UTC
PST = dt.timedelta(hours=-8)
PDT = dt.timedelta(hours=-7)


@pytest.mark.parametrize(
    ("utc", "wall", "offset"),
    [
        (dt.datetime(2024, 1, 15, 20, 0, tzinfo=UTC), dt.datetime(2024, 1, 15, 12, 0), PST),
        (dt.datetime(2024, 7, 1, 12, 0, tzinfo=UTC), dt.datetime(2024, 7, 1, 5, 0), PDT),
        # the spring-forward instant (2024-03-10 02:00 PST -> 03:00 PDT) and just before it
        (dt.datetime(2024, 3, 10, 9, 59, tzinfo=UTC), dt.datetime(2024, 3, 10, 1, 59), PST),
        (dt.datetime(2024, 3, 10, 10, 0, tzinfo=UTC), dt.datetime(2024, 3, 10, 3, 0), PDT),
        # fall back: 01:30 happens twice on 2024-11-03
        (dt.datetime(2024, 11, 3, 8, 30, tzinfo=UTC), dt.datetime(2024, 11, 3, 1, 30), PDT),
        (dt.datetime(2024, 11, 3, 9, 30, tzinfo=UTC), dt.datetime(2024, 11, 3, 1, 30), PST),
    ],
)
def test_aware_datetimes_become_pacific_with_their_offset(
    utc: dt.datetime, wall: dt.datetime, offset: dt.timedelta
) -> None:
    out = to_pacific(utc)
    assert out.timestamp() == utc.timestamp()  # the same instant (== is unreliable in a DST fold)
    assert out.replace(tzinfo=None) == wall
    assert out.utcoffset() == offset
    sign = "-08:00" if offset == PST else "-07:00"
    assert out.isoformat() == wall.isoformat() + sign


def test_other_zones_are_converted_too() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    out = to_pacific(dt.datetime(2024, 7, 2, 9, 0, tzinfo=tokyo))
    assert out.isoformat() == "2024-07-01T17:00:00-07:00"


@pytest.mark.parametrize(
    ("naive", "expected"),
    [
        (dt.datetime(2024, 1, 15, 9, 30), "2024-01-15T09:30:00-08:00"),
        (dt.datetime(2024, 7, 15, 9, 30), "2024-07-15T09:30:00-07:00"),
    ],
)
def test_naive_datetimes_are_taken_as_pacific(naive: dt.datetime, expected: str) -> None:
    assert to_pacific(naive).isoformat() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-01T12:00:00Z", "2024-07-01T05:00:00-07:00"),
        ("2024-07-01T12:00:00+00:00", "2024-07-01T05:00:00-07:00"),
        ("2024-01-01T00:00:00-05:00", "2023-12-31T21:00:00-08:00"),
        ("2024-01-15T09:30:00", "2024-01-15T09:30:00-08:00"),
        ("2024-01-15", "2024-01-15T00:00:00-08:00"),
        (" 2024-07-04T10:00 ", "2024-07-04T10:00:00-07:00"),
    ],
)
def test_iso_strings_follow_the_same_rules(text: str, expected: str) -> None:
    assert to_pacific(text).isoformat() == expected


def test_dates_mean_midnight_pacific() -> None:
    assert to_pacific(dt.date(2024, 12, 25)).isoformat() == "2024-12-25T00:00:00-08:00"
    assert to_pacific(dt.date(2024, 6, 1)).isoformat() == "2024-06-01T00:00:00-07:00"


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "", 1700000000, None, dt.time(9), [2024, 1, 1]])
def test_anything_else_is_a_validation_error_naming_the_field(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_pacific(bad, "DateAdded")
    assert info.value.field == "DateAdded"
    assert str(info.value).startswith("DateAdded: ")


def test_now_pacific_is_aware_and_now() -> None:
    before = dt.datetime.now(UTC)
    now = now_pacific()
    after = dt.datetime.now(UTC)
    assert now.tzinfo is PACIFIC
    assert before <= now <= after
    assert now.utcoffset() in (PST, PDT)


def test_falls_back_to_the_tzdata_package(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(key: str) -> dt.tzinfo:
        raise ZoneInfoNotFoundError(key)

    monkeypatch.setattr(_time, "_system_zone", missing)
    zone = _time.load_pacific()
    assert str(zone) == "America/Los_Angeles"
    assert dt.datetime(2024, 7, 1, tzinfo=zone).utcoffset() == PDT
    assert dt.datetime(2024, 1, 1, tzinfo=zone).utcoffset() == PST


def test_works_in_a_process_without_a_system_time_zone_database(tmp_path: Path) -> None:
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    code = (
        "import sys, zoneinfo, datetime as dt\n"
        "from leadexec_async._time import to_pacific\n"
        "assert zoneinfo.TZPATH == (sys.argv[1],), zoneinfo.TZPATH\n"
        "print(to_pacific(dt.datetime(2024, 7, 1, 12, tzinfo=dt.UTC)).isoformat())\n"
    )
    env = {**os.environ, "PYTHONTZPATH": str(empty)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(empty)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2024-07-01T05:00:00-07:00"
