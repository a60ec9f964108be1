"""`gate recover` end to end through the installed console script, as CI runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from drills.standard.releases import write_release
from gates.recovery.gates import RecoveryGate
from gates.recovery.progress import GithubProgress, TerminalProgress, marker
from harness.results import Outcome, Result
from tests.gates.recovery_support import (
    contract_doc,
    live_processes_in,
    make_checkout,
    script_env,
    toolchain,
)

GATE = str(Path(sys.executable).with_name("gate"))
ALL_GATES = ("--skip", "aot-perf-bench", "--skip", "aot-perf-slo", "--skip", "release-smoke")


def setup(tmp_path: Path, doc: dict[str, Any] | None = None) -> tuple[Path, Path]:
    checkout = make_checkout(tmp_path)
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(doc or contract_doc()))
    return checkout, path


def gate(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GATE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=script_env(toolchain(), **env),
        check=False,
    )


def recover(checkout: Path, contract: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`gate recover` in the stand-in checkout under a test contract."""
    return gate("recover", "--checkout", str(checkout), "--contract", str(contract), *args, **env)


def report_of(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / "report.json").read_text())
    return data


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {f"{r['check']} {r['scope']}": r["outcome"] for r in report["results"]}


def test_recover_passes_and_writes_every_report(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    reports = tmp_path / "reports"
    done = gate(
        "recover", "--checkout", str(checkout), "--contract", str(contract), "--report-dir", str(reports)
    )
    assert done.returncode == 0, done.stderr
    assert "  release-smoke [9/9] AOT service: GET /health, then SIGTERM" in done.stdout
    assert "gate recover: PASSED" in done.stdout
    report = report_of(reports)
    assert report["tool"] == "gate recover"
    assert outcomes(report)["S001 aot-perf-slo"] == "passed"
    assert (reports / "junit.xml").is_file()
    assert "S001" in (reports / "summary.md").read_text()
    assert sorted(p.name for p in (reports / "logs").glob("*.log")) == [
        "aot-perf-bench.attempt-1.log",
        "aot-perf-slo.attempt-1.log",
        "release-smoke.attempt-1.log",
    ]


def test_recover_exit_codes_for_failed_and_could_not_evaluate(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    base = ("recover", "--checkout", str(checkout), "--contract", str(contract))
    failed = gate(*base, "--only", "release-smoke", STANDIN_SMOKE_FAIL="2")
    assert failed.returncode == 1
    assert "failed   release-smoke recovery" in failed.stdout
    (checkout / "scripts" / "release_smoke.sh").unlink()
    missing = gate(*base, "--only", "release-smoke")
    assert missing.returncode == 3
    assert "./scripts/release_smoke.sh: no such file" in missing.stdout


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    base = ("recover", "--checkout", str(checkout), "--contract", str(contract))
    for args, message in (
        (
            ("--only", "nope"),
            "gate: error: --only nope: no such recovery gate (the contract "
            "has: aot-perf-bench, aot-perf-slo, release-smoke)\n",
        ),
        (("--release", "v0.7.0"), "gate: error: --release and --source go together"),
        (("--source", "dist"), "gate: error: --release and --source go together"),
    ):
        done = gate(*base, *args)
        assert done.returncode == 2
        assert done.stderr.startswith(message)
        assert done.stderr.count("\n") == 1
        assert "Traceback" not in done.stderr


def test_binary_size_is_measured_from_the_release_archives(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path, contract_doc(slo={"max_binary_bytes": 1000}))
    source = write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0", binary_size=4096)
    reports = tmp_path / "reports"
    done = recover(
        checkout,
        contract,
        "--release",
        "v0.7.0",
        "--source",
        str(source),
        "--report-dir",
        str(reports),
        *ALL_GATES,
    )
    assert done.returncode == 1, done.stderr
    results = {r["scope"]: r for r in report_of(reports)["results"] if r["check"] == "S002"}
    assert set(results) == {"linux-x64"}
    assert results["linux-x64"]["outcome"] == "failed"
    assert results["linux-x64"]["data"]["metrics"]["file_bytes"] == 4096
    # The placeholder is not an object file: strip refuses it, and the report says so.
    assert results["linux-x64"]["data"]["method"].startswith("file size (")
    assert results["linux-x64"]["data"]["where"] == "v0.7.0/fuse-aot-linux-x64.tar.gz:fuse-aot-demo"


def test_ctrl_c_kills_the_running_gate_writes_reports_and_exits_130(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    reports = tmp_path / "reports"
    proc = subprocess.Popen(
        [
            GATE,
            "recover",
            "--checkout",
            str(checkout),
            "--contract",
            str(contract),
            "--report-dir",
            str(reports),
            "--only",
            "release-smoke",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=script_env(toolchain(), STANDIN_SMOKE_HANG="3"),
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "[3/9]" in line:
                break
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        leftovers = live_processes_in(checkout)  # what the gate left, before any cleanup of ours
    finally:
        proc.kill()
        proc.wait()
        for pid in live_processes_in(checkout):  # only when the test failed: leave nothing running
            os.kill(pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    report = report_of(reports)
    assert report["interrupted"] is True
    assert outcomes(report)["release-smoke recovery"] == "error"
    assert leftovers == []


def test_github_actions_groups_steps_and_keeps_script_output_inert(tmp_path: Path) -> None:
    script = "echo '[1/1] inject'; echo '::error::injected'; echo ok"
    injector = {"command": ["sh", "-c", script], "pass_line": "ok"}
    checkout, contract = setup(tmp_path, contract_doc(**{"release-smoke": injector}))
    summary = tmp_path / "summary.md"
    done = recover(
        checkout,
        contract,
        "--only",
        "release-smoke",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    injected = lines.index("::error::injected")
    stop = max(i for i, line in enumerate(lines[:injected]) if line.startswith("::stop-commands::"))
    token = lines[stop].split("::")[2]
    assert lines.index(f"::{token}::", stop) > injected
    assert "::group::release-smoke [1/1] inject" in lines


def test_check_with_recovery_checkout_joins_one_report(tmp_path: Path) -> None:
    doc = contract_doc(**{"release-smoke": {"command": ["true"], "pass_line": ""}})
    checkout, contract = setup(tmp_path, doc)
    source = write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0")
    reports = tmp_path / "reports"
    gate(
        "check",
        "--release",
        "v0.7.0",
        "--source",
        str(source),
        "--contract",
        str(contract),
        "--report-dir",
        str(reports),
        "--recovery-checkout",
        str(checkout),
    )
    report = report_of(reports)
    assert report["tool"] == "gate check"
    found = outcomes(report)
    assert found["P001 v0.7.0"] == "passed"
    assert found["aot-perf-bench recovery"] == "passed"
    assert found["S002 linux-x64"] == "passed"


def gate_of(gate_id: str) -> RecoveryGate:
    return RecoveryGate(id=gate_id, title="Smoke", command=("x",))


def test_terminal_progress_turns_markers_into_a_progress_line() -> None:
    out: list[str] = []
    progress = TerminalProgress(out.append, tty=True)
    progress.gate_started(gate_of("smoke"), 1, 2)
    progress.output(gate_of("smoke"), "compiling...")
    progress.output(gate_of("smoke"), "[4/23] cargo test -p fusec")
    progress.gate_finished(
        Result(check="smoke", title="t", scope="s", outcome=Outcome.PASSED, summary="exit 0")
    )
    assert out == [
        "running  smoke: Smoke (attempt 1 of 2)\n",
        "\r\x1b[K  smoke [4/23] cargo test -p fusec",
        "\n",
        "passed   smoke: exit 0\n",
    ]


def test_github_progress_cannot_be_ended_by_the_script() -> None:
    out: list[str] = []
    progress = GithubProgress(out.append, token="tok")
    progress.gate_started(gate_of("smoke"), 1, 1)
    progress.output(gate_of("smoke"), "::tok::")  # a script guessing the token changes nothing
    text = "".join(out)
    assert text == "::group::smoke: Smoke\n::stop-commands::tok\n\n"
    assert marker("[10/19] label") is not None
    assert marker("x [1/2]") is None


def test_recover_that_runs_no_gate_exits_3_with_a_report(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    reports = tmp_path / "reports"
    done = recover(
        checkout,
        contract,
        "--report-dir",
        str(reports),
        *ALL_GATES,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert outcomes(report_of(reports))["recovery gates"] == "error"
    assert "no recovery gate ran: --only/--skip left no recovery gate" in done.stdout


def test_skipping_every_gate_does_not_pass_on_a_stale_checkout_build(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    stale = checkout / ".fuse" / "build" / "program.aot"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    reports = tmp_path / "reports"
    done = gate("recover", "--checkout", str(checkout), "--report-dir", str(reports), *ALL_GATES)
    assert done.returncode == 3, done.stdout + done.stderr
    found = outcomes(report_of(reports))
    assert found["S002 checkout"] == "skipped"
    assert found["recovery gates"] == "error"
    assert "no recovery gate ran: --only/--skip left no recovery gate" in done.stdout


def test_only_the_slo_check_does_not_judge_what_an_earlier_bench_left(tmp_path: Path) -> None:
    checkout, contract = setup(tmp_path)
    base = ("recover", "--checkout", str(checkout), "--contract", str(contract))
    assert gate(*base, "--only", "aot-perf-bench").returncode == 0
    reports = tmp_path / "reports"
    done = gate(*base, "--only", "aot-perf-slo", "--report-dir", str(reports))
    assert done.returncode == 3, done.stdout + done.stderr
    metrics = checkout.resolve() / ".fuse" / "bench" / "aot_perf_metrics.json"
    assert "note: aot-perf-slo did not run: it needs aot-perf-bench, which --only/--skip left out" in (
        done.stdout
    )
    assert f"{metrics} (modified " in done.stdout
    found = outcomes(report_of(reports))
    assert found["aot-perf-slo recovery"] == "skipped"
    assert found["S001 aot-perf-slo"] == "skipped"
