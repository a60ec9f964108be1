"""The gate's checks and policies at their boundaries: the last entry, the expiry day, the
first release of the next line. Each test here fails on a plausible one-line bug (named in
its docstring where the suite once let it through)."""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from drills.standard.releases import build_info, integrity_files
from gates import contract, retention, runner, waivers
from gates.checks import CHECKS, CannotEvaluate, NotApplicable, integrity, title
from gates.contract import Waiver, Window
from gates.reading.facts import AssetFacts, ReleaseFacts
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from gates.sources.release import AssetRef, ReleaseRef
from harness.results import Finding, Outcome, Report, Result, judged
from tests.gates.archive_support import tar_gz

NOW = datetime(2026, 3, 1, tzinfo=UTC)


# -- C001/C003: only a regular file with the binary's name counts -------------------------


def check(folder: Path, tag: str = "v0.7.0") -> Report:
    return runner.check(FolderSource(folder), tag, contract.load(None), lambda: NOW)


def outcome(report: Report, check_id: str) -> Result:
    (result,) = [r for r in report.results if r.check == check_id]
    return result


INFO = (build_info("0.7.0") + "\n").encode()


def rewrite(folder: Path, name: str, *members: tuple[str, bytes, bytes]) -> None:
    """Replace one bundle of a fixture release, keeping its integrity files true."""
    replace_file(folder, name, tar_gz(*members))


def replace_file(folder: Path, name: str, blob: bytes) -> None:
    stamp = json.loads((folder / "release-artifacts.json").read_text())["generatedAtUtc"]
    (folder / name).write_bytes(blob)
    integrity_files(folder, stamp)


@pytest.mark.parametrize(
    ("bundle", "binary", "check_id", "others"),
    [
        ("fuse-cli-linux-x64.tar.gz", "fuse", "C001", ["fuse-lsp"]),
        ("fuse-aot-linux-x64.tar.gz", "fuse-aot-demo", "C003", ["AOT_BUILD_INFO.txt"]),
    ],
)
@pytest.mark.parametrize("kind", [tarfile.DIRTYPE, tarfile.SYMTYPE], ids=["dir", "symlink"])
def test_a_directory_or_symlink_with_the_binarys_name_is_not_the_binary(
    make_release: Callable[..., Path], bundle: str, binary: str, check_id: str, others: list[str], kind: bytes
) -> None:
    """Bug: C001/C003 counting any member kind as present."""
    folder = make_release("v0.7.0")
    rest = [(n, tarfile.REGTYPE, INFO if n == "AOT_BUILD_INFO.txt" else b"\x7fELF") for n in others]
    rewrite(folder, bundle, (binary, kind, b""), *rest, ("README.txt", tarfile.REGTYPE, b"readme\n"))
    result = outcome(check(folder), check_id)
    assert result.outcome.value == "failed"
    (finding,) = result.findings
    assert (finding.subject, finding.message) == (bundle, f"member '{binary}' is missing")


def only_fuse_zip() -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr(zipfile.ZipInfo("fuse"), b"\x7fELF")
    return raw.getvalue()


def test_a_bundle_with_the_wrong_extension_is_still_the_platforms_bundle(
    make_release: Callable[..., Path],
) -> None:
    """The one candidate (P003 reports its extension) is the one C001 looks into."""
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.tar.gz").unlink()
    (folder / "fuse-cli-linux-x64.zip").write_bytes(only_fuse_zip())
    (finding,) = outcome(check(folder), "C001").findings
    assert (finding.subject, finding.message) == ("fuse-cli-linux-x64.zip", "member 'fuse-lsp' is missing")


def test_beside_a_second_candidate_the_exact_name_is_the_platforms_bundle(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.zip").write_bytes(only_fuse_zip())
    rewrite(folder, "fuse-cli-linux-x64.tar.gz", ("fuse", tarfile.REGTYPE, b"\x7fELF"))
    (finding,) = outcome(check(folder), "C001").findings
    assert (finding.subject, finding.message) == ("fuse-cli-linux-x64.tar.gz", "member 'fuse-lsp' is missing")


def test_a_check_title_is_the_first_line_of_its_docstring() -> None:
    def two_lines() -> None:
        """The title.

        More about it."""

    assert title(two_lines) == "The title."


def test_a_windows_zip_without_unix_modes_needs_no_executable_bit(make_release: Callable[..., Path]) -> None:
    """Zips made on Windows carry no unix mode (external_attr 0): C002 is for unix bundles only."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for name in ("fuse.exe", "fuse-lsp.exe", "LICENSE", "README.txt"):
            archive.writestr(zipfile.ZipInfo(name), b"MZ")
    folder = make_release("v0.7.0")
    replace_file(folder, "fuse-cli-windows-x64.zip", raw.getvalue())
    report = check(folder)
    assert outcome(report, "C001").outcome.value == "passed"
    assert outcome(report, "C002").outcome.value == "passed"


def test_a_second_build_info_line_fails_c004_and_the_first_is_still_judged(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    later = INFO.replace(b"cli=0.7.0", b"cli=9.9.9").replace(b"contract=aot-v1", b"contract=aot-v2")
    rewrite(
        folder,
        "fuse-aot-linux-x64.tar.gz",
        ("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF"),
        ("AOT_BUILD_INFO.txt", tarfile.REGTYPE, INFO + later),
    )
    report = check(folder)
    # the file must hold exactly one line (issue: a second line hid another version)
    assert [outcome(report, c).outcome.value for c in ("C004", "C005", "C006")] == [
        "failed",
        "passed",
        "passed",
    ]


def test_an_unread_asset_is_judged_by_the_digest_its_source_publishes() -> None:
    ref = AssetRef(name="a.tar.gz", size=1, location="here", digest="sha256:" + "a" * 64)
    assert integrity.actual_sha(AssetFacts(ref=ref)) == "a" * 64
    assert integrity.actual_sha(AssetFacts(ref=ref, sha256="b" * 64)) == "b" * 64
    assert integrity.actual_sha(AssetFacts(ref=replace(ref, digest="md5:00"))) is None
    assert integrity.actual_sha(AssetFacts(ref=replace(ref, digest=None))) is None


def closed(rules: contract.Contract) -> contract.Contract:
    return replace(rules, line_windows={"v0.7.x": Window(closes=date(2026, 2, 1))})


def test_after_the_window_closed_a_pruned_bundle_is_allowed_and_a_duplicate_is_not(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    make_release("v0.7.1")  # gate prune keeps the newest release: v0.7.0 may be pruned
    for gone in ("fuse-cli-linux-x64.tar.gz", "fuse-vscode-linux-x64.vsix"):
        (folder / gone).unlink()
    (folder / "fuse-aot-linux-x64.zip").write_bytes(only_fuse_zip())
    report = runner.check(FolderSource(folder.parent), "v0.7.0", closed(contract.load(None)), lambda: NOW)
    assert outcome(report, "P002").outcome.value == "passed"
    (twice,) = outcome(report, "P001").findings
    assert twice.message == "2 primary AOT bundles for linux-x64; exactly one is allowed"
    assert twice.actual == "fuse-aot-linux-x64.tar.gz, fuse-aot-linux-x64.zip"
    # the integrity files may list a pair archive pruned after the window closed, nothing else
    for check_id in ("I002", "I004"):
        listed = [f.subject for f in outcome(report, check_id).findings if "does not have" in f.message]
        assert listed == ["fuse-vscode-linux-x64.vsix"], check_id


def test_while_the_window_is_open_a_listed_bundle_that_is_gone_fails_i002(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.tar.gz").unlink()
    report = check(folder)
    (finding,) = outcome(report, "I002").findings
    assert (finding.subject, finding.actual) == ("fuse-cli-linux-x64.tar.gz", "absent")
    (none,) = outcome(report, "P002").findings
    assert (none.message, none.actual) == ("no fallback CLI bundle for linux-x64", "absent")


def facts(*assets: AssetFacts) -> ReleaseFacts:
    window = WindowState(open=True, closes=None, reason="")
    return ReleaseFacts(ref=ReleaseRef(tag="v0.7.0", location="here"), assets=assets, window=window)


def asset(name: str, digest: str | None = None, sha256: str | None = None) -> AssetFacts:
    return AssetFacts(ref=AssetRef(name=name, size=1, location=f"here/{name}", digest=digest), sha256=sha256)


@pytest.mark.parametrize(
    ("name", "checks"),
    [("SHA256SUMS", ("I001", "I002", "I003")), ("release-artifacts.json", ("I004", "I005"))],
)
def test_an_integrity_file_that_was_not_read_cannot_be_evaluated(name: str, checks: tuple[str, ...]) -> None:
    unread = facts(asset(name))
    for check_id in checks:
        with pytest.raises(CannotEvaluate, match=rf"^{re.escape(name)} was not read$"):
            CHECKS[check_id](unread, contract.load(None))


def test_metadata_whose_artifacts_are_not_objects_is_an_i004_finding(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "release-artifacts.json").write_text('{"artifacts": [1]}')
    report = check(folder)
    (finding,) = outcome(report, "I004").findings
    assert finding.message == "not FUSE release metadata (artifacts is not a list of objects)"
    assert outcome(report, "I005").outcome.value == "skipped"


def test_i006_compares_every_read_asset_with_a_published_digest() -> None:
    good, bad = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    release = facts(
        asset("same", digest=good, sha256="a" * 64),
        asset("differs", digest=bad, sha256="a" * 64),
        asset("not-read", digest=good),
        asset("no-digest", sha256="c" * 64),
    )
    (finding,) = CHECKS["I006"](release, contract.load(None))
    assert (finding.subject, finding.expected, finding.actual) == ("differs", bad, good)
    with pytest.raises(NotApplicable, match=r"^the source publishes no asset digests$"):
        CHECKS["I006"](facts(asset("no-digest", sha256="c" * 64)), contract.load(None))


# -- I003: every entry, the last of a repeated name included -------------------------------


def test_a_wrong_checksum_on_the_repeated_entry_of_a_name_fails_i003(
    make_release: Callable[..., Path],
) -> None:
    """Bug: a repeated SHA256SUMS entry skipped, so only the first line of a name is checked."""
    folder = make_release("v0.7.0")
    sums = folder / "SHA256SUMS"
    good = sums.read_text()
    sums.write_text(good + "0" * 64 + "  fuse-cli-linux-x64.tar.gz\n")
    last = len(good.splitlines()) + 1
    (mismatch,) = outcome(check(folder), "I003").findings
    assert (mismatch.subject, mismatch.expected, mismatch.where) == (
        "fuse-cli-linux-x64.tar.gz",
        "0" * 64,
        f"{sums}:{last}",
    )


# -- the release window counts from the next line's first release -------------------------


def ref(tag: str, day: str) -> ReleaseRef:
    return ReleaseRef(tag=tag, location=tag, published_at=datetime.fromisoformat(day + "T12:00:00+00:00"))


LINE = [
    ref("v0.8.2", "2026-05-01"),
    ref("v0.7.0", "2026-01-01"),
    ref("v0.8.0", "2026-03-10"),
    ref("v0.9.0", "2026-02-01"),  # a later line, first shipped earlier: not the next line
    ref("v0.8.1", "2026-04-01"),
]


@pytest.mark.parametrize(("today", "is_open"), [(date(2026, 6, 8), True), (date(2026, 6, 9), False)])
def test_the_window_closes_n_days_after_the_next_lines_first_release(today: date, is_open: bool) -> None:
    """Bug: the window counted from the next line's latest release (v0.8.2), not its first."""
    state = retention.window_state("v0.7.x", LINE, contract.load(None), today)
    assert (state.open, state.closes) == (is_open, date(2026, 6, 8))
    assert state.reason.endswith("on 2026-06-08 (90 days after v0.8.0)")


def test_the_next_lines_first_release_is_its_lowest_version() -> None:
    first = retention.next_line_first_release("v0.7.x", LINE)
    assert first is not None and first.tag == "v0.8.0"
    assert retention.next_line_first_release("v0.9.x", LINE) is None


def test_a_window_of_zero_days_closes_on_the_next_lines_first_release_day() -> None:
    rules = replace(contract.load(None), default_window=Window(days_after_next_line=0))
    state = retention.window_state("v0.7.x", LINE, rules, date(2026, 3, 11))
    assert (state.open, state.closes) == (False, date(2026, 3, 10))
    assert state.reason == "v0.7.x window closed on 2026-03-10 (0 days after v0.8.0)"


def test_a_window_stays_open_while_the_next_lines_release_date_is_unknown() -> None:
    undated = [ref("v0.7.0", "2026-01-01"), ReleaseRef(tag="v0.8.0", location="v0.8.0")]
    state = retention.window_state("v0.7.x", undated, contract.load(None), date(2030, 1, 1))
    assert (state.open, state.closes) == (True, None)
    assert state.reason == "v0.7.x window is open: v0.8.0's release date is unknown"


# -- W001: a waiver is live through its expiry day ------------------------------------------


def waiver(expires: date) -> Waiver:
    return Waiver(
        id="waiver-1", check="P002", scope="v0.7.0", reason="rebuilt", approver="lead", expires=expires
    )


def test_a_waiver_is_live_on_its_expiry_day_and_expired_the_day_after() -> None:
    """Bug: W001 reporting a waiver expired on its own expiry day."""
    w = (waiver(date(2026, 6, 1)),)
    assert waivers.expired(w, date(2026, 6, 1), "contract.yaml") == []
    (finding,) = waivers.expired(w, date(2026, 6, 2), "contract.yaml")
    assert (finding.expected, finding.actual) == ("expires >= 2026-06-02", "expired 2026-06-01")


def test_a_waiver_waives_on_its_expiry_day_and_not_the_day_after() -> None:
    w = (waiver(date(2026, 6, 1)),)
    release, missing = ref("v0.7.0", "2026-01-01"), Finding(subject="linux-x64", message="no fallback")
    result = judged(
        Result(check="P002", title="t", scope="v0.7.0", outcome=Outcome.PASSED, summary=""), [missing]
    )
    (on_the_day,), used = waivers.apply([result], {"v0.7.0": release}, w, date(2026, 6, 1))
    assert on_the_day.findings[0].waived_by == "waiver-1 (rebuilt; approved by lead)" and used == {"waiver-1"}
    (late,), late_used = waivers.apply([result], {"v0.7.0": release}, w, date(2026, 6, 2))
    assert late.findings == (missing,) and late_used == frozenset()


def test_an_unused_waiver_is_reported_through_its_expiry_day() -> None:
    """On its expiry day a waiver is live: unused, it is W002's (and not W001's) to report."""
    w = (waiver(date(2026, 6, 1)),)
    release = ref("v0.7.0", "2026-01-01")
    coverage = waivers.Coverage(
        releases=(release,), checked=frozenset({("P002", "v0.7.0")}), runnable=frozenset({"P002"})
    )
    (unused,) = waivers.unused(w, frozenset(), date(2026, 6, 1), "contract.yaml", coverage)
    assert (unused.subject, unused.message) == (
        "waiver-1",
        "waiver for P002 in v0.7.0 covers no finding; remove it",
    )
    assert waivers.unused(w, frozenset(), date(2026, 6, 2), "contract.yaml", coverage) == []
