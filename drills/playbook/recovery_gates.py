"""The playbook's recovery back to AOT starts with the recovery gates: `gate recover` runs
FUSE's perf bench, SLO check and release smoke in the checkout of the fix and judges them.
The drill runs the installed `gate` command through the subprocess seam and keeps its
reports beside the drill's evidence; only a gate run that passed lets the AOT come back.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drills.scenario.model import RecoveryGates
from harness import process
from harness.errors import InfraError


@dataclass(frozen=True, kw_only=True)
class GateRun:
    exit_code: int | None  # None: timed out
    report_dir: Path
    last_line: str  # its verdict line (`gate recover: PASSED ...`), else its last line


RunGates = Callable[[RecoveryGates, Path], GateRun]


def gate_command() -> str:
    """The `gate` script installed beside the running interpreter, else the one on PATH."""
    sibling = Path(sys.executable).with_name("gate")
    found = str(sibling) if sibling.is_file() else shutil.which("gate")
    if found is None:
        raise InfraError(
            "recover_to_aot: the `gate` command is not installed; reinstall fuse-release-harness"
        )
    return found


def argv(gates: RecoveryGates, report_dir: Path) -> tuple[str, ...]:
    contract = ("--contract", str(gates.contract)) if gates.contract else ()
    return (
        gate_command(),
        "recover",
        "--checkout",
        str(gates.checkout),
        *contract,
        "--report-dir",
        str(report_dir),
    )


def run_gates(gates: RecoveryGates, report_dir: Path) -> GateRun:
    """`gate recover` to completion or `gates.timeout_s` (the drill cuts it to what the
    run-wide deadline leaves); its reports go to `report_dir`."""
    lines: list[str] = []
    done = process.run(
        process.Command(
            argv=argv(gates, report_dir),
            cwd=gates.checkout,
            env=dict(os.environ),
            timeout_s=gates.timeout_s,
            log_path=report_dir / "gate-recover.log",
        ),
        lines.append,
    )
    verdicts = [line for line in lines if line.startswith("gate recover:")]
    last = verdicts[-1] if verdicts else next((x for x in reversed(lines) if x.strip()), "")
    return GateRun(exit_code=done.exit_code, report_dir=report_dir, last_line=last.strip())
