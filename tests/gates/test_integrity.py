"""Integrity checks (I001-I005) on real fixture releases, run in process."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gates import contract, runner
from gates.sources.folder import FolderSource
from harness.results import Report, Result

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def check(folder: Path) -> Report:
    return runner.check(FolderSource(folder), "v0.7.0", contract.load(None), lambda: NOW)


def failed(report: Report) -> dict[str, Result]:
    return {r.check: r for r in report.results if r.outcome.value == "failed"}


def test_metadata_names_with_lone_surrogates_are_shown_as_escapes(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    meta = folder / "release-artifacts.json"
    meta.write_text(meta.read_text().replace('"fuse-vscode-linux-x64.vsix"', '"fuse-vscode-\\udcff.vsix"'))
    results = failed(check(folder))
    assert set(results) == {"I004"}
    subjects = {f.subject for f in results["I004"].findings}
    assert subjects == {"fuse-vscode-linux-x64.vsix", "fuse-vscode-\\xff.vsix"}
    json.dumps([f.subject for f in results["I004"].findings], ensure_ascii=False).encode("utf-8")


def test_a_name_listed_twice_in_sha256sums_is_a_finding_and_every_entry_is_checked(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    sums = folder / "SHA256SUMS"
    good = sums.read_text()
    sums.write_text("0" * 64 + "  fuse-cli-linux-x64.tar.gz\n" + good)
    second = 1 + next(n for n, line in enumerate(good.splitlines(), 1) if "fuse-cli-linux-x64" in line)
    results = failed(check(folder))
    assert set(results) == {"I001", "I003"}
    # the title reports show says what failed: duplicates are I001's too
    assert results["I001"].title == (
        "SHA256SUMS is present, every line reads `<sha256>  <name>`, and no name is listed twice."
    )
    (twice,) = results["I001"].findings
    assert twice.subject == "SHA256SUMS"
    assert twice.message == (
        "'fuse-cli-linux-x64.tar.gz' is listed more than once (first on line 1): "
        "which checksum holds is ambiguous"
    )
    assert twice.where == f"{sums}:{second}"
    (mismatch,) = results["I003"].findings
    assert (mismatch.subject, mismatch.expected, mismatch.where) == (
        "fuse-cli-linux-x64.tar.gz",
        "0" * 64,
        f"{sums}:1",
    )


def test_i003_and_i005_agree_expected_is_listed_actual_is_the_bytes(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0", "checksum-mismatch")
    name = "fuse-cli-macos-arm64.tar.gz"
    listed = json.loads((folder / "release-artifacts.json").read_text())["artifacts"]
    (entry,) = [a for a in listed if a["name"] == name]
    hashed = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    results = failed(check(folder))
    (sums,) = results["I003"].findings
    (meta,) = results["I005"].findings
    assert (sums.expected, sums.actual) == (entry["sha256"], hashed)
    assert (meta.expected, meta.actual) == (entry["sha256"], hashed)
    assert meta.message == "sha256 listed in release-artifacts.json does not match the bytes"


def test_i005_size_expected_is_listed_actual_is_the_file(make_release: Callable[..., Path]) -> None:
    folder = make_release("v0.7.0", "metadata-size-mismatch")
    (entry, *_rest) = json.loads((folder / "release-artifacts.json").read_text())["artifacts"]
    (meta,) = failed(check(folder))["I005"].findings
    assert (meta.subject, meta.expected, meta.actual) == (
        entry["name"],
        str(entry["size"]),
        str((folder / entry["name"]).stat().st_size),
    )
    assert meta.message == "size listed in release-artifacts.json does not match the file"
