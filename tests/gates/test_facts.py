"""Reading a release into facts: one asset's failure is that asset's read error, not the run's."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from gates import contract, runner
from gates.reading import facts as facts_module
from gates.reading.facts import Cancelled, WindowState, read_asset
from gates.sources.folder import FolderSource
from gates.sources.release import AssetRef, ReleaseRef
from harness.errors import InfraError
from harness.results import Outcome

NOW = datetime(2026, 3, 1, tzinfo=UTC)
BROKEN = "fuse-cli-linux-x64.tar.gz"


class Exploding(io.RawIOBase):
    """A stream whose reads fail in a way no reader foresaw."""

    def readable(self) -> bool:
        return True

    def readinto(self, _buffer: object) -> int:
        raise RuntimeError("decoder state corrupted")


class SurprisingSource(FolderSource):
    """A folder whose one asset fails with an exception outside the harness's own."""

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        if asset.name == BROKEN:
            return io.BufferedReader(Exploding())
        return super().open(release, asset)


def test_an_unexpected_error_reading_one_asset_is_its_read_error(
    make_release: Callable[..., Path],
) -> None:
    source = SurprisingSource(make_release("v0.7.0"))
    report = runner.check(source, "v0.7.0", contract.load(None), lambda: NOW)
    by_check = {r.check: r for r in report.results}
    assert by_check["A001"].outcome is Outcome.ERROR
    assert by_check["A001"].summary == (
        f"could not evaluate: {BROKEN}: unexpected RuntimeError while reading it "
        "(decoder state corrupted); rerun, and report it if it persists"
    )
    assert by_check["C003"].outcome is Outcome.PASSED  # the other assets were still read
    assert report.exit_code == 3


def test_an_interrupt_still_stops_the_reader(make_release: Callable[..., Path]) -> None:
    source = FolderSource(make_release("v0.7.0"))
    (release,) = source.releases()
    asset = next(a for a in source.assets(release) if a.name == BROKEN)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        read_asset(source, release, asset, contract.load(None), stop)


class OrderSource(FolderSource):
    """A folder source that records the order its assets are opened in."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.opened: list[str] = []

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        self.opened.append(asset.name)
        return super().open(release, asset)


def test_reads_start_largest_first_and_facts_keep_the_source_order(
    make_release: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts_module, "worker_count", lambda: 1)  # one worker: starts in order
    source = OrderSource(make_release("v0.7.0"))
    (release,) = source.releases()
    listed = source.assets(release)
    window = WindowState(open=True, closes=None, reason="")
    (read,) = facts_module.read_releases(source, [(release, window)], contract.load(None))
    assert [a.ref for a in read.assets] == listed
    sizes = {a.name: a.size for a in listed}
    assert [sizes[name] for name in source.opened] == sorted(sizes.values(), reverse=True)
    assert sorted(source.opened) == sorted(sizes)


class Stopping(BaseException):
    """What no reader catches (as KeyboardInterrupt and SystemExit are not caught)."""


class FailsAt(FolderSource):
    """A line whose second release cannot be listed, or whose opens raise `opens_raise`."""

    def __init__(self, root: Path, listing_raises: BaseException | None, opens_raise: bool = False) -> None:
        super().__init__(root)
        self.listing_raises = listing_raises
        self.opens_raise = opens_raise
        self.listed: list[str] = []

    def assets(self, release: ReleaseRef) -> list[AssetRef]:
        self.listed.append(release.tag)
        if self.listing_raises is not None and len(self.listed) == 2:
            raise self.listing_raises
        return super().assets(release)

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        if self.opens_raise:
            raise Stopping
        return super().open(release, asset)


def read_line(source: FolderSource) -> list[facts_module.ReleaseFacts]:
    window = WindowState(open=True, closes=None, reason="")
    return facts_module.read_releases(source, [(r, window) for r in source.releases()], contract.load(None))


@pytest.mark.parametrize("error", [InfraError("github:o/r: assets of v0.7.1: HTTP 502"), KeyboardInterrupt()])
def test_a_release_that_cannot_be_listed_stops_every_reader_and_is_raised(
    release_line: Path, error: BaseException
) -> None:
    source, threads = FailsAt(release_line, error), threading.active_count()
    with pytest.raises(type(error)) as raised:
        read_line(source)
    assert raised.value is error and len(source.listed) == 2
    assert threading.active_count() == threads  # no reader left running


def test_what_a_reader_raises_past_read_asset_is_raised(release_line: Path) -> None:
    threads = threading.active_count()
    with pytest.raises(Stopping):
        read_line(FailsAt(release_line, None, opens_raise=True))
    assert threading.active_count() == threads


def test_every_release_of_a_line_is_read_in_the_sources_order(release_line: Path) -> None:
    source = FailsAt(release_line, None)
    read = read_line(source)
    assert [f.ref.tag for f in read] == source.listed
    assert [[a.ref for a in f.assets] for f in read] == [source.assets(f.ref) for f in read]
    assert all(a.sha256 for f in read for a in f.assets if a.ref.name.endswith(".tar.gz"))
