"""The engine's timestamps as the seam reads them (drills/engine/seam.py): RFC 3339 in UTC
to the nanosecond, the zero time of a container never started, anything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drills.engine.seam import engine_time, info_from_attrs

NOON = datetime(2026, 12, 3, 12, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-03T12:00:00Z", NOON),
        ("2026-12-03T12:00:00.5Z", NOON + 0.5),
        ("2026-12-03T12:00:00.123456789Z", NOON + 0.123456789),
        ("2026-12-03T12:00:00.1234567891234Z", NOON + 0.123456789),  # past nanoseconds: cut
        ("0001-01-01T00:00:00Z", None),  # never started
        ("2026-12-03T12:00:00+01:00", None),  # not the engine's UTC form
        ("2026-13-03T12:00:00Z", None),
        ("2026-12-03T12:00:00.x5Z", NOON),  # a fraction that is no number counts for nothing
        ("2026-12-03T12:00:00.\u00b2Z", NOON),
        ("", None),
        (None, None),
        (1_780_000_000, None),
    ],
)
def test_an_engine_time_is_read_or_refused(value: object, expected: float | None) -> None:
    got = engine_time(value)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-6))


def test_inspect_data_carries_the_start_time() -> None:
    state = {"Status": "running", "StartedAt": "2026-12-03T12:00:00.25Z"}
    attrs = {"Id": "c1", "Created": "2026-12-03T12:00:00.125Z", "State": state}
    assert info_from_attrs(attrs).started_at == pytest.approx(NOON + 0.25)
    assert info_from_attrs(attrs).created_at == pytest.approx(NOON + 0.125)
    assert info_from_attrs({"Id": "c2", "State": {"Status": "created"}}).started_at is None
