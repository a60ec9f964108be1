"""Reading a release into facts: one asset's failure is that asset's read error, not the run's."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from gates import contract, runner
from gates.reading import facts as facts_module
from gates.reading.facts import Cancelled, read_asset
from gates.retention import WindowState
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


# -- the reads run while the caller goes on (gates/runner.py loads the checks meanwhile) ------


class SwitchSpy(FolderSource):
    """Records the thread switch interval each read starts under."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.intervals: list[float] = []

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        self.intervals.append(sys.getswitchinterval())
        return super().open(release, asset)


def test_reads_run_under_a_short_switch_interval_and_the_old_one_comes_back(release_line: Path) -> None:
    before, source = sys.getswitchinterval(), SwitchSpy(release_line)
    read_line(source)
    assert source.intervals and source.intervals == pytest.approx(
        [facts_module.SWITCH_INTERVAL] * len(source.intervals)
    )
    assert sys.getswitchinterval() == before
    with pytest.raises(Stopping), facts_module.start_reading(source, [], contract.load(None)):
        raise Stopping
    assert sys.getswitchinterval() == before


class Gated(FolderSource):
    """Every open waits until the test lets it go, so the reads are surely still running."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.go = threading.Event()
        self.opened = 0

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        self.go.wait(5)
        self.opened += 1
        return super().open(release, asset)


def test_leaving_the_reading_by_an_error_stops_the_reads_still_queued(release_line: Path) -> None:
    source, threads = Gated(release_line), threading.active_count()
    window = WindowState(open=True, closes=None, reason="")
    pairs = [(r, window) for r in source.releases()]
    queued = sum(len(source.assets(r)) for r, _ in pairs)
    with pytest.raises(KeyboardInterrupt), facts_module.start_reading(source, pairs, contract.load(None)):
        source.go.set()  # the readers already waiting finish the read they took; no other starts
        raise KeyboardInterrupt
    assert source.opened <= facts_module.worker_count() < queued
    assert threading.active_count() == threads


def test_the_checks_load_while_the_reads_run(release_line: Path) -> None:
    """A fresh interpreter: when the reads have been started, neither a check module nor the
    result model has been imported yet (runner imports them once the reads are under way).
    Judged when `start_reading` returns, on the main thread, so a busy machine that delays
    the reader threads cannot change the answer."""
    code = f"""
import sys
from datetime import UTC, datetime
from gates import contract, runner
from gates.sources.folder import FolderSource
from pathlib import Path
seen = []
real = runner.start_reading
def spy(*args, **kwargs):
    reading = real(*args, **kwargs)
    seen.append(any(m in sys.modules for m in ("gates.checks", "harness.results")))
    return reading
runner.start_reading = spy
now = datetime(2026, 3, 1, tzinfo=UTC)
runner.check(FolderSource(Path({str(release_line)!r})), "v0.7.x", contract.load(None), lambda: now)
print(seen[0], "gates.checks" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]
