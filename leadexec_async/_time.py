"""Pacific time in and out.

The API reads every date-time as Pacific Time (America/Los_Angeles). The
SDK therefore sends each one as a Pacific wall-clock time *with its offset*
(``-08:00`` in winter, ``-07:00`` in summer), so the server reads the right
instant whether or not it honours offsets:

* an aware :class:`~datetime.datetime` is converted to Pacific Time;
* a naive one is taken to be Pacific Time already;
* a :class:`~datetime.date` means midnight Pacific on that day;
* a string is parsed as ISO 8601 (``datetime.fromisoformat``: ``Z`` and
  offsets allowed, a bare date means midnight) and then follows the rules above.

Times of day (the ``StartTime`` and ``EndTime`` of a delivery-day row, and
the builders ``weekly`` and ``on_date``) are a :class:`~datetime.time` or a
24-hour ``"HH:MM"`` / ``"HH:MM:SS"`` string (``"9:00"`` too); see
:func:`clock_time`.

The zone comes from the system time-zone database when there is one and from
the ``tzdata`` package otherwise, so it works on machines without one.
"""

from __future__ import annotations

import datetime as _dt
import importlib.resources
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._constants import PACIFIC_ZONE_KEY
from ._errors import ValidationError

__all__ = ["PACIFIC", "clock_time", "now_pacific", "time_or_pacific", "to_pacific"]

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _system_zone(key: str) -> _dt.tzinfo:
    return ZoneInfo(key)


def load_pacific() -> _dt.tzinfo:
    """Return the America/Los_Angeles zone: system database first, the tzdata package second."""
    try:
        return _system_zone(PACIFIC_ZONE_KEY)
    except ZoneInfoNotFoundError:
        area, city = PACIFIC_ZONE_KEY.split("/")
        resource = importlib.resources.files("tzdata.zoneinfo").joinpath(area, city)
        with resource.open("rb") as data:
            return ZoneInfo.from_file(data, key=PACIFIC_ZONE_KEY)


PACIFIC: _dt.tzinfo = load_pacific()
"""The zone every date-time is sent in."""


def now_pacific() -> _dt.datetime:
    """The current time in Pacific Time, aware, to the microsecond."""
    return _dt.datetime.now(PACIFIC)


def to_pacific(value: object, field: str | None = None) -> _dt.datetime:
    """Return ``value`` as an aware Pacific datetime (rules in the module docstring).

    Anything that is not a datetime, a date or an ISO 8601 string raises
    :class:`ValidationError` naming ``field``.
    """
    if isinstance(value, _dt.datetime):
        moment = value
    elif isinstance(value, _dt.date):
        moment = _dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            where = f"{field}: " if field else ""
            raise ValidationError(
                f"{where}expected an ISO 8601 date-time such as '2024-05-01T09:30:00-07:00', "
                f"got {value[:40]!r}",
                field=field,
            ) from None
    else:
        where = f"{field}: " if field else ""
        raise ValidationError(
            f"{where}expected a datetime, a date or an ISO 8601 string, got {type(value).__name__}",
            field=field,
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=PACIFIC)
    try:
        return moment.astimezone(PACIFIC)
    except OverflowError:
        where = f"{field}: " if field else ""
        raise ValidationError(f"{where}date-time {moment.isoformat()} is out of range", field=field) from None


def clock_time(text: str, field: str | None = None) -> _dt.time | None:
    """``"HH:MM"`` or ``"HH:MM:SS"`` (24-hour clock, ``"9:00"`` too) as a :class:`~datetime.time`.

    Returns None when ``text`` is not written as a clock time at all (so that
    the caller may read it otherwise); a clock time out of range (``"24:00"``,
    ``"09:60"``) raises :class:`ValidationError` naming ``field``.
    """
    found = _CLOCK.fullmatch(text.strip())
    if found is None:
        return None
    hour, minute, second = (int(part) if part else 0 for part in found.groups())
    if hour > 23 or minute > 59 or second > 59:
        where = f"{field}: " if field else ""
        raise ValidationError(
            f"{where}{text.strip()!r} is not a time of day (hours 0-23, minutes and seconds 0-59)",
            field=field,
        )
    return _dt.time(hour, minute, second)


def time_or_pacific(value: object, field: str | None = None) -> _dt.time | _dt.datetime:
    """A time-of-day field (``StartTime``, ``EndTime``): a ``time`` or a clock string stays a time of day.

    Anything else is read by :func:`to_pacific`. A bare number is refused with a
    hint, because YAML reads an unquoted ``17:00`` as the number 1020.
    """
    if isinstance(value, _dt.time):
        return value
    if isinstance(value, str):
        clock = clock_time(value, field)
        if clock is not None:
            return clock
    elif isinstance(value, int | float) and not isinstance(value, bool):
        where = f"{field}: " if field else ""
        raise ValidationError(
            f"{where}expected a time of day such as '17:00' or '17:00:00', got the number {value} "
            "(in YAML, quote a time: an unquoted 17:00 is read as the number 1020)",
            field=field,
        )
    return to_pacific(value, field)
