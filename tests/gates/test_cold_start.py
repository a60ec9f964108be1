"""S004: cold start measured against the release's own CLI bundle, and S001 judging those
figures instead of the bench's (which may time a debug `cargo run`)."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from gates import contract
from gates.contract import ArchiveLimits
from gates.recovery import cold_start
from gates.recovery import runner as recovery_runner
from gates.recovery.binsize import Binary
from harness.errors import ConfigError
from harness.results import Outcome, Report, Result
from tests.gates.recovery_support import (
    Recorder,
    contract_doc,
    live_processes_in,
    load_contract,
    make_checkout,
    script_env,
    toolchain,
)
from tests.hostile.metrics_support import metrics_doc

# what a debug-baseline bench reports: JIT ~175 ms, AOT ~3 ms, about 98 % better
CLAIM = metrics_doc()
CLAIMING_BENCH = {
    "command": ["sh", "-c", "mkdir -p .fuse/bench && cp claimed.json .fuse/bench/aot_perf_metrics.json"],
    "produces": [".fuse/bench/aot_perf_metrics.json"],
}
NO_SMOKE = {"command": ["true"], "pass_line": ""}


def claiming_checkout(tmp_path: Path) -> Path:
    """A stand-in checkout whose bench claims CLAIM and whose own AOT build is in place."""
    tc = toolchain()
    checkout = make_checkout(tmp_path)
    (checkout / "claimed.json").write_text(json.dumps(CLAIM))
    build = checkout / ".fuse" / "build"
    build.mkdir(parents=True)
    shutil.copy2(tc.aot_binary, build / "program.aot")
    shutil.copy2(tc.runtime_lib, build / "libfuse_rt.so")  # found through rpath $ORIGIN
    return checkout


def cli_bundle(tmp_path: Path) -> Path:
    release = write_release(tmp_path / "dist", "v0.7.0", runnable=True, platforms=("linux-x64",))
    return release / "fuse-cli-linux-x64.tar.gz"


def recover(
    tmp_path: Path,
    bundle: Path | None,
    runs: int = 3,
    *,
    checkout: Path | None = None,
    only: tuple[str, ...] = (),
    **env: str,
) -> Report:
    checkout = checkout or claiming_checkout(tmp_path)
    doc = contract_doc(**{"aot-perf-bench": CLAIMING_BENCH, "release-smoke": NO_SMOKE})
    options = recovery_runner.Options(
        only=only, cli_bundle=bundle, cold_start_runs=runs, platform="linux-x64", log_dir=tmp_path / "logs"
    )
    return recovery_runner.run(
        checkout,
        load_contract(doc, tmp_path),
        options,
        progress=Recorder(),
        env=script_env(toolchain(), **env),
        clock=datetime.now,
    )


def by_check(report: Report) -> dict[str, Result]:
    return {r.check: r for r in report.results}


def test_a_debug_baseline_claiming_97_percent_fails_s001_on_the_measured_figures(tmp_path: Path) -> None:
    # the AOT binary loads for 80 ms of CPU, the release CLI compiles for 30: AOT is slower
    report = recover(tmp_path, cli_bundle(tmp_path), STANDIN_AOT_LOAD_MS="80")
    results = by_check(report)
    assert results["aot-perf-slo"].outcome is Outcome.PASSED  # the script believed its 98 %
    measured = results["S004"]
    assert measured.outcome is Outcome.PASSED, measured.summary
    assert measured.data["improvement_pct"]["p50"] < 30
    assert len(measured.data["aot"]["samples"]) == 3 == len(measured.data["jit_native"]["samples"])
    s001 = results["S001"]
    assert s001.outcome is Outcome.FAILED
    assert "judged cold start as measured against the release CLI (S004)" in s001.summary
    failed = {f.subject: f for f in s001.findings}
    assert failed["cold_start_improvement_p50_pct"].where == "S004"
    assert s001.data["judged"]["cold_start_improvement_p50_pct"] == measured.data["improvement_pct"]["p50"]
    assert s001.data["metrics"]["cold_start_improvement_p50_pct"] > 97  # the script's, side by side
    assert s001.data["judged_from"]["cold_start_improvement_p50_pct"].startswith("measured")
    assert not live_processes_in(tmp_path)


def test_without_a_cli_bundle_the_same_claim_passes_on_the_scripts_figures(tmp_path: Path) -> None:
    # the red test's other half: what S004 changes
    results = by_check(recover(tmp_path, None, STANDIN_AOT_LOAD_MS="80"))
    assert "S004" not in results
    assert results["S001"].outcome is Outcome.PASSED
    assert "judged cold start" not in results["S001"].summary


def test_a_real_fallback_gap_passes_s001_on_the_measured_figures(tmp_path: Path) -> None:
    report = recover(tmp_path, cli_bundle(tmp_path), STANDIN_JIT_MS="150")
    results = by_check(report)
    measured = results["S004"]
    assert measured.outcome is Outcome.PASSED, measured.summary
    gain = measured.data["improvement_pct"]
    assert gain["p50"] >= 30 and gain["p95"] >= 20
    aot, jit = measured.data["aot"], measured.data["jit_native"]
    assert aot["p50"] == sorted(aot["samples"])[1] and jit["p95"] == max(jit["samples"])  # nearest rank
    assert measured.data["aot_binary"].endswith(".fuse/build/program.aot")
    assert results["S001"].outcome is Outcome.PASSED, results["S001"].summary
    assert "measured against the release CLI" in results["S001"].summary
    assert len(list((tmp_path / "logs" / "cold-start").glob("*.log"))) == 6


def bundle_with(path: Path, members: dict[str, bytes]) -> Path:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(raw.getvalue())
    return path


@pytest.mark.parametrize(
    ("name", "members", "message"),
    [
        ("fuse-cli-linux-x64.tar.gz", {"fuse-lsp": b"x", "LICENSE": b"MIT"}, "has no fuse;"),
        ("fuse-cli-linux-x64.tar.gz", {"bin/fuse": b"x"}, "has no fuse;"),
        ("fuse-cli-linux-x64.tgz", {"fuse": b"x"}, "not a fuse-cli-<platform>.tar.gz or .zip"),
    ],
)
def test_a_bundle_without_fuse_is_a_config_error(
    tmp_path: Path, name: str, members: dict[str, bytes], message: str
) -> None:
    bundle = bundle_with(tmp_path / name, members)
    with pytest.raises(ConfigError, match=re.escape(message)), cold_start.prepared(bundle, 3, limits()):
        pass


def test_a_bundle_that_is_not_gzip_is_a_config_error(tmp_path: Path) -> None:
    bundle = tmp_path / "fuse-cli-linux-x64.tar.gz"
    bundle.write_bytes(b"not an archive")
    with (
        pytest.raises(ConfigError, match=re.escape("not a readable tar.gz")),
        cold_start.prepared(bundle, 3, limits()),
    ):
        pass


def limits() -> ArchiveLimits:
    return contract.load(None).limits


def test_fuse_is_copied_out_executable_and_gone_after_the_run(tmp_path: Path) -> None:
    bundle = bundle_with(tmp_path / "fuse-cli-linux-x64.tar.gz", {"./fuse": b"#!/bin/sh\n", "LICENSE": b""})
    with cold_start.prepared(bundle, 5, limits()) as cold:
        assert cold is not None and cold.runs == 5
        assert cold.cli.read_bytes() == b"#!/bin/sh\n" and cold.cli.stat().st_mode & 0o100
        kept = cold.cli
    assert not kept.exists()


def test_the_aot_binary_is_the_platforms_or_the_only_one(tmp_path: Path) -> None:
    linux = Binary(scope="v0.7.0/linux-x64", path=tmp_path / "a", where="a")
    mac = Binary(scope="v0.7.0/macos-arm64", path=tmp_path / "b", where="b")
    missing = Binary(scope="linux-x64", path=None, where="c", problem="no archive")
    assert cold_start.aot_for([mac, linux], "linux-x64") is linux
    assert cold_start.aot_for([mac], "linux-x64") is mac
    assert cold_start.aot_for([mac, linux], "windows-x64") is None
    assert cold_start.aot_for([missing], "linux-x64") is None


def test_no_aot_binary_to_time_is_an_s004_error_and_s001_judges_the_scripts_figures(tmp_path: Path) -> None:
    bundle = cli_bundle(tmp_path)
    checkout = claiming_checkout(tmp_path)
    shutil.rmtree(checkout / ".fuse" / "build")
    results = by_check(recover(tmp_path, bundle, checkout=checkout))
    assert results["S004"].outcome is Outcome.ERROR
    assert "no AOT binary to time" in results["S004"].summary
    assert results["S001"].outcome is Outcome.PASSED
    assert "judged cold start" not in results["S001"].summary


def test_a_run_without_the_perf_gates_says_cold_start_was_not_measured(tmp_path: Path) -> None:
    report = recover(tmp_path, cli_bundle(tmp_path), only=("release-smoke",))
    assert "S004" not in by_check(report)
    assert any("cold start was not measured: no perf metrics gate ran" in n for n in report.notes)
