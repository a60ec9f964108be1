"""Recovery back to AOT: the recovery gates run first, and only a pass brings the AOT back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from drills.playbook.recovery_gates import GateRun, run_gates
from drills.records import journal, outputs
from drills.run.runner import RunOptions, run
from drills.scenario.model import RecoveryGates
from harness.results import Outcome
from tests.drills.conftest import phase_of, standard, tools_for, verdict_of
from tests.gates.recovery_support import contract_doc, make_checkout, script_env, toolchain


def _drill(fake, tmp_path: Path, exit_code: int | None):
    calls: list[tuple[RecoveryGates, Path]] = []

    def gates(g: RecoveryGates, report_dir: Path) -> GateRun:
        calls.append((g, report_dir))
        return GateRun(exit_code=exit_code, report_dir=report_dir, last_line="gate recover: X")

    scenario = replace(
        standard("crash"), recover_to_aot=True, recovery_gates=RecoveryGates(checkout=tmp_path / "fix")
    )
    path = run(replace(tools_for(fake), run_gates=gates), [scenario], RunOptions(out_dir=tmp_path))
    events = journal.read(path)
    return outputs.report(events), events, calls


def _aot_deploys_after_gates(events) -> list[str]:
    seen, out = False, []
    for e in events:
        if e.kind == "phase.finished" and e.raw("phase") == "recover-to-aot":
            return out
        seen = seen or (e.kind == "action" and e.raw("action") == "recovery-gates")
        if seen and e.kind == "action" and e.raw("action") == "deploy":
            out.append(e.raw("role"))
    raise AssertionError("recover-to-aot never finished")


def test_passing_gates_bring_the_aot_back(fake, tmp_path: Path) -> None:
    report, events, calls = _drill(fake, tmp_path, 0)
    step = phase_of(report, "crash", "recover-to-aot")
    assert step.outcome is Outcome.PASSED and "recovery gates passed" in step.summary
    assert [c[0].checkout for c in calls] == [tmp_path / "fix"]
    assert calls[0][1] == tmp_path / "evidence" / "crash" / "recovery-gates"
    assert _aot_deploys_after_gates(events) == ["candidate-aot"]
    assert verdict_of(report, "crash").outcome is Outcome.PASSED


@pytest.mark.parametrize("code", [1, None])
def test_failing_gates_keep_jit_native_and_fail_the_drill(fake, tmp_path: Path, code) -> None:
    report, events, _calls = _drill(fake, tmp_path, code)
    step = phase_of(report, "crash", "recover-to-aot")
    assert step.outcome is Outcome.FAILED and "staying on JIT-native" in step.summary
    assert _aot_deploys_after_gates(events) == []
    assert verdict_of(report, "crash").outcome is Outcome.FAILED
    assert report.exit_code == 1


def _gates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecoveryGates:
    """A stand-in checkout; the scripts find the stand-in toolchain through FUSE_BIN..."""
    for key, value in script_env(toolchain()).items():
        monkeypatch.setenv(key, value)
    contract = tmp_path / "contract.yaml"
    contract.write_text(yaml.safe_dump(contract_doc()))
    return RecoveryGates(checkout=make_checkout(tmp_path), contract=contract, timeout_s=120)


def test_the_installed_gate_recover_runs_in_the_checkout(tmp_path: Path, monkeypatch) -> None:
    done = run_gates(_gates(tmp_path, monkeypatch), tmp_path / "reports")
    assert done.exit_code == 0, (tmp_path / "reports" / "gate-recover.log").read_text()
    assert "gate recover: PASSED" in done.last_line
    assert (tmp_path / "reports" / "report.json").is_file()


def test_a_failing_smoke_is_a_non_zero_gate_run(tmp_path: Path, monkeypatch) -> None:
    gates = _gates(tmp_path, monkeypatch)
    monkeypatch.setenv("STANDIN_SMOKE_FAIL", "2")
    done = run_gates(gates, tmp_path / "reports")
    assert done.exit_code == 1 and "FAILED" in done.last_line
