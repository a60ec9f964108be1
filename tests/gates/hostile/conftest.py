"""Helpers for the hostile-input suite: read one hostile archive the way the gate does, or
put it into a real release folder and run the whole gate on it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.standard.releases import PUBLISHED, integrity_files, write_release
from gates import contract, runner
from gates.reading.archive import ArchiveListing, read_tar_gz, read_zip
from gates.sources.folder import FolderSource
from harness.results import Outcome

RULES = contract.load(None)
WANT = frozenset({RULES.assets.build_info_member})


def tar_listing(blob: bytes) -> ArchiveListing:
    listing = read_tar_gz(io.BytesIO(blob), RULES.limits, WANT).listing
    assert listing is not None
    return listing


def zip_listing(blob: bytes) -> ArchiveListing:
    listing = read_zip(io.BytesIO(blob), RULES.limits, WANT).listing
    assert listing is not None
    return listing


def has_problem(listing: ArchiveListing, text: str) -> bool:
    return any(text in p for p in listing.problems)


def failed_checks(folder: Path, tag: str = "v0.7.0") -> dict[str, list[str]]:
    """The whole gate on one release folder: check id -> finding lines, for the failed ones."""
    clock = lambda: datetime(2026, 3, 7, 12, tzinfo=UTC)  # noqa: E731
    report = runner.check(FolderSource(folder), tag, RULES, clock)
    assert not any(r.outcome is Outcome.ERROR for r in report.results), [
        r.summary for r in report.results if r.outcome is Outcome.ERROR
    ]
    return {r.check: [f.line() for f in r.findings] for r in report.results if r.outcome is Outcome.FAILED}


@pytest.fixture
def release_with(tmp_path: Path) -> Callable[[dict[str, bytes]], Path]:
    """A clean v0.7.0 release folder with some archives replaced (integrity files rewritten)."""

    def make(replaced: dict[str, bytes], sums: Callable[[str], str] | None = None) -> Path:
        dest = write_release(tmp_path / "v0.7.0", "v0.7.0")
        for name, blob in replaced.items():
            (dest / name).write_bytes(blob)
        integrity_files(dest, PUBLISHED["v0.7.0"])
        if sums is not None:
            path = dest / "SHA256SUMS"
            path.write_bytes(sums(path.read_text()).encode("utf-8", "surrogateescape"))
        return dest

    return make


def report_checks(report_dir: Path) -> set[str]:
    report = json.loads((report_dir / "report.json").read_text())
    return {r["check"] for r in report["results"] if r["outcome"] == "failed"}
