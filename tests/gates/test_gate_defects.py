"""Every defect variant makes the installed `gate` fail with its own check id, and a clean
release passes; JUnit output is parsed back."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from drills.standard.defects import DEFECTS
from drills.standard.releases import Bundle, Member
from gates import contract, runner
from gates.sources.folder import FolderSource
from gates.sources.release import AssetRef, ReleaseRef
from harness.errors import InfraError
from harness.reports import junit
from tests.gates.conftest import GATE, run_gate
from tests.gates.test_v1_release import EXPECTED_V1

# defect variant -> the check ids that must fail (and no others)
EXPECTED = {
    "missing-fallback": {"P002", "R001"},
    "missing-primary": {"P001"},
    "duplicate-primary": {"P001", "P003"},
    "wrong-extension": {"P003", "R001"},
    "cli-without-fuse-lsp": {"C001"},
    "aot-without-build-info": {"C003"},
    "not-executable": {"C002"},
    "build-info-version-mismatch": {"C006"},
    "build-info-wrong-contract": {"C005"},
    "build-info-garbage": {"C004"},
    "path-escape-member": {"C007"},
    "absolute-member": {"C007"},
    "link-member": {"C007"},
    "hardlink-escape": {"C007"},
    "too-many-members": {"C007"},
    "corrupt-archive": {"C008"},
    "checksum-mismatch": {"I003", "I005"},
    "sums-missing-entry": {"I002"},
    "sums-malformed": {"I001", "I002"},
    "sums-missing": {"I001"},
    "metadata-missing": {"I004"},
    "metadata-size-mismatch": {"I005"},
    "metadata-invalid": {"I004"},
}


def failed_checks(report_dir: Path) -> set[str]:
    report = json.loads((report_dir / "report.json").read_text())
    return {r["check"] for r in report["results"] if r["outcome"] == "failed"}


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_fails_with_its_check_id(
    defect: str, make_release: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_release("v0.7.0", defect)
    reports = tmp_path / "reports"
    proc = run_gate("check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert failed_checks(reports) == EXPECTED[defect]
    assert "Traceback" not in proc.stderr


def test_clean_line_passes_and_reports(release_line: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    proc = run_gate(
        "check",
        "--release",
        "v0.7.x",
        "--source",
        str(release_line),
        "--report-dir",
        str(reports),
        "--as-of",
        "2026-03-08",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((reports / "report.json").read_text())
    assert report["schema_version"] == 1
    assert report["verdict"] == "passed"
    assert {r["scope"] for r in report["results"]} >= {"v0.7.0", "v0.7.1"}
    assert "v0.8.0" not in {r["scope"] for r in report["results"]}
    assert (reports / "summary.md").read_text().startswith("## gate check: ✅ PASSED")


@pytest.mark.slow
def test_bomb_is_a_finding_not_a_hang(make_release: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_release("v0.7.0", "bomb")
    reports = tmp_path / "reports"
    proc = run_gate("check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports))
    assert proc.returncode == 1
    assert failed_checks(reports) == {"C007"}
    assert "member 'zeros.bin' is 1153433600 bytes" in proc.stdout


class FlakyDisk(FolderSource):
    """A folder whose one file cannot be read (an I/O error, not a broken release)."""

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        if asset.name == "fuse-aot-windows-x64.zip":
            raise InfraError(f"{asset.location}: cannot read (Input/output error)")
        return super().open(release, asset)


def test_junit_keeps_failures_and_errors_apart(make_release: Callable[..., Path]) -> None:
    folder = make_release("v0.7.0", "cli-without-fuse-lsp")
    now = datetime(2026, 3, 1, tzinfo=UTC)
    report = runner.check(FlakyDisk(folder), "v0.7.0", contract.load(None), lambda: now)
    suite = ET.fromstring(junit.render(report))
    failures = {
        c.get("name", "").split(":")[0] for c in suite.iter("testcase") if c.find("failure") is not None
    }
    errors = {c.get("name", "").split(":")[0] for c in suite.iter("testcase") if c.find("error") is not None}
    assert failures == {"C001"}
    assert errors == {"A001"}
    assert report.exit_code == 1  # a finding outranks could-not-evaluate


def test_every_defect_variant_is_registered_and_checked() -> None:
    # the bomb has its own test (a slow one); test_v1_release checks the v0.9.4+ defects
    assert set(DEFECTS) == {*EXPECTED, *EXPECTED_V1, "bomb"}


def test_releases_import_without_pulling_in_the_defect_catalogue() -> None:
    code = "import sys, drills.standard.releases; print('drills.standard.defects' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_member_name_cannot_start_a_workflow_command(
    make_release: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def injected(bundles: list[Bundle], dest: Path, phase: str) -> None:
        if phase == "before":
            cli = next(b for b in bundles if b.name == "fuse-cli-linux-x64.tar.gz")
            cli.members.append(Member("../x\n::error::pwned\r::warning::also", b""))

    monkeypatch.setitem(DEFECTS, "injected", injected)
    folder = make_release("v0.7.0", "injected")
    summary = tmp_path / "summary.md"
    proc = run_gate(
        "check",
        "--release",
        "v0.7.0",
        "--source",
        str(folder),
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.replace("\r", "\n").splitlines()
    assert "x\\n::error::pwned\\r::warning::also" in proc.stdout
    assert not [line for line in lines if line.lstrip().startswith(("::error::", "::warning::"))]
    tokens = {line.split("::")[2] for line in lines if line.startswith("::stop-commands::")}
    assert len(tokens) == 1 and re.fullmatch(r"[0-9a-f]{32}", tokens.pop())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])  # Ctrl-C; how CI cancels a job
def test_interrupt_stops_reading_and_still_writes_reports(
    make_release: Callable[..., Path], tmp_path: Path, sig: signal.Signals
) -> None:
    folder = make_release("v0.7.0")
    with (folder / "fuse-vscode-linux-x64.vsix").open("r+b") as big:
        big.truncate(64 * 1024**3)  # sparse: hashing it would take most of a minute
    reports = tmp_path / "reports"
    proc = subprocess.Popen(
        [GATE, "check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, out + err
    report = json.loads((reports / "report.json").read_text())
    assert report["interrupted"] is True and report["exit_code"] == 130
    assert "gate check: INTERRUPTED" in out and "Traceback" not in err


def test_json_puts_the_report_alone_on_stdout(make_release: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_release("v0.7.0", "missing-fallback")
    reports = tmp_path / "reports"
    proc = run_gate(
        "check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports), "--json"
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stdout.splitlines()
    doc = json.loads(line)
    assert doc == json.loads((reports / "report.json").read_text())
    assert doc["verdict"] == "failed" and any(
        r["check"] == "P002" and r["outcome"] == "failed" for r in doc["results"]
    )
    assert "reports: " in proc.stderr
