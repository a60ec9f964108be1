"""A report rebuilt from an earlier run's journal points at the evidence folder that holds that
run's evidence now: a later run moved it aside to evidence/<scenario>.<run id>."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.playbook.recovery_gates import GateRun
from drills.run.runner import RunOptions, run
from drills.scenario.model import RecoveryGates
from tests.drills.conftest import standard, tools_for


def _run(fake, out: Path, run_id: str) -> Path:
    """A crash drill whose recovery gates fail, so two phases name its evidence folder."""

    def gates(_gates: RecoveryGates, report_dir: Path) -> GateRun:
        return GateRun(exit_code=1, report_dir=report_dir, last_line="gate recover: FAILED")

    scenario = replace(
        standard("crash"), recover_to_aot=True, recovery_gates=RecoveryGates(checkout=out / "fix")
    )
    tools = replace(tools_for(fake), run_gates=gates)
    return run(tools, [scenario], RunOptions(out_dir=out, run_id=run_id))


def _report(journal: Path, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(drill_cli, ["report", str(journal), "--out", str(out)])
    assert result.exit_code == 1, result.output  # the recovery gates failed
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _phase(report: dict[str, Any], phase: str) -> dict[str, Any]:
    return next(r for r in report["results"] if r["check"] == f"drill.{phase}")


def _two_runs(fake, tmp_path: Path) -> Path:
    """run1, then run2 on the same --out; the journal run1 wrote (rotated)."""
    _run(fake, tmp_path, "run1")
    _run(fake, tmp_path, "run2")
    (earlier,) = tmp_path.glob("journal.*.jsonl")
    return earlier


def test_an_earlier_journal_points_at_the_folder_its_evidence_was_moved_to(fake, tmp_path):
    earlier = _two_runs(fake, tmp_path)
    kept = tmp_path / "evidence" / "crash.run1"
    assert (kept / "run-id.txt").read_text() == "run1\n"

    report = _report(earlier, tmp_path / "out1")
    diagnostics = _phase(report, "diagnostics")
    assert diagnostics["data"]["folder"] == str(kept)
    assert diagnostics["summary"].startswith(f"{len(diagnostics['data']['files'])} files in {kept} (")
    assert f"see {kept / 'recovery-gates'}" in _phase(report, "recover-to-aot")["summary"]
    assert str(kept) in (tmp_path / "out1" / "report.html").read_text(encoding="utf-8")
    assert not any("evidence" in note for note in report["notes"])


def test_the_latest_journal_still_points_at_evidence_scenario(fake, tmp_path):
    _two_runs(fake, tmp_path)
    report = _report(tmp_path / "journal.jsonl", tmp_path / "out2")
    folder = tmp_path / "evidence" / "crash"
    assert _phase(report, "diagnostics")["data"]["folder"] == str(folder)
    assert f"see {folder / 'recovery-gates'}" in _phase(report, "recover-to-aot")["summary"]


def test_evidence_that_is_gone_is_said_not_pointed_at(fake, tmp_path):
    earlier = _two_runs(fake, tmp_path)
    shutil.rmtree(tmp_path / "evidence" / "crash.run1")
    report = _report(earlier, tmp_path / "out")
    folder = tmp_path / "evidence" / "crash"
    assert f"crash: {folder} now holds the evidence of run run2" in "\n".join(report["notes"])
    assert "(crash.run1 is missing)" in "\n".join(report["notes"])


def test_a_run_killed_before_its_evidence_was_kept_points_at_the_folder_it_named(fake, tmp_path):
    """No run-id.txt yet (the run died first): the folder is not another run's."""
    _run(fake, tmp_path, "run1")
    (tmp_path / "evidence" / "crash" / "run-id.txt").unlink()
    report = _report(tmp_path / "journal.jsonl", tmp_path / "out")
    assert _phase(report, "diagnostics")["data"]["folder"] == str(tmp_path / "evidence" / "crash")
    assert not any("evidence" in note for note in report["notes"])


def test_a_later_run_that_stopped_before_its_diagnostics_leaves_the_earlier_evidence_found(fake, tmp_path):
    """run2 moves run1's folder aside, then cannot reach Docker: run1's journal still points
    at crash.run1, and crash holds run2's run id from its start."""
    _run(fake, tmp_path, "run1")
    fake.failing["ping"] = "gone"
    run(tools_for(fake), [standard("crash")], RunOptions(out_dir=tmp_path, run_id="run2"))
    (earlier,) = tmp_path.glob("journal.*.jsonl")
    assert (tmp_path / "evidence" / "crash" / "run-id.txt").read_text() == "run2\n"

    report = _report(earlier, tmp_path / "out")
    kept = tmp_path / "evidence" / "crash.run1"
    assert _phase(report, "diagnostics")["data"]["folder"] == str(kept)
    assert f"see {kept / 'recovery-gates'}" in _phase(report, "recover-to-aot")["summary"]
    assert not any("evidence" in note for note in report["notes"])


def test_a_main_folder_without_a_run_id_does_not_hide_the_set_aside_one(fake, tmp_path):
    """evidence/crash is absent or names no run: the folder set aside for this run wins."""
    earlier = _two_runs(fake, tmp_path)
    kept = tmp_path / "evidence" / "crash.run1"
    (tmp_path / "evidence" / "crash" / "run-id.txt").unlink()
    assert _phase(_report(earlier, tmp_path / "out1"), "diagnostics")["data"]["folder"] == str(kept)
    shutil.rmtree(tmp_path / "evidence" / "crash")
    assert _phase(_report(earlier, tmp_path / "out2"), "diagnostics")["data"]["folder"] == str(kept)


def test_the_folder_names_its_run_before_the_recovery_gates_write_into_it(fake, tmp_path):
    """A run killed during its recovery gates leaves a folder a later run sets aside under
    its run id (crash.run1), not under the folder's modification time."""
    seen: list[str] = []

    def gates(_gates: RecoveryGates, report_dir: Path) -> GateRun:
        seen.append((report_dir.parent / "run-id.txt").read_text(encoding="utf-8"))
        return GateRun(exit_code=0, report_dir=report_dir, last_line="gate recover: PASSED")

    scenario = replace(
        standard("crash"), recover_to_aot=True, recovery_gates=RecoveryGates(checkout=tmp_path / "fix")
    )
    run(replace(tools_for(fake), run_gates=gates), [scenario], RunOptions(out_dir=tmp_path, run_id="run1"))
    assert seen == ["run1\n"]
