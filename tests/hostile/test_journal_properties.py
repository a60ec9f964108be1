"""Properties of the drill journal reader (hypothesis): any bytes, and any sequence of
event-shaped lines, are either events every report can be built from, or one ConfigError
line naming the journal; never another exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drills.records import journal, outputs
from harness.errors import ConfigError

pytestmark = pytest.mark.timeout(180)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KINDS = [
    "run.started",
    "run.finished",
    "run.note",
    "scenario.started",
    "scenario.finished",
    "phase.started",
    "phase.finished",
    "drill.verdict",
]
FIELDS = [
    "scenario",
    "phase",
    "outcome",
    "summary",
    "findings",
    "data",
    "scenarios",
    "run_id",
    "verdict",
    "note",
    # the figures reports read and show, and the budgets they are shown against
    "duration_s",
    "budgets",
    "latency_s",
    "time_to_restore_s",
    "contain_s",
    "ready_s",
    "p95_ms",
    "detect_s",
    "recover_s",
]

# integers past the largest float too: json writes them as digits, and float() of them overflows
huge = st.integers(min_value=2**1024, max_value=10**400) | st.integers(
    min_value=-(10**400), max_value=-(2**1024)
)
scalars = st.none() | st.booleans() | st.integers() | huge | st.floats() | st.text(max_size=8)
values = st.recursive(
    scalars | st.sampled_from(["passed", "failed", "error", "crash", "detect", "verify"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def events(draw: st.DrawFn) -> str:
    count = draw(st.integers(min_value=0, max_value=8))
    lines = []
    for seq in range(1, count + 1):
        event = {
            "seq": draw(st.one_of(st.just(seq), scalars)),
            "t": draw(st.one_of(st.just(float(seq)), scalars)),
        }
        event["kind"] = draw(
            st.sampled_from(KINDS) if seq > 1 else st.just("run.started") | st.sampled_from(KINDS)
        )
        event.update(draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=4)))
        lines.append(json.dumps(event))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", '\n{"seq": 9, "t"']))


def _judged(path: Path) -> None:
    try:
        read = journal.read(path)
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        return
    report = outputs.report(read)  # what every report is built from
    assert report.results is not None


@pytest.mark.slow
@FAST
@given(events())
def test_any_event_shaped_journal_reads_or_is_one_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(text)
    _judged(path)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_read_or_are_one_config_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(data)
    _judged(path)
