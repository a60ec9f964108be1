"""The journal survives a killed run: reports rebuild from whatever was fsync'd."""

from __future__ import annotations

import errno
import json
import os

import pytest

from drills.playbook.signals import Interrupted
from drills.records import journal, outputs
from harness.errors import ConfigError, ExitCode, InfraError
from harness.results import Outcome
from tests.drills.conftest import PHASES, drill, standard


def test_events_are_appended_in_order_and_read_back(tmp_path):
    j = journal.Journal(tmp_path / "j.jsonl", clock=lambda: 5.0, run_id="r1", scenarios=[])
    j.record("action", action="deploy", role="candidate-aot")
    j.close()
    events = journal.read(tmp_path / "j.jsonl")
    assert [(e.seq, e.kind) for e in events] == [(1, "run.started"), (2, "action")]
    assert events[1].raw("role") == "candidate-aot"


def test_a_journal_cut_mid_run_still_renders_every_output(fake, tmp_path):
    _, _events = drill(fake, tmp_path / "run", standard("crash"), standard("hang"))
    lines = (tmp_path / "run" / "journal.jsonl").read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"phase": "fallback"' in line)
    torn = "".join(lines[:cut]) + lines[cut][:17]  # killed mid-write
    path = tmp_path / "killed" / "journal.jsonl"
    path.parent.mkdir()
    path.write_text(torn)
    report, written = outputs.write(journal.read(path), path.parent)
    assert report.interrupted and report.exit_code is ExitCode.INTERRUPTED
    crash = [r for r in report.results if r.scope == "crash"]
    assert crash[-1].check == "drill.verdict" and crash[-1].outcome is Outcome.ERROR
    assert [r.outcome for r in report.results if r.scope == "hang"] == [Outcome.ERROR]
    assert {p.name for p in written} == {"report.json", "junit.xml", "summary.md", "report.html"}
    assert json.loads((path.parent / "report.json").read_text())["interrupted"] is True
    assert "the run was killed" in (path.parent / "summary.md").read_text()


def test_a_complete_run_reports_one_testcase_per_phase(fake, tmp_path):
    _report, events = drill(fake, tmp_path, standard("crash"))
    _, _written = outputs.write(events, tmp_path)
    junit = (tmp_path / "junit.xml").read_text()
    for phase in (*PHASES, "verdict"):
        assert f'name="drill.{phase}:' in junit
    assert "<svg" in (tmp_path / "report.html").read_text()
    summary = (tmp_path / "summary.md").read_text()
    assert "| ✅ | `drill.detect` |" in summary and "| detect: passed (0.000 s) |" in summary


def test_not_a_journal_is_a_config_error(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"seq": 1}\nnot json\n{"seq": 2, "t": 1, "kind": "x"}\n')
    with pytest.raises(ConfigError, match="line 1"):
        journal.read(path)
    with pytest.raises(ConfigError, match="no such journal"):
        journal.read(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    "first",
    [
        '{"seq": Infinity, "t": 1.0, "kind": "run.started"}',
        '{"seq": NaN, "t": 1.0, "kind": "run.started"}',
        '{"seq": 1, "t": Infinity, "kind": "run.started"}',
        '{"seq": 1, "t": -Infinity, "kind": "run.started"}',
        '{"seq": 1, "t": NaN, "kind": "run.started"}',
        '{"seq": 1e400, "t": 1.0, "kind": "run.started"}',
    ],
)
def test_a_sequence_number_or_time_that_is_no_finite_number_is_a_config_error(tmp_path, first):
    path = tmp_path / "journal.jsonl"
    path.write_text(first + '\n{"seq": 2, "t": 2.0, "kind": "run.finished"}\n')
    with pytest.raises(ConfigError, match="line 1: not a journal event"):
        journal.read(path)


def test_a_journal_that_cannot_be_opened_names_the_drill_option(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InfraError, match=r"choose a writable --out$"):
        journal.Journal(tmp_path / "file" / "journal.jsonl", lambda: 0.0)


def test_a_journal_appears_with_its_run_started_event_so_a_reader_never_finds_it_empty(tmp_path):
    j = journal.Journal(tmp_path / "journal.jsonl", lambda: 1.0, run_id="r1")
    try:
        assert [e.kind for e in journal.read(tmp_path / "journal.jsonl")] == ["run.started"]
        assert [p.name for p in tmp_path.iterdir()] == ["journal.jsonl"]
    finally:
        j.close()


def test_a_journal_that_cannot_be_put_in_place_leaves_no_temporary_file(tmp_path):
    (tmp_path / "journal.jsonl").mkdir()  # the rename into place fails
    with pytest.raises(InfraError, match=r"cannot create the journal .*choose a writable --out$"):
        journal.Journal(tmp_path / "journal.jsonl", lambda: 0.0, run_id="r1")
    assert [p.name for p in tmp_path.iterdir()] == ["journal.jsonl"]


def test_earlier_journals_are_kept_even_when_runs_start_in_the_same_second(tmp_path):
    path = tmp_path / "journal.jsonl"
    for run in ("r1", "r2", "r3"):
        journal.Journal(journal.rotate(path, 1000.4), lambda: 1000.4, run_id=run).close()
    kept = {p.name: journal.read(p)[0].raw("run_id") for p in tmp_path.iterdir()}
    assert kept == {"journal.1000.jsonl": "r1", "journal.1000-2.jsonl": "r2", "journal.jsonl": "r3"}


def _interrupt_once(monkeypatch, j: journal.Journal, where: str) -> None:
    """Ctrl-C's handler raises once inside the next append to `j`: after its fsync (the
    line is whole), or after a write that put only half the line down."""
    real_write, real_fsync = os.write, os.fsync
    armed = [True]

    def write(fd: int, data: bytes) -> int:
        if fd != j._fd or where != "half-written" or not armed.pop():
            return real_write(fd, data)
        real_write(fd, data[: len(data) // 2])
        raise Interrupted("SIGINT")

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if fd == j._fd and where == "fsynced" and armed and armed.pop():
            raise Interrupted("SIGINT")

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)


def _cut_short_once(monkeypatch, j: journal.Journal) -> None:
    """The next append to `j` puts down 10 bytes, then the disk is full."""
    real_write = os.write
    full = [True]

    def write(fd: int, data: bytes) -> int:
        if fd == j._fd and full:
            full.pop()
            real_write(fd, data[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("where", ["fsynced", "half-written"])
def test_a_ctrl_c_during_a_write_never_lets_a_later_short_write_cut_an_event(tmp_path, monkeypatch, where):
    path = tmp_path / "j.jsonl"
    j = journal.Journal(path, clock=lambda: 5.0, run_id="r1", scenarios=[])
    _interrupt_once(monkeypatch, j, where)
    with pytest.raises(Interrupted):
        j.record("action", action="a")
    monkeypatch.undo()
    j.record("action", action="b" * 200)
    _cut_short_once(monkeypatch, j)
    with pytest.raises(InfraError, match="No space left on device"):
        j.record("action", action="c")
    monkeypatch.undo()
    j.record("run.finished", status="interrupted")
    j.close()
    events = journal.read(path)
    assert [(e.kind, e.raw("action")) for e in events] == [
        ("run.started", None),
        ("action", "b" * 200),
        ("run.finished", None),
    ]
    assert path.read_bytes().endswith(b"\n")
