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


def parse_utc(text: str) -> datetime:
    """`text` read as `datetime.strptime(text, STAMP)` reads it, in UTC (ValueError if it is
    not a time in that form)."""
    return _read(text, _CANONICAL, STAMP).replace(tzinfo=UTC)  # fromisoformat: Z is UTC already


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
