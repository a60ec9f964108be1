"""`gate check --recovery-checkout` reads each AOT archive once: the check's single pass keeps
the primary binary, and S002 measures it from there (plain `gate check` keeps nothing)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from drills.standard.releases import write_release
from gates import contract, runner
from gates.reading import archive
from gates.reading.facts import read_releases
from gates.recovery import binsize
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from gates.sources.release import AssetRef, ReleaseRef
from harness.results import Outcome
from tests.gates.recovery_support import make_run

RULES = contract.load(None)
AOT = ("fuse-aot-linux-x64.tar.gz", "fuse-aot-macos-arm64.tar.gz", "fuse-aot-windows-x64.zip")


class CountingSource(FolderSource):
    """A folder source that counts how often each asset is opened."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.opened: Counter[str] = Counter()

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        self.opened[asset.name] += 1
        return super().open(release, asset)


def clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def member_bytes(path: Path) -> bytes:
    """The binary as the standard library unpacks it (the oracle for what S002 measures)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return zf.read("fuse-aot-demo.exe")
    with tarfile.open(path) as tf:
        data = tf.extractfile("fuse-aot-demo")
        assert data is not None
        return data.read()


def test_check_with_recovery_opens_each_aot_archive_once(tmp_path: Path) -> None:
    dist = write_release(tmp_path / "v0.7.0", "v0.7.0", binary_size=5000)
    source = CountingSource(dist)
    run = make_run(tmp_path, RULES, {})
    with runner.check_keeping_binaries(source, "v0.7.0", RULES, clock) as (report, found):
        kept = {b.scope: b.path.read_bytes() for b in found if b.path is not None}
        s002 = binsize.judge_all(found, run.contract.slo.max_binary_bytes)
    assert all(r.outcome is not Outcome.ERROR for r in report.results)
    assert {name: source.opened[name] for name in AOT} == dict.fromkeys(AOT, 1)
    assert set(source.opened.values()) == {1}  # and every other asset once too
    assert kept == {name.split("-", 2)[2].split(".")[0]: member_bytes(dist / name) for name in AOT}
    assert [(r.scope, r.outcome, r.data["metrics"]["file_bytes"]) for r in s002] == [
        (scope, Outcome.PASSED, len(data)) for scope, data in kept.items()
    ]
    assert all(b.path is not None and not b.path.exists() for b in found)  # temp dir is gone


def test_gate_recover_opens_only_the_aot_archives_once(tmp_path: Path) -> None:
    source = CountingSource(write_release(tmp_path / "v0.7.0", "v0.7.0"))
    with binsize.selected_binaries(source, "v0.7.0", RULES) as found:
        assert [b.problem for b in found] == ["", "", ""]
    assert source.opened == Counter(dict.fromkeys(AOT, 1))


def test_plain_check_copies_no_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captured: list[str] = []
    sink_for = archive._Lister.sink_for

    def spy(lister: archive._Lister, member: archive.Member) -> object:
        sink = sink_for(lister, member)
        if sink is not None:
            captured.append(member.name)
        return sink

    monkeypatch.setattr(archive._Lister, "sink_for", spy)
    source = FolderSource(write_release(tmp_path / "v0.7.0", "v0.7.0"))
    release = source.releases()[0]
    window = WindowState(open=True, closes=None, reason="")
    facts = read_releases(source, [(release, window)], RULES)
    assert set(captured) == {RULES.assets.build_info_member}  # small texts only
    assert all(a.listing is None or a.listing.kept is None for f in facts for a in f.assets)


def test_a_binary_over_the_member_limit_is_not_kept(tmp_path: Path) -> None:
    rules = replace(RULES, limits=replace(RULES.limits, max_member_bytes=2048))
    source = CountingSource(write_release(tmp_path / "v0.7.0", "v0.7.0", binary_size=4096))
    with runner.check_keeping_binaries(source, "v0.7.0", rules, clock) as (_report, found):
        assert [b.path for b in found] == [None, None, None]
        assert "member 'fuse-aot-demo' is 4096 bytes (limit 2048)" in found[0].problem


def test_a_truncated_binary_is_not_kept(tmp_path: Path) -> None:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tf:
        info = tarfile.TarInfo("fuse-aot-demo")
        info.size = 100_000
        tf.addfile(info, io.BytesIO(bytes(range(256)) * 400))
    keep = archive.Keep(member="fuse-aot-demo", dest=tmp_path / "out")
    blob = data.getvalue()[: len(data.getvalue()) // 2]
    listing = archive.read_tar_gz(io.BytesIO(blob), RULES.limits, frozenset(), keep).listing
    assert listing is not None
    assert listing.kept is None
    assert listing.error
