"""`--cli-bundle` through the installed console script: `gate recover` and `gate check
--recovery-checkout` time cold start against the release's CLI (S004)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import yaml

from drills.standard.releases import write_release
from tests.gates.recovery_support import contract_doc
from tests.gates.test_cold_start import CLAIMING_BENCH, NO_SMOKE, claiming_checkout
from tests.gates.test_recovery_cli import gate, outcomes, report_of


def contract_file(tmp_path: Path) -> Path:
    path = tmp_path / "contract.yaml"
    doc = contract_doc(**{"aot-perf-bench": CLAIMING_BENCH, "release-smoke": NO_SMOKE})
    path.write_text(yaml.safe_dump(doc))
    return path


def test_recover_with_the_cli_bundle_reports_s004_and_fails_the_debug_claim(tmp_path: Path) -> None:
    checkout = claiming_checkout(tmp_path)
    release = write_release(tmp_path / "dist", "v0.7.0", runnable=True, platforms=("linux-x64",))
    reports = tmp_path / "reports"
    done = gate(
        "recover",
        "--checkout",
        str(checkout),
        "--contract",
        str(contract_file(tmp_path)),
        "--report-dir",
        str(reports),
        "--cli-bundle",
        str(release / "fuse-cli-linux-x64.tar.gz"),
        "--cold-start-runs",
        "3",
        STANDIN_AOT_LOAD_MS="80",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    report = report_of(reports)
    found = outcomes(report)
    assert found["S004 aot-perf-slo"] == "passed"
    assert found["S001 aot-perf-slo"] == "failed"
    assert "note: cold start (S004): 3 runs each against fuse-cli-linux-x64.tar.gz: aot p50" in done.stdout
    assert "the bench's metrics say improvement p50 98.2" in done.stdout
    assert "(measured against the release CLI, S004)" in done.stdout
    s004 = next(r for r in report["results"] if r["check"] == "S004")
    assert set(s004["data"]["metrics"]) >= {"cold_start_aot_p50_ms", "cold_start_improvement_p95_pct"}


def test_a_bundle_without_fuse_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    bundle = tmp_path / "fuse-cli-linux-x64.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        readme = tmp_path / "README.txt"
        readme.write_text("no cli here\n")
        tar.add(readme, arcname="README.txt")
    checkout = claiming_checkout(tmp_path)
    base = ("recover", "--checkout", str(checkout), "--contract", str(contract_file(tmp_path)))
    done = gate(*base, "--cli-bundle", str(bundle))
    assert done.returncode == 2
    assert done.stderr == (
        f"gate: error: --cli-bundle {bundle}: has no fuse; pass the release's fuse-cli-<platform> "
        "bundle, which holds fuse at its top level\n"
    )
    assert not (checkout / ".fuse" / "bench").exists()  # refused before any gate ran
    runs = gate(*base, "--cli-bundle", str(bundle), "--cold-start-runs", "0")
    assert runs.returncode == 2 and "Traceback" not in runs.stderr


def test_check_takes_the_cli_bundle_only_with_a_recovery_checkout(tmp_path: Path) -> None:
    release = write_release(tmp_path / "dist", "v0.7.0", runnable=True, platforms=("linux-x64",))
    bundle = str(release / "fuse-cli-linux-x64.tar.gz")
    alone = gate("check", "--release", "v0.7.0", "--source", str(release), "--cli-bundle", bundle)
    assert alone.returncode == 2
    assert alone.stderr == (
        "gate: error: --cli-bundle times cold start in the recovery gates: pass --recovery-checkout too\n"
    )
    checkout = claiming_checkout(tmp_path)
    reports = tmp_path / "reports"
    gate(
        "check",
        "--release",
        "v0.7.0",
        "--source",
        str(release),
        "--contract",
        str(contract_file(tmp_path)),
        "--report-dir",
        str(reports),
        "--recovery-checkout",
        str(checkout),
        "--cli-bundle",
        bundle,
        "--cold-start-runs",
        "3",
    )
    s004 = next(r for r in report_of(reports)["results"] if r["check"] == "S004")
    # the release's AOT binary is timed; the stand-in's needs libfuse_rt.so beside it, which
    # its archive does not hold, so here it cannot start: an error naming its log
    assert s004["outcome"] == "error"
    assert "linux-x64-fuse-aot-demo exited 127 (log: " in s004["summary"]
    assert "libfuse_rt.so" in (reports / "logs" / "cold-start" / "aot-1.log").read_text()
