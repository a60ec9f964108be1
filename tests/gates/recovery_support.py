"""Shared by the recovery gate tests: a checkout holding the stand-in recovery scripts, a
small-sample contract, and a progress recorder (a behavioural fake of the Progress seam)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from drills.standard.toolchain import Toolchain, build_toolchain, scripts_dir
from gates import contract
from gates.recovery.gates import RecoveryGate, Run
from harness.results import Result

STANDIN = scripts_dir().parent


def toolchain() -> Toolchain:
    return build_toolchain("0.7.1")


def make_checkout(root: Path) -> Path:
    """A checkout laid out like FUSE's: ./scripts/*.sh plus what the stand-in scripts read."""
    checkout = root / "checkout"
    for name in ("scripts", "examples", "app"):
        shutil.copytree(STANDIN / name, checkout / name)
    return checkout


def gates_doc(**overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """FUSE's three gates with the stand-in's small sample counts and short timeouts."""
    gates: list[dict[str, Any]] = [
        {
            "id": "aot-perf-bench",
            "title": "AOT perf bench",
            "command": ["./scripts/aot_perf_bench.sh", "--samples", "3", "--burst-runs", "1"],
            "timeout_s": 60,
            "produces": [".fuse/bench/aot_perf_metrics.json"],
        },
        {
            "id": "aot-perf-slo",
            "title": "AOT perf SLO check",
            "command": ["./scripts/check_aot_perf_slo.sh"],
            "timeout_s": 30,
            "needs": ["aot-perf-bench"],
            "pass_line": "AOT performance SLO checks passed",
            "judge": "aot-perf-metrics",
        },
        {
            "id": "release-smoke",
            "title": "Release smoke",
            "command": ["./scripts/release_smoke.sh", "--skip-bench"],
            "timeout_s": 60,
            "pass_line": "release smoke checks passed",
        },
    ]
    passed = {"env": ["FUSE_*", "STANDIN_*", "PYTHONPATH"]}  # the stand-in's binaries and knobs
    return [{**passed, **g, **overrides.get(g["id"], {})} for g in gates]


def contract_doc(slo: dict[str, Any] | None = None, **overrides: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": 1,
        "platforms": ["linux-x64"],
        "recovery_gates": gates_doc(**overrides),
    }
    if slo:
        doc["slo"] = slo
    return doc


def load_contract(doc: dict[str, Any], tmp_path: Path) -> contract.Contract:
    """Through the real loader (schema validation included)."""
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(doc))
    return contract.load(path)


def script_env(tc: Toolchain, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANDIN_", "GITHUB_"))}
    env.update(FUSE_BIN=str(tc.fuse), FUSE_AOT_BIN=str(tc.aot_binary), FUSE_LSP_BIN=str(tc.fuse_lsp), **extra)
    return env


class Recorder:
    """Collects what the runner reports, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def gate_started(self, gate: RecoveryGate, attempt: int, attempts: int) -> None:
        self.events.append(("start", f"{gate.id} {attempt}/{attempts}"))

    def output(self, gate: RecoveryGate, line: str) -> None:
        self.events.append(("line", line))

    def gate_finished(self, result: Result) -> None:
        self.events.append(("end", f"{result.check} {result.outcome.value}"))


def make_run(
    checkout: Path, rules: contract.Contract, env: dict[str, str], progress: Recorder | None = None
) -> Run:
    return Run(
        checkout=checkout,
        contract=rules,
        env=env,
        log_dir=checkout.parent / "logs",
        progress=progress or Recorder(),
    )


def live_processes_in(directory: Path) -> list[int]:
    """Live processes whose working directory is under `directory` (leftovers of a test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue
        if cwd == directory.resolve() or directory.resolve() in cwd.parents:
            found.append(int(entry.name))
    return found
