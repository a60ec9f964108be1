"""UTC timestamps as GitHub's API and FUSE's release metadata write them (2026-03-08T10:00:00Z),
and days as `--as-of` takes them (2026-03-08), read as strptime reads them, without strptime
for the usual zero-padded form: its first call imports and sets up its locale tables, about
7 % of the work of a plain `gate check`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import overload

STAMP = "%Y-%m-%dT%H:%M:%SZ"
DAY = "%Y-%m-%d"
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)
_CANONICAL_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_SHOWN = 40  # characters of a malformed stamp a message quotes


def parse_utc(text: str) -> datetime:
    """`text` read as `datetime.strptime(text, STAMP)` reads it, in UTC (ValueError if it is
    not a time in that form)."""
    return _read(text, _CANONICAL, STAMP).replace(tzinfo=UTC)  # fromisoformat: Z is UTC already


def read_stamp(value: object) -> datetime:
    """A JSON value read as FUSE writes `generatedAtUtc`: a `YYYY-MM-DDTHH:MM:SSZ` string,
    zero-padded, a real time (ValueError saying what `value` is instead)."""
    if not isinstance(value, str):
        raise ValueError(f"{_json_kind(value)} is not a YYYY-MM-DDTHH:MM:SSZ string")
    shown = repr(value) if len(value) <= _SHOWN else repr(value[:_SHOWN]) + "..."
    if not _CANONICAL.fullmatch(value):
        raise ValueError(f"{shown} is not of the form YYYY-MM-DDTHH:MM:SSZ")
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise ValueError(f"{shown} is no real time ({exc})") from None


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return "a JSON array" if isinstance(value, list) else "a JSON object"


def format_utc(moment: datetime) -> str:
    """`moment` as STAMP writes it, its year always four digits: strftime's `%Y` writes the
    year 1 as `1` on glibc, which no reader of STAMP accepts back."""
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def parse_day(text: str) -> datetime:
    """`text` read as `datetime.strptime(text, DAY)` reads it: midnight, no time zone."""
    return _read(text, _CANONICAL_DAY, DAY)


def _read(text: str, canonical: re.Pattern[str], form: str) -> datetime:
    """The zero-padded form through `datetime.fromisoformat`, which gives the same datetime;
    anything else through strptime, so what is accepted, and every error, stay strptime's."""
    if canonical.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # month 13, February 30, second 60: strptime says why
    return datetime.strptime(text, form)


@overload
def days_after(moment: datetime, days: int) -> datetime: ...
@overload
def days_after(moment: date, days: int) -> date: ...
def days_after(moment: date, days: int) -> date:
    """`days` days after `moment`, or the last moment a date can hold when that lies past the
    year 9999 (a release a hostile source dates 9999-12-30 has a window that never closes,
    not an OverflowError)."""
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        if isinstance(moment, datetime):
            return datetime.max.replace(tzinfo=moment.tzinfo)
        return date.max
