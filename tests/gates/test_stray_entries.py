"""Entries of a release folder that are no file (a FIFO, a folder, a looping or dangling
symlink) are A003 findings naming them, and are never opened (a FIFO would block the run).
Before, the folder source listed regular files only and dropped the rest without a word."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.standard.releases import write_line, write_release
from gates import contract, runner
from gates.sources.folder import FolderSource
from harness.results import Outcome, Report, Result
from tests.gates.conftest import run_gate

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("x")


def loop(path: Path) -> None:
    path.symlink_to(path.name)


def dangling(path: Path) -> None:
    path.symlink_to("nowhere")


def to_folder(path: Path) -> None:
    (path.parent / "real-folder").mkdir()
    path.symlink_to("real-folder")


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "fifo": (fifo, "a FIFO (named pipe)"),
    "folder": (folder, "a directory"),
    "symlink loop": (loop, "a symlink that leads to no file (Too many levels of symbolic links)"),
    "dangling symlink": (dangling, "a symlink that leads to no file (No such file or directory)"),
    "symlink to a folder": (to_folder, "a symlink to a directory"),
}


def check(source: Path, selector: str) -> Report:
    return runner.check(FolderSource(source), selector, contract.load(None), lambda: NOW)


def a003(report: Report, scope: str) -> Result:
    (found,) = [r for r in report.results if r.check == "A003" and r.scope == scope]
    return found


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", ["stray", "fuse-notes.tar.gz", "SHA256SUMS.d"])
def test_an_entry_that_is_no_file_is_an_a003_finding_naming_it(tmp_path: Path, kind: str, name: str) -> None:
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    make, what = KINDS[kind]
    make(release / name)
    result = a003(check(release, "v0.7.1"), "v0.7.1")
    assert result.outcome is Outcome.FAILED
    strays = [f for f in result.findings if f.actual == what]
    assert [(f.subject, f.expected, f.where) for f in strays] == [
        (name, "a regular file", str(release / name))
    ]
    assert strays[0].message == (
        "not a file, so no release asset (the gate never opens it); remove it from the release folder"
    )


def test_a_fifo_in_place_of_a_bundle_is_named_never_opened(tmp_path: Path) -> None:
    """Through the installed script: a FIFO opened for reading would block it for good."""
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    bundle = release / "fuse-cli-linux-x64.tar.gz"
    bundle.unlink()
    os.mkfifo(bundle)
    proc = run_gate("check", "--release", "v0.7.1", "--source", str(release))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "- fuse-cli-linux-x64.tar.gz: not a file, so no release asset" in proc.stdout
    assert "actual a FIFO (named pipe)) at " in proc.stdout
    assert "no fallback CLI bundle for linux-x64" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_strays_of_each_release_of_a_line_are_named(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    os.mkfifo(line / "v0.7.0" / "pipe")
    (line / "v0.7.1" / "leftovers").mkdir()
    report = check(line, "v0.7.x")
    assert [f.subject for f in a003(report, "v0.7.0").findings] == ["pipe"]
    assert [f.subject for f in a003(report, "v0.7.1").findings] == ["leftovers"]


def test_a_symlink_to_a_file_is_still_an_asset(tmp_path: Path) -> None:
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    kept = tmp_path / "fuse-cli-linux-x64.tar.gz"
    (release / kept.name).rename(kept)
    (release / kept.name).symlink_to(kept)
    report = check(release, "v0.7.1")
    assert report.exit_code == 0
    assert a003(report, "v0.7.1").outcome is Outcome.PASSED


def test_the_source_lists_files_as_assets_and_the_rest_as_strays(tmp_path: Path) -> None:
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    for kind, (make, _what) in KINDS.items():
        make(release / kind.replace(" ", "-"))
    source = FolderSource(release)
    (ref,) = source.releases()
    assets = {a.name for a in source.assets(ref)}
    strays = {s.name: s.what for s in source.strays(ref)}
    assert assets == {p.name for p in release.iterdir() if p.is_file()}
    assert strays == {kind.replace(" ", "-"): what for kind, (_make, what) in KINDS.items()} | {
        "real-folder": "a directory"
    }


def test_an_entry_the_contract_says_is_no_asset_is_no_finding(tmp_path: Path) -> None:
    """`assets.not_assets` names what may sit beside the assets (`fuse`, `RELEASE_NOTES.md`)."""
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    os.mkfifo(release / "RELEASE_NOTES.md")
    assert a003(check(release, "v0.7.1"), "v0.7.1").outcome is Outcome.PASSED
