"""The console scripts when whoever reads stdout goes away (`gate check ... | head -1`):
no traceback, no internal error, the reports still written, the verdict's exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from drills.standard.releases import write_release
from tests.gates.recovery_support import contract_doc, make_checkout, script_env, toolchain
from tests.pipes import into_closed_pipe

GATE = str(Path(sys.executable).with_name("gate"))


def gate_into_closed_pipe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    return into_closed_pipe([GATE, *args], env)


def test_a_passing_check_exits_0_and_writes_its_reports(tmp_path: Path) -> None:
    source = write_release(tmp_path / "dist" / "v0.7.1", "v0.7.1")
    reports = tmp_path / "reports"
    code, stderr = gate_into_closed_pipe(
        "check", "--release", "v0.7.1", "--source", str(source), "--report-dir", str(reports), "-v"
    )
    assert (code, stderr) == (0, "")
    assert sorted(p.name for p in reports.iterdir()) == ["junit.xml", "report.json", "summary.md"]


def test_a_failing_check_still_exits_1(tmp_path: Path) -> None:
    source = write_release(tmp_path / "dist" / "v0.7.1", "v0.7.1", defects=("missing-fallback",))
    code, stderr = gate_into_closed_pipe("check", "--release", "v0.7.1", "--source", str(source))
    assert (code, stderr) == (1, "")


def test_recover_progress_into_a_closed_pipe_neither_stalls_nor_fails(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    contract = tmp_path / "contract.yaml"
    contract.write_text(yaml.safe_dump(contract_doc()))
    reports = tmp_path / "reports"
    recover = ("recover", "--checkout", str(checkout), "--contract", str(contract))
    only_smoke = ("--only", "release-smoke", "--report-dir", str(reports))
    code, stderr = gate_into_closed_pipe(*recover, *only_smoke, env=script_env(toolchain()))
    assert (code, stderr) == (0, "")
    assert (reports / "report.json").is_file()


def test_printing_the_contract_into_a_closed_pipe_is_not_an_error() -> None:
    assert gate_into_closed_pipe("contract") == (0, "")
