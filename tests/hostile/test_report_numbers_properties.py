"""Properties of the report.json readers (hypothesis): whatever number a result's
duration_s, or a drill scenario's detect_s or restore_s, is written as, the reader gives a
finite float (or None) or one ConfigError line naming the file and key; never another
exception and never NaN or an infinity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drills.records import trends
from harness.errors import ConfigError
from harness.reports import merge

pytestmark = pytest.mark.timeout(120)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# what json.dumps writes for any of these: digits, NaN, Infinity; and literals it cannot write
numbers = (
    st.floats()
    | st.integers()
    | st.integers(min_value=2**1024, max_value=10**400)
    | st.sampled_from(["1e400", "-1e400", "1" + "0" * 400])
)
RUN = {
    "schema_version": 1,
    "tool": "gate",
    "subject": "s",
    "started_at": "2026-01-01T00:00:00+00:00",
    "finished_at": "2026-01-01T00:00:01+00:00",
}


def _spelled(doc: object, number: object) -> str:
    """The document as JSON text with the marker replaced by `number` as a literal."""
    literal = number if isinstance(number, str) else json.dumps(number)
    return json.dumps(doc).replace('"__number__"', literal)


def _refused(exc: ConfigError, path: Path, key: str) -> None:
    assert str(exc).startswith(f"{path}: ") and f"{key}: " in str(exc) and "\n" not in str(exc)
    assert "is not a finite number" in str(exc)


@FAST
@given(numbers)
def test_a_merged_duration_is_finite_or_one_config_error(tmp_path: Path, number: object) -> None:
    doc = {**RUN, "results": [{"check": "X", "scope": "", "outcome": "passed", "duration_s": "__number__"}]}
    path = tmp_path / "report.json"
    path.write_text(_spelled(doc, number))
    try:
        duration = merge.load(path).report.results[0].duration_s
    except ConfigError as exc:
        _refused(exc, path, "results[0]: duration_s")
        return
    assert duration is not None and math.isfinite(duration)


@FAST
@given(numbers, st.sampled_from(sorted(trends.METRICS.values())))
def test_a_trend_time_is_finite_or_one_config_error(tmp_path: Path, number: object, key: str) -> None:
    doc = {"drill": {"scenarios": {"crash": {key: "__number__"}}}}
    path = tmp_path / "report.json"
    path.write_text(_spelled(doc, number))
    try:
        baseline, _ = trends.load(path)
    except ConfigError as exc:
        if isinstance(number, int | float) and -math.inf < number < 0:  # a time is 0 or more
            assert f"drill.scenarios.crash.{key}: " in str(exc) and "(0 or more)" in str(exc)
            return
        _refused(exc, path, f"drill.scenarios.crash.{key}")
        return
    assert baseline is not None
    seconds = baseline.numbers["crash"][key]
    assert seconds is not None and math.isfinite(seconds)
