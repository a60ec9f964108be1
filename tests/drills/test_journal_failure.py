"""A journal that cannot be written (a full disk) must not keep cleanup from removing what
the run created; the run still ends with exit 3 naming the journal, and its reports say what
the journal can tell: that it ends early, or which events it lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.drill import drill as drill_cli
from drills.records.journal import Journal, read
from drills.records.report import ENDS_EARLY, OPEN_PHASE
from drills.run.runner import RunOptions, run
from drills.scenario.model import SUITES
from fixtures.fake_engine import Behaviour
from harness.errors import InfraError
from tests.drills.conftest import standard, tools_for

RUN_KEY = "fuse-harness.run-id"


def _failing_from_inject(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write raises once the inject action comes (the reviewed repro)."""
    real = Journal.record
    broken: list[bool] = []

    def record(self: Journal, kind: str, **fields: Any) -> Any:
        if kind == "action" and fields.get("action") == "inject":
            broken.append(True)
        if broken:
            raise InfraError(f"{self.path}: cannot append to the journal (No space left on device)")
        return real(self, kind, **fields)

    monkeypatch.setattr(Journal, "record", record)


def _disk_full(monkeypatch: pytest.MonkeyPatch, start: str = "inject", end: str | None = None) -> None:
    """From action `start` on, the journal's descriptor writes to /dev/full: ENOSPC; from
    action `end` on (space freed), to the journal again."""
    real = Journal.record
    kept: list[int] = []

    def record(self: Journal, kind: str, **fields: Any) -> Any:
        action = fields.get("action") if kind == "action" else None
        if action == start:
            if end is not None:
                kept.append(os.dup(self._fd))
            full = os.open("/dev/full", os.O_WRONLY)
            os.dup2(full, self._fd)
            os.close(full)
        elif action == end and kept:
            journal_fd = kept.pop()
            os.dup2(journal_fd, self._fd)
            os.close(journal_fd)
        return real(self, kind, **fields)

    monkeypatch.setattr(Journal, "record", record)


def _run_crash(fake, out: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    from drills.run import wiring  # noqa: PLC0415

    monkeypatch.setattr(wiring, "real_tools", lambda _work: tools_for(fake))
    return CliRunner().invoke(drill_cli, ["run", str(SUITES["standard"] / "crash.yaml"), "--out", str(out)])


def test_cleanup_removes_everything_when_the_journal_cannot_be_written(fake, tmp_path, monkeypatch):
    _failing_from_inject(monkeypatch)
    with pytest.raises(InfraError, match="cannot append to the journal"):
        run(tools_for(fake), [standard("crash"), standard("hang")], RunOptions(out_dir=tmp_path))
    assert fake.list_labelled(RUN_KEY) == []
    assert fake.containers == {} and fake.images == {}


def test_a_full_disk_ends_the_run_with_exit_3_naming_the_journal(fake, tmp_path, monkeypatch):
    _disk_full(monkeypatch)
    result = _run_crash(fake, tmp_path, monkeypatch)
    assert result.exit_code == 3, result.output
    journal = Path(tmp_path / "journal.jsonl")
    assert f"drill: error: {journal}: cannot append to the journal (No space left on device)" in result.output
    assert result.output.rstrip().endswith("(cleanup still ran)")
    assert fake.list_labelled(RUN_KEY) == []


def test_a_journal_that_ends_early_does_not_say_the_run_was_killed(fake, tmp_path, monkeypatch):
    """Nothing after the inject could be written: the journal cannot tell a killed run from
    one that could not write it, and says so, not `the run was killed`."""
    _disk_full(monkeypatch)
    result = _run_crash(fake, tmp_path, monkeypatch)
    assert result.exit_code == 3, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    inject = next(r for r in report["results"] if r["check"] == "drill.inject")
    assert inject["summary"] == OPEN_PHASE[False]
    assert ENDS_EARLY in report["notes"]
    for text in (result.output, (tmp_path / "summary.md").read_text(encoding="utf-8")):
        assert "the run was killed;" not in text
        assert "the run was killed or could not write it" in text


def test_a_journal_written_again_once_space_is_back_says_what_it_lost_and_that_cleanup_ran(
    fake, tmp_path, monkeypatch
):
    """The disk is full from the inject until the scenario's cleanup frees space: the journal
    holds run.finished, so the report says events were lost and the run still ended."""
    _disk_full(monkeypatch, "inject", end="cleanup")
    result = _run_crash(fake, tmp_path, monkeypatch)
    assert result.exit_code == 3, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    by_check = {r["check"]: r for r in report["results"]}
    assert by_check["drill.inject"]["summary"] == OPEN_PHASE[True]
    assert by_check["drill.cleanup"]["outcome"] == "passed"
    lost = [n for n in report["notes"] if n.startswith("the journal lost events (seq ")]
    assert len(lost) == 1 and "cannot append to the journal (No space left on device)" in lost[0]
    assert lost[0].endswith("; the run still reached its end, cleanup included (run.finished)")
    assert ENDS_EARLY not in report["notes"]
    assert "killed" not in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert fake.list_labelled(RUN_KEY) == []


PARTIAL_WRITE = """
import resource, signal, sys
from pathlib import Path
from drills.records.journal import Journal
from harness.errors import InfraError

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
path = Path(sys.argv[1])
journal = Journal(path, lambda: 1.0, run_id="r1")
resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size + 20, resource.RLIM_INFINITY))
try:
    journal.record("action", action="x" * 100)  # 20 bytes fit: a write cut short
except InfraError as exc:
    print(exc)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
journal.record("run.finished", status="error")
"""


def test_a_write_cut_short_leaves_no_half_line_before_the_next_event(tmp_path):
    path = tmp_path / "journal.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", PARTIAL_WRITE, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "cannot append to the journal (File too large)" in done.stdout
    assert [(e.seq, e.kind) for e in read(path)] == [(1, "run.started"), (3, "run.finished")]


def _phase_finished_lost_once(monkeypatch: pytest.MonkeyPatch, phase: str) -> None:
    """The phase's phase.finished cannot be written (the disk is full just then); every
    write after it succeeds again."""
    real = Journal.record
    lost: list[bool] = []

    def record(self: Journal, kind: str, **fields: Any) -> Any:
        if kind == "phase.finished" and fields.get("phase") == phase and not lost:
            lost.append(True)
            error = InfraError(f"{self.path}: cannot append to the journal (No space left on device)")
            self.failed = self.failed or error
            raise error
        return real(self, kind, **fields)

    monkeypatch.setattr(Journal, "record", record)


def test_a_fallback_failure_the_journal_lost_is_never_a_pass(fake, tmp_path, monkeypatch):
    fake.role_behaviours["fallback-native"] = Behaviour(exit_after_s=0.01, exit_code=1)
    _phase_finished_lost_once(monkeypatch, "fallback")
    with pytest.raises(InfraError, match="cannot append to the journal"):
        run(tools_for(fake), [standard("crash")], RunOptions(out_dir=tmp_path))
    finished = [e for e in read(tmp_path / "journal.jsonl") if e.kind == "scenario.finished"]
    assert [e.raw("verdict") for e in finished] == ["error"]
    assert "the journal could not record every event" in finished[0].raw("reason")
    assert fake.list_labelled(RUN_KEY) == []


def test_a_phase_the_journal_lost_still_counts_for_what_follows(fake, tmp_path, monkeypatch):
    """The inject happened even if its phase.finished was lost: diagnostics still keep the
    evidence of the injected AOT."""
    _phase_finished_lost_once(monkeypatch, "inject")
    with pytest.raises(InfraError, match="cannot append to the journal"):
        run(tools_for(fake), [standard("crash")], RunOptions(out_dir=tmp_path))
    phases = [e.raw("phase") for e in read(tmp_path / "journal.jsonl") if e.kind == "phase.finished"]
    assert phases[-2:] == ["diagnostics", "cleanup"]
    assert (tmp_path / "evidence" / "crash" / "run-id.txt").is_file()


def test_a_journal_that_lost_events_makes_even_a_clean_drill_an_error(fake, tmp_path, monkeypatch):
    _disk_full(monkeypatch, "inject", end="cleanup")
    with pytest.raises(InfraError, match="cannot append to the journal"):
        run(tools_for(fake), [standard("crash")], RunOptions(out_dir=tmp_path))
    finished = [e for e in read(tmp_path / "journal.jsonl") if e.kind == "scenario.finished"]
    assert [(e.raw("verdict"), e.raw("as_expected")) for e in finished] == [("error", False)]
