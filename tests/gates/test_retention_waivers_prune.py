"""Release windows, retention, waivers and `gate prune`, judged as of a fixed date."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drills.standard.releases import PUBLISHED, integrity_files, write_line, write_release
from tests.gates.conftest import run_gate


def contract_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "release-contract.yaml"
    path.write_text("schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\n" + extra)
    return path


def results(report_dir: Path) -> list[dict[str, object]]:
    return json.loads((report_dir / "report.json").read_text())["results"]  # type: ignore[no-any-return]


def gate_check(selector: str, source: str, as_of: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`gate check` of a release or line in `source`, judged as of a date."""
    return run_gate("check", "--release", selector, "--source", source, "--as-of", as_of, *extra)


def test_deleted_fallback_inside_open_window_fails_retention(release_line: Path, tmp_path: Path) -> None:
    (release_line / "v0.7.0" / "fuse-cli-macos-arm64.tar.gz").unlink()
    reports = tmp_path / "r"
    # v0.8.0 shipped 2026-03-10; 90 days later the window is still open on 2026-05-01
    proc = gate_check("v0.7.1", str(release_line), "2026-05-01", "--report-dir", str(reports))
    assert proc.returncode == 1, proc.stdout
    r001 = {r["scope"]: r for r in results(reports) if r["check"] == "R001"}
    assert r001["v0.7.0"]["outcome"] == "failed"
    assert r001["v0.7.1"]["outcome"] == "passed"
    assert "closes on 2026-06-08 (90 days after v0.8.0)" in proc.stdout


def test_closed_window_allows_pruned_bundles(release_line: Path, tmp_path: Path) -> None:
    for name in ("fuse-cli-macos-arm64.tar.gz", "fuse-aot-macos-arm64.tar.gz"):
        (release_line / "v0.7.0" / name).unlink()
    reports = tmp_path / "r"
    proc = gate_check("v0.7.x", str(release_line), "2026-07-01", "--report-dir", str(reports))
    assert proc.returncode == 0, proc.stdout
    outcomes = {(r["check"], r["scope"]): r["outcome"] for r in results(reports)}
    assert outcomes[("R001", "v0.7.0")] == "skipped"
    assert outcomes[("P002", "v0.7.0")] == "passed"


def test_explicit_close_date_from_contract(release_line: Path, tmp_path: Path) -> None:
    (release_line / "v0.7.0" / "fuse-cli-linux-x64.tar.gz").unlink()
    path = contract_file(tmp_path, "retention: {lines: {v0.7.x: {closes: '2026-12-31'}}}\n")
    proc = gate_check("v0.7.1", str(release_line), "2026-12-31", "--contract", str(path))
    assert proc.returncode == 1 and "closes on 2026-12-31 (contract date)" in proc.stdout
    proc = gate_check("v0.7.1", str(release_line), "2027-01-01", "--contract", str(path))
    assert proc.returncode == 0, proc.stdout


WAIVER = (
    "waivers:\n  - {check: P002, scope: v0.7.0/linux-x64, reason: 'rebuilt, see #12', "
    "approver: release-lead, expires: '%s'}\n"
    "  - {check: R001, scope: v0.7.x, reason: 'rebuilt, see #12', "
    "approver: release-lead, expires: '2026-12-31'}\n"
)


def test_waiver_waives_a_finding(make_release, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_release("v0.7.0", "missing-fallback")
    path = contract_file(tmp_path, WAIVER % "2026-12-31")
    reports = tmp_path / "r"
    proc = gate_check(
        "v0.7.0", str(folder), "2026-06-01", "--contract", str(path), "--report-dir", str(reports)
    )
    assert proc.returncode == 0, proc.stdout
    outcomes = {r["check"]: r for r in results(reports)}
    p002 = outcomes["P002"]
    assert p002["outcome"] == "waived" and outcomes["R001"]["outcome"] == "waived"
    assert "rebuilt, see #12" in p002["findings"][0]["waived_by"]
    assert "🟡" in (reports / "summary.md").read_text()


def test_expired_waiver_fails_and_waives_nothing(make_release, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_release("v0.7.0", "missing-fallback")
    path = contract_file(tmp_path, WAIVER % "2026-05-31")
    reports = tmp_path / "r"
    proc = gate_check(
        "v0.7.0", str(folder), "2026-06-01", "--contract", str(path), "--report-dir", str(reports)
    )
    assert proc.returncode == 1
    failed = {r["check"] for r in results(reports) if r["outcome"] == "failed"}
    assert failed == {"P002", "W001"}  # R001 stays waived by its live waiver


def test_unused_waiver_fails(make_release, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_release("v0.7.0")
    path = contract_file(tmp_path, WAIVER % "2026-12-31")
    proc = gate_check("v0.7.0", str(folder), "2026-06-01", "--contract", str(path))
    assert proc.returncode == 1
    assert "W002" in proc.stdout and "covers no finding; remove it" in proc.stdout


def test_prune_plan_refuses_open_window_and_keeps_newest(release_line: Path) -> None:
    proc = run_gate(
        "prune", "--release", "v0.7.x", "--source", str(release_line), "--as-of", "2026-05-01", "--apply"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("refuse ") == 6 and "delete " not in proc.stdout
    assert "fallback CLI bundle inside an open release window" in proc.stdout
    assert (release_line / "v0.7.0" / "fuse-cli-linux-x64.tar.gz").exists()


@pytest.mark.parametrize("apply", [False, True])
def test_prune_after_window_closes(release_line: Path, apply: bool) -> None:
    args = ["prune", "--release", "v0.7.x", "--source", str(release_line), "--as-of", "2026-07-01"]
    proc = run_gate(*args, *(["--apply"] if apply else []))
    assert proc.returncode == 0, proc.stderr
    old = release_line / "v0.7.0" / "fuse-cli-linux-x64.tar.gz"
    assert old.exists() is not apply
    assert (release_line / "v0.7.1" / "fuse-cli-linux-x64.tar.gz").exists()  # newest kept
    assert (release_line / "v0.7.0" / "SHA256SUMS").exists()
    assert proc.stdout.count("deleted " if apply else "delete ") == 6
    # afterwards the line still passes the gate: pruned after the window closed is allowed
    check = run_gate("check", "--release", "v0.7.x", "--source", str(release_line), "--as-of", "2026-07-01")
    assert check.returncode == 0, check.stdout


def waiver(check: str, scope: str) -> str:
    return (
        f"  - {{check: {check}, scope: {scope}, reason: 'windows CLI rebuilt, see #42', "
        "approver: release-lead, expires: '2026-12-31'}\n"
    )


def drop_windows_cli(release: Path) -> None:
    """The windows CLI bundle is gone, and the integrity files agree (a re-published release)."""
    (release / "fuse-cli-windows-x64.zip").unlink()
    integrity_files(release, PUBLISHED[release.name])


def outcomes_of(reports: Path) -> dict[tuple[object, object], object]:
    return {(r["check"], r["scope"]): r["outcome"] for r in results(reports)}


def check_as_of_may(
    line: Path, contract: Path, release: str, reports: Path
) -> subprocess.CompletedProcess[str]:
    """`gate check` of `release` with `contract`, while the v0.7.x window is open."""
    args = ["--source", str(line), "--contract", str(contract), "--report-dir", str(reports)]
    return run_gate("check", "--release", release, *args, "--as-of", "2026-05-01")


def test_line_waiver_is_not_unused_when_a_tag_of_the_line_is_checked(
    release_line: Path, tmp_path: Path
) -> None:
    drop_windows_cli(release_line / "v0.7.0")
    path = contract_file(
        tmp_path, "waivers:\n" + waiver("P002", "v0.7.x/windows-x64") + waiver("R001", "v0.7.0")
    )
    reports = tmp_path / "r"
    for release in ("v0.7.x", "v0.7.1"):  # the line check, and the release workflow's run on publish
        proc = check_as_of_may(release_line, path, release, reports)
        assert proc.returncode == 0, proc.stdout
        assert outcomes_of(reports)[("W002", "waivers")] == "passed"
    assert outcomes_of(reports)[("R001", "v0.7.0")] == "waived"


def test_waiver_whose_whole_scope_was_checked_is_unused(release_line: Path, tmp_path: Path) -> None:
    path = contract_file(tmp_path, "waivers:\n" + waiver("P002", "v0.7.x/windows-x64"))
    proc = check_as_of_may(release_line, path, "v0.7.x", tmp_path / "r")
    assert proc.returncode == 1
    assert "P002@v0.7.x/windows-x64: waiver for P002 in v0.7.x/windows-x64 covers no finding" in proc.stdout


def test_platform_scoped_waiver_covers_retention(release_line: Path, tmp_path: Path) -> None:
    drop_windows_cli(release_line / "v0.7.1")
    scope = "v0.7.1/windows-x64"
    path = contract_file(tmp_path, "waivers:\n" + waiver("P002", scope) + waiver("R001", scope))
    reports = tmp_path / "r"
    proc = check_as_of_may(release_line, path, "v0.7.1", reports)
    assert proc.returncode == 0, proc.stdout
    outcomes = outcomes_of(reports)
    assert outcomes[("R001", "v0.7.1")] == "waived" and outcomes[("P002", "v0.7.1")] == "waived"
    r001 = next(r for r in results(reports) if r["check"] == "R001" and r["scope"] == "v0.7.1")
    assert r001["findings"][0]["subject"] == "windows-x64"  # type: ignore[index]


def test_platform_scoped_waiver_leaves_other_platforms_failing(release_line: Path, tmp_path: Path) -> None:
    (release_line / "v0.7.1" / "fuse-cli-linux-x64.tar.gz").unlink()
    path = contract_file(tmp_path, "waivers:\n" + waiver("R001", "v0.7.1/windows-x64"))
    reports = tmp_path / "r"
    proc = check_as_of_may(release_line, path, "v0.7.1", reports)
    assert proc.returncode == 1
    outcomes = outcomes_of(reports)
    assert outcomes[("R001", "v0.7.1")] == "failed" and outcomes[("W002", "waivers")] == "failed"


def test_prune_keeps_the_newest_release_not_a_newer_pre_release(release_line: Path) -> None:
    write_release(release_line / "v0.7.2-rc1", "v0.7.2-rc1", generated_at="2026-03-08T12:00:00Z")
    proc = run_gate("prune", "--release", "v0.7.x", "--source", str(release_line), "--as-of", "2026-07-01")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("keep     v0.7.1/") == 6 and "delete   v0.7.1/" not in proc.stdout
    assert proc.stdout.count("delete   v0.7.2-rc1/") == 6


def test_a_pre_release_of_the_next_line_does_not_close_the_window(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line", ("v0.7.0", "v0.7.1"))
    write_release(line / "v0.8.0-rc1", "v0.8.0-rc1", generated_at="2026-03-01T12:00:00Z")
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-07-01")
    assert proc.returncode == 0, proc.stdout
    assert "v0.7.x window is open: no later line has shipped" in proc.stdout
    proc = run_gate("prune", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-07-01")
    assert "delete " not in proc.stdout and proc.stdout.count("refuse ") == 6
