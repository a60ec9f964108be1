"""`--deadline` bounds every blocking step: no wait outlives what the run has left."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from drills.playbook.recovery_gates import GateRun
from drills.records import journal, outputs
from drills.run.runner import RunOptions, run
from drills.scenario.model import RecoveryGates
from fixtures.fake_engine import Behaviour
from harness.errors import ExitCode
from harness.results import Outcome
from tests.drills.conftest import phase_of, standard, tools_for, verdict_of

RUN_KEY = "fuse-harness.run-id"


def test_the_recovery_gates_get_no_more_than_the_deadline_leaves(fake, tmp_path: Path) -> None:
    given: list[float] = []

    def gates(g: RecoveryGates, report_dir: Path) -> GateRun:
        given.append(g.timeout_s)
        fake.clock.sleep(g.timeout_s)  # `gate recover` runs into its timeout
        return GateRun(exit_code=None, report_dir=report_dir, last_line="")

    scenario = replace(
        standard("crash"),
        recover_to_aot=True,
        recovery_gates=RecoveryGates(checkout=tmp_path / "fix", timeout_s=600),
    )
    start = fake.clock()
    path = run(
        replace(tools_for(fake), run_gates=gates), [scenario], RunOptions(out_dir=tmp_path, deadline_s=60)
    )
    end = fake.clock()
    report = outputs.report(journal.read(path))
    assert len(given) == 1 and 0 < given[0] < 60
    assert end - start < 61  # not 600 s of a gate run past the deadline
    step = phase_of(report, "crash", "recover-to-aot")
    assert step.outcome is Outcome.ERROR and "run-wide deadline passed" in step.summary
    assert verdict_of(report, "crash").outcome is Outcome.ERROR
    assert report.exit_code is ExitCode.INFRA
    assert fake.list_labelled(RUN_KEY) == []


def test_the_port_holder_waits_no_longer_than_the_deadline_leaves(fake, tmp_path: Path) -> None:
    fake.role_behaviours["fault-helper"] = Behaviour(ready_after_s=999)  # the holder never answers
    start = fake.clock()
    path = run(tools_for(fake), [standard("port-conflict")], RunOptions(out_dir=tmp_path, deadline_s=3))
    report = outputs.report(journal.read(path))
    inject = phase_of(report, "port-conflict", "inject")
    assert inject.outcome is Outcome.ERROR
    assert "run-wide deadline passed during the start of the port holder" in inject.summary
    assert inject.duration_s is not None and inject.duration_s < 3
    assert fake.clock() - start < 4  # the holder's own 15 s would end far later
    assert report.exit_code is ExitCode.INFRA
    assert fake.list_labelled(RUN_KEY) == []
