"""benchmarks/drill_bench.py reads a run's journal through the typed payloads: each row of
its table from a journal a (fake-engine) run wrote, so a change to the events cannot leave
the benchmark broken until someone runs it against Docker."""

from __future__ import annotations

from benchmarks import drill_bench
from drills.records import journal
from drills.records.events import RunStarted
from tests.drills.conftest import drill, standard


def test_the_drill_bench_reads_every_row_from_a_runs_journal(fake, tmp_path):
    drill(fake, tmp_path, standard("crash"), standard("hang"))
    events = journal.read(tmp_path / "journal.jsonl")
    rows = [drill_bench.row(events, name) for name in RunStarted.of(events[0]).scenarios]
    assert [r.scenario for r in rows] == ["crash", "hang"]
    for r in rows:
        assert r.detect_ms is not None and r.detect_ms >= 0 and r.kind != "-"
        assert r.interval_ms == 100  # the standard suite's probe interval
        assert r.deploys >= 2 and r.container_ms >= 0 and r.service_ms >= 0
        assert r.events > 10 and r.wall_s > 0
