"""UTC stamps: parse_utc reads exactly what `datetime.strptime(text, STAMP)` reads, the same
way, and refuses exactly what it refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.stamps import STAMP, days_after, parse_day, parse_utc, read_stamp

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
# stamps of the canonical shape (with out-of-range fields), unpadded ones, and other text
SHAPED = st.tuples(DIGITS, DIGITS, DIGITS, DIGITS, DIGITS, DIGITS, st.sampled_from("TtZz ")).map(
    lambda p: f"{p[0]}-{p[1]}-{p[2]}{p[6] if p[6] in 'Tt ' else 'T'}{p[3]}:{p[4]}:{p[5]}Z"
)
CANONICAL = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda d: (
        d.strftime("%Y-%m-%dT%H:%M:%SZ")
        if d.year >= 1000
        else f"{d.year:04d}{d.strftime('-%m-%dT%H:%M:%SZ')}"
    )
)


def _strptime(text: str) -> datetime | str:
    try:
        return datetime.strptime(text, STAMP).replace(tzinfo=UTC)
    except ValueError as exc:
        return f"ValueError: {exc}"


def _ours(text: str) -> datetime | str:
    try:
        return parse_utc(text)
    except ValueError as exc:
        return f"ValueError: {exc}"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(CANONICAL, SHAPED, st.text(max_size=24)))
def test_parse_utc_is_strptime(text: str) -> None:
    ours, theirs = _ours(text), _strptime(text)
    assert ours == theirs
    if isinstance(ours, datetime):
        assert ours.tzinfo is UTC


# the second row: forms datetime.fromisoformat accepts and strptime refuses
@pytest.mark.parametrize(
    "text",
    [
        *("2026-03-08T10:00:00Z", "2026-02-29T10:00:00Z", "2026-03-08T10:00:60Z", "2026-3-8T1:2:3Z"),
        *("20260308T100000Z", "2026-W10-1T10:00:00Z", "2026-03-08 10:00:00Z", "2026-03-08T10:00Z"),
    ],
)
def test_known_stamps_read_as_strptime_reads_them(text: str) -> None:
    assert _ours(text) == _strptime(text)


def test_days_after_adds_days_until_a_date_can_hold_no_more() -> None:
    moment = datetime(2026, 3, 8, 10, tzinfo=UTC)
    assert days_after(moment, 90) == moment + timedelta(days=90)
    assert days_after(date(2026, 3, 8), 0) == date(2026, 3, 8)
    assert days_after(date(9999, 12, 30), 1) == date(9999, 12, 31)
    assert days_after(date(9999, 12, 30), 90) == date.max
    assert days_after(datetime(9999, 12, 30, tzinfo=UTC), 30) == datetime.max.replace(tzinfo=UTC)
    assert days_after(date(2026, 1, 1), 10**12) == date.max  # more days than a timedelta holds


@settings(max_examples=200)
@given(st.dates(), st.integers(min_value=0, max_value=10**15))
def test_days_after_never_raises_and_never_goes_back(day: date, days: int) -> None:
    later = days_after(day, days)
    assert day <= later <= date.max
    if later < date.max:
        assert (later - day).days == days


@pytest.mark.parametrize("text", ["2026-03-08", "2026-3-8", "9999-12-31", "0001-01-01"])
def test_parse_day_is_strptime(text: str) -> None:
    assert parse_day(text) == datetime.strptime(text, "%Y-%m-%d")


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-03-08T00:00:00Z", "", "tomorrow"])
def test_parse_day_refuses_what_strptime_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize(("length", "quoted"), [(40, "x" * 40 + "'"), (41, "x" * 40 + "'...")])
def test_a_malformed_stamp_is_quoted_whole_up_to_40_characters(length: int, quoted: str) -> None:
    with pytest.raises(ValueError, match="is not of the form") as raised:
        read_stamp("x" * length)
    assert str(raised.value).startswith(f"'{quoted} is not of the form")
