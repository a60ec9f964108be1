"""A bundle counts as pruned only where `gate prune` could have deleted it, and a check with no
archive to judge is skipped, never passed (the hostile-input sweep's false pass: a line whose
bundles were all gone passed once its window closed)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.standard.releases import integrity_files, write_line, write_release
from gates import contract, judging, runner
from gates.checks import CHECKS, NotApplicable
from gates.reading.facts import AssetFacts, ReleaseFacts
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from gates.sources.release import AssetRef, ReleaseRef
from harness.results import Outcome, Report, Result
from tests.gates.conftest import run_gate

AFTER_CLOSE = datetime(2026, 7, 1, 12, tzinfo=UTC)  # v0.7.x closed 2026-06-08 (90 days after v0.8.0)
BEFORE_CLOSE = datetime(2026, 5, 1, 12, tzinfo=UTC)
PAIRS = ("fuse-aot-", "fuse-cli-")
CONTENT_CHECKS = tuple(f"C{n:03}" for n in range(1, 11))


def check(source: Path, selector: str = "v0.7.x", now: datetime = AFTER_CLOSE) -> Report:
    return runner.check(FolderSource(source), selector, contract.load(None), lambda: now)


def result(report: Report, check_id: str, scope: str) -> Result:
    (found,) = [r for r in report.results if r.check == check_id and r.scope == scope]
    return found


def remove(folder: Path, *prefixes: str) -> list[str]:
    gone = sorted(p.name for p in folder.iterdir() if p.name.startswith(prefixes))
    for name in gone:
        (folder / name).unlink()
    return gone


def test_a_line_whose_bundles_are_all_gone_fails_once_its_window_closed(tmp_path: Path) -> None:
    """The sweep's example, through the installed script: PASSED, exit 0 before."""
    line = write_line(tmp_path / "line")
    for tag in ("v0.7.0", "v0.7.1"):
        remove(line / tag, *PAIRS)
    reports = tmp_path / "r"
    args = ("--source", str(line), "--as-of", "2026-07-01", "--report-dir", str(reports))
    proc = run_gate("check", "--release", "v0.7.x", *args)
    assert proc.returncode == 1, proc.stdout
    assert "not pruned: gate prune always keeps v0.7.1, the newest release of the line" in proc.stdout
    outcomes = {
        (r["check"], r["scope"]): r for r in json.loads((reports / "report.json").read_text())["results"]
    }
    assert outcomes[("P001", "v0.7.1")]["outcome"] == "failed"
    assert outcomes[("P002", "v0.7.1")]["outcome"] == "failed"
    assert outcomes[("P001", "v0.7.0")]["outcome"] == "passed"  # pruned as gate prune prunes
    for tag in ("v0.7.0", "v0.7.1"):
        for check_id in CONTENT_CHECKS:
            assert outcomes[(check_id, tag)]["outcome"] == "skipped", (check_id, tag)


@pytest.mark.parametrize("prefix", ["fuse-aot-linux-x64", "fuse-cli-macos-arm64", "fuse-cli-windows-x64"])
def test_the_newest_release_of_a_line_is_never_pruned(tmp_path: Path, prefix: str) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.1", prefix)
    report = check(line)
    check_id = "P001" if prefix.startswith("fuse-aot-") else "P002"
    (finding,) = result(report, check_id, "v0.7.1").findings
    assert finding.message.endswith(
        "(not pruned: gate prune always keeps v0.7.1, the newest release of the line)"
    )
    assert finding.actual == "absent"
    # the integrity files list it, and it is gone: I002 and I004 say so too
    for integrity_check in ("I002", "I004"):
        assert [f.subject for f in result(report, integrity_check, "v0.7.1").findings] == [
            next(p.name for p in (tmp_path / "line" / "v0.7.0").iterdir() if p.name.startswith(prefix))
        ]


def test_an_older_release_gate_prune_would_empty_may_be_pruned(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", *PAIRS)
    report = check(line)
    assert report.exit_code == 0
    for check_id in ("P001", "P002", "I002", "I004"):
        assert result(report, check_id, "v0.7.0").outcome is Outcome.PASSED, check_id


def test_while_the_window_is_open_nothing_is_pruned(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", "fuse-aot-linux-x64")
    (finding,) = result(check(line, now=BEFORE_CLOSE), "P001", "v0.7.0").findings
    assert finding.message == "no primary AOT bundle for linux-x64"


def test_a_bundle_the_integrity_files_never_listed_was_never_built_not_pruned(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", "fuse-cli-linux-x64")
    integrity_files(line / "v0.7.0", "2026-02-28T12:00:00Z")  # now listing what is left
    (finding,) = result(check(line), "P002", "v0.7.0").findings
    assert finding.message == (
        "no fallback CLI bundle for linux-x64 (not pruned: never built "
        "(SHA256SUMS and release-artifacts.json do not list it))"
    )


def test_the_newest_release_is_not_a_newer_pre_release(tmp_path: Path) -> None:
    """As gate prune keeps v0.7.1 over v0.7.2-rc1, the checks do."""
    line = write_line(tmp_path / "line")
    write_release(line / "v0.7.2-rc1", "v0.7.2-rc1", generated_at="2026-03-08T12:00:00Z")
    remove(line / "v0.7.2-rc1", *PAIRS)
    remove(line / "v0.7.1", "fuse-aot-windows-x64")
    report = check(line)
    assert result(report, "P001", "v0.7.2-rc1").outcome is Outcome.PASSED
    assert result(report, "P001", "v0.7.1").outcome is Outcome.FAILED


def test_a_line_of_pre_releases_keeps_its_newest(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line", ("v0.7.0-rc1", "v0.7.0-rc2", "v0.8.0"))
    for tag in ("v0.7.0-rc1", "v0.7.0-rc2"):
        remove(line / tag, *PAIRS)
    report = check(line)
    assert result(report, "P001", "v0.7.0-rc1").outcome is Outcome.PASSED
    assert result(report, "P001", "v0.7.0-rc2").outcome is Outcome.FAILED


def closed_facts(prune_keeps: str, *names: str) -> ReleaseFacts:
    listed = "".join(f"{'0' * 64}  fuse-{kind}-linux-x64.tar.gz\n" for kind in ("aot", "cli"))
    assets = [AssetFacts(ref=AssetRef(name="SHA256SUMS", size=1, location="here"), text=listed)]
    assets += [AssetFacts(ref=AssetRef(name=n, size=1, location=f"here/{n}")) for n in names]
    return ReleaseFacts(
        ref=ReleaseRef(tag="v0.7.0", location="here", immutable=bool(prune_keeps)),
        assets=tuple(assets),
        window=WindowState(open=False, closes=None, reason="closed"),
        prune_keeps=prune_keeps,
    )


@pytest.mark.parametrize(
    ("keeps", "absent"),
    [
        ("", []),
        ("an immutable release: assets cannot be deleted", ["linux-x64"]),
        ("gate prune was not asked about it", ["linux-x64"]),
    ],
)
def test_only_a_release_gate_prune_may_empty_counts_as_pruned(keeps: str, absent: list[str]) -> None:
    rules = replace(contract.load(None), platforms=("linux-x64",))
    found = CHECKS["P002"](closed_facts(keeps), rules)
    assert [f.subject for f in found] == absent


def test_the_facts_say_what_gate_prune_keeps(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    report_facts = judging._prune_keeps  # the rule the judging hands the checks
    releases = FolderSource(line).releases()
    by_tag = {r.tag: r for r in releases}
    assert report_facts(by_tag["v0.7.0"], releases) == ""
    assert report_facts(by_tag["v0.7.1"], releases) == "the newest release of the line"
    assert report_facts(by_tag["v0.8.0"], releases) == "the newest release of the line"
    immutable = ReleaseRef(tag="v0.7.0", location="x", immutable=True)
    assert report_facts(immutable, releases) == "an immutable release: assets cannot be deleted"
    draft = ReleaseRef(tag="v0.9.0", location="x", draft=True)
    assert "draft" in report_facts(draft, releases)


# -- nothing to judge: skipped with the reason, never passed --------------------------------


def test_with_no_bundle_every_content_check_is_skipped_saying_who_reports_it(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", *PAIRS)
    report = check(line)
    reasons = {c: result(report, c, "v0.7.0") for c in CONTENT_CHECKS}
    assert {c: r.outcome for c, r in reasons.items()} == dict.fromkeys(CONTENT_CHECKS, Outcome.SKIPPED)
    assert reasons["C001"].summary == "no fallback CLI bundle to judge (P002 reports it)"
    assert reasons["C002"].summary == "no unix bundle to judge (P001 and P002 report it)"
    assert reasons["C003"].summary == "no primary AOT bundle to judge (P001 reports it)"
    for c in ("C004", "C005", "C006", "C009", "C010"):
        assert reasons[c].summary == "no primary AOT bundle to judge (P001 reports it)", c
    for c in ("C007", "C008"):
        assert reasons[c].summary == "no bundle to judge (P001 and P002 report it)", c


@pytest.mark.parametrize("role", ["fuse-aot-", "fuse-cli-"])
def test_with_one_role_gone_the_other_role_is_still_judged(tmp_path: Path, role: str) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", role)
    report = check(line)
    gone, kept = (("C003", "C004"), ("C001",)) if role == "fuse-aot-" else (("C001",), ("C003", "C004"))
    for c in gone:
        assert result(report, c, "v0.7.0").outcome is Outcome.SKIPPED, c
    for c in (*kept, "C002", "C007", "C008"):
        assert result(report, c, "v0.7.0").outcome is Outcome.PASSED, c


def test_only_windows_bundles_leave_c002_nothing_to_judge(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    remove(line / "v0.7.0", *(f"{p}{os}" for p in PAIRS for os in ("linux-x64", "macos-arm64")))
    skipped = result(check(line), "C002", "v0.7.0")
    assert (skipped.outcome, skipped.summary) == (
        Outcome.SKIPPED,
        "no unix bundle to judge (P001 and P002 report it)",
    )


def test_bundles_that_cannot_be_listed_are_skipped_by_the_member_checks(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.7.0", "v0.7.0")
    for name in remove(folder, *PAIRS):
        (folder / name).write_bytes(b"not an archive")
    integrity_files(folder, "2026-02-28T12:00:00Z")
    report = check(folder, "v0.7.0")
    for c in ("C001", "C002", "C003", "C004", "C005", "C006", "C009", "C010"):
        skipped = result(report, c, "v0.7.0")
        assert skipped.outcome is Outcome.SKIPPED, c
        assert "could be listed in full (A001, C007 or C008 says why)" in skipped.summary, c
    assert result(report, "C008", "v0.7.0").outcome is Outcome.FAILED


def facts_of(*assets: AssetFacts) -> ReleaseFacts:
    window = WindowState(open=True, closes=None, reason="")
    return ReleaseFacts(ref=ReleaseRef(tag="v0.7.0", location="here"), assets=assets, window=window)


def test_bundles_never_read_are_skipped_by_the_archive_checks() -> None:
    unread = facts_of(AssetFacts(ref=AssetRef(name="fuse-cli-linux-x64.tar.gz", size=1, location="x")))
    for c in ("C007", "C008"):
        with pytest.raises(NotApplicable, match=r"^no bundle was read \(A001 says why\)$"):
            CHECKS[c](unread, contract.load(None))


def test_an_aot_bundle_without_build_info_skips_the_build_info_checks(tmp_path: Path) -> None:
    folder = write_release(
        tmp_path / "v0.7.0", "v0.7.0", defects=("aot-without-build-info",), platforms=("linux-x64",)
    )
    report = check(folder, "v0.7.0")
    assert result(report, "C003", "v0.7.0").outcome is Outcome.FAILED
    for c in ("C004", "C005", "C006", "C009", "C010"):
        skipped = result(report, c, "v0.7.0")
        assert (skipped.outcome, skipped.summary) == (
            Outcome.SKIPPED,
            "no AOT bundle holds AOT_BUILD_INFO.txt (C003 reports it)",
        ), c


def test_a_build_info_line_that_does_not_parse_skips_the_field_checks(tmp_path: Path) -> None:
    folder = write_release(
        tmp_path / "v0.7.0", "v0.7.0", defects=("build-info-garbage",), platforms=("linux-x64",)
    )
    report = check(folder, "v0.7.0")
    assert result(report, "C004", "v0.7.0").outcome is Outcome.FAILED
    for c in ("C005", "C006", "C009", "C010"):
        skipped = result(report, c, "v0.7.0")
        assert (skipped.outcome, skipped.summary) == (
            Outcome.SKIPPED,
            "no AOT_BUILD_INFO.txt holds a line that parses (C004 reports it)",
        ), c
