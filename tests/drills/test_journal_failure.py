"""A journal that cannot be written (a full disk) must not keep cleanup from removing what
the run created; the run still ends with exit 3 naming the journal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drills.journal import Journal
from drills.runner import RunOptions, run
from drills.scenario import SUITES
from harness.drill_cli import drill as drill_cli
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


def _disk_full_from_inject(monkeypatch: pytest.MonkeyPatch) -> None:
    """From the inject action on, the journal's descriptor writes to /dev/full: ENOSPC."""
    real = Journal.record

    def record(self: Journal, kind: str, **fields: Any) -> Any:
        if kind == "action" and fields.get("action") == "inject":
            full = os.open("/dev/full", os.O_WRONLY)
            os.dup2(full, self._fd)
            os.close(full)
        return real(self, kind, **fields)

    monkeypatch.setattr(Journal, "record", record)


def test_cleanup_removes_everything_when_the_journal_cannot_be_written(fake, tmp_path, monkeypatch):
    _failing_from_inject(monkeypatch)
    with pytest.raises(InfraError, match="cannot append to the journal"):
        run(tools_for(fake), [standard("crash"), standard("hang")], RunOptions(out_dir=tmp_path))
    assert fake.list_labelled(RUN_KEY) == []
    assert fake.containers == {} and fake.images == {}


def test_a_full_disk_ends_the_run_with_exit_3_naming_the_journal(fake, tmp_path, monkeypatch):
    from drills import wiring  # noqa: PLC0415

    monkeypatch.setattr(wiring, "real_tools", lambda _work: tools_for(fake))
    _disk_full_from_inject(monkeypatch)
    crash = str(SUITES["standard"] / "crash.yaml")
    result = CliRunner().invoke(drill_cli, ["run", crash, "--out", str(tmp_path)])
    assert result.exit_code == 3, result.output
    journal = Path(tmp_path / "journal.jsonl")
    assert f"drill: error: {journal}: cannot append to the journal (No space left on device)" in result.output
    assert result.output.rstrip().endswith("(cleanup still ran)")
    assert fake.list_labelled(RUN_KEY) == []
