"""Read a release once into frozen facts; the checks are pure functions of these.

Files are read in parallel (hashing and decompression release the GIL) on a few plain
threads (`_Readers`): concurrent.futures would do, but its import (logging, traceback,
string and textwrap under it) costs every `gate check` about 4 ms of start-up. Archives of
the AOT/CLI pairs and the VSIX (listed, for its fuse-lsp), the integrity files and the sidecars
(SBOMs, signatures, certificates, provenance: small texts, held up to 4 MiB) are always
read; other files only when the source cannot vouch for their digest (a folder cannot,
GitHub's `digest` field can).
When asked (`keep_binaries`), the same pass copies each AOT archive's primary binary to a
folder the caller owns, for the binary size check (S002).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, cast

from gates.assets import is_sidecar, is_vsix
from gates.contract import Contract, asset_name, exe
from gates.reading import archive
from gates.reading.archive import ArchiveListing, Keep
from gates.retention import WindowState
from gates.sources.release import AssetRef, ReleaseRef, ReleaseSource, StrayEntry
from harness.errors import HarnessError
from harness.text import printable


@dataclass(frozen=True, kw_only=True)
class AssetFacts:
    ref: AssetRef
    sha256: str | None = None  # of the bytes we read; None when not read
    size_read: int | None = None
    listing: ArchiveListing | None = None
    text: str | None = None
    read_error: str = ""  # could not read (I/O, download): an `error`, not a finding


@dataclass(frozen=True, kw_only=True)
class ReleaseFacts:
    ref: ReleaseRef
    assets: tuple[AssetFacts, ...]
    window: WindowState
    checked_at: datetime | None = None  # when the gate runs (its clock, or --as-of)
    # why `gate prune` never deletes its bundles, whatever its window ("": once the window
    # closes it may, so a listed bundle that is gone counts as pruned; gates/prune.py)
    prune_keeps: str = "gate prune was not asked about it"
    strays: tuple[StrayEntry, ...] = ()  # entries that are no file, never read (A003 names them)

    def asset(self, name: str) -> AssetFacts | None:
        return next((a for a in self.assets if a.ref.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.ref.name for a in self.assets)


def is_pair_archive(name: str) -> bool:
    return name.startswith(("fuse-aot-", "fuse-cli-")) and name.endswith((".tar.gz", ".zip"))


def _must_read(asset: AssetRef, contract: Contract) -> bool:
    if asset.state != "uploaded":
        return False  # nothing complete to read; A002 reports it
    if _keeps_text(asset.name, contract) or is_vsix(contract, asset.name):
        return True
    return is_pair_archive(asset.name) or asset.digest is None


def _keeps_text(name: str, contract: Contract) -> bool:
    return name in (contract.checksums_name, contract.metadata_name) or is_sidecar(contract, name)


class Cancelled(Exception):
    """The run was interrupted: readers stop at their next chunk."""


def _poller(stop: threading.Event) -> archive.Poll:
    """What the readers call between chunks of CPU-bound work: raise once the run is over."""

    def poll() -> None:
        if stop.is_set():
            raise Cancelled

    return poll


class _Cancellable:
    """A stream whose reads stop once `stop` is set (so Ctrl-C does not wait for big files)."""

    def __init__(self, raw: IO[bytes], stop: threading.Event) -> None:
        self.raw = raw
        self.stop = stop

    def read(self, n: int = -1) -> bytes:
        if self.stop.is_set():
            raise Cancelled
        return self.raw.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return True


def _keep(
    release: ReleaseRef, asset: AssetRef, contract: Contract, keep_binaries: Path | None
) -> Keep | None:
    """The primary binary to copy out of an AOT archive, when binaries are kept."""
    if keep_binaries is None:
        return None
    for platform in contract.platforms:
        if asset.name == asset_name(contract.assets.primary, platform):
            member = exe(contract.assets.primary_binary, platform)
            dest = keep_binaries / release.tag / f"{platform}-{Path(member).name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            return Keep(member=member, dest=dest)
    return None


def _read(
    source: ReleaseSource,
    release: ReleaseRef,
    asset: AssetRef,
    contract: Contract,
    stop: threading.Event,
    keep_binaries: Path | None,
) -> AssetFacts:
    want = frozenset({contract.assets.build_info_member})
    binary = _keep(release, asset, contract, keep_binaries)
    with source.open(release, asset) as opened:
        raw = cast(IO[bytes], _Cancellable(opened, stop))
        if asset.name.endswith(".tar.gz"):
            result, text = archive.read_tar_gz(raw, contract.limits, want, binary, _poller(stop)), None
        elif asset.name.endswith(".zip") and is_pair_archive(asset.name):
            result, text = archive.read_zip(raw, contract.limits, want, binary, _poller(stop)), None
        elif is_vsix(contract, asset.name):
            limits = replace(contract.limits, max_members=contract.limits.max_vsix_members)
            result, text = archive.read_zip(raw, limits, frozenset(), None, _poller(stop)), None
        else:
            result, text = archive.read_plain(raw, _keeps_text(asset.name, contract))
        verify = getattr(opened, "verified_by", None)  # a cached copy: checked by this read's hash
        if verify is not None:
            verify(result.sha256, result.size)
    return AssetFacts(
        ref=asset, sha256=result.sha256, size_read=result.size, listing=result.listing, text=text
    )


def read_asset(
    source: ReleaseSource,
    release: ReleaseRef,
    asset: AssetRef,
    contract: Contract,
    stop: threading.Event | None = None,
    keep_binaries: Path | None = None,
) -> AssetFacts:
    """Hash (and list, for archives) one asset in one pass.

    Whatever goes wrong reading it is this asset's read error (A001 names it), never the run's.
    """
    if not _must_read(asset, contract):
        return AssetFacts(ref=asset)
    try:
        return _read(source, release, asset, contract, stop or threading.Event(), keep_binaries)
    except Cancelled:
        raise
    except (HarnessError, OSError) as exc:
        return AssetFacts(ref=asset, read_error=printable(str(exc)))
    except Exception as exc:  # a reader's bug or input no reader foresaw: this asset only
        return AssetFacts(
            ref=asset,
            read_error=printable(
                f"unexpected {type(exc).__name__} while reading it ({exc}); "
                "rerun, and report it if it persists"
            ),
        )


class _Readers:
    """Threads that read the assets queued for them, in the order queued: each release's reads
    start while the next release is still being listed. Once `stop` is set, the reads still
    queued are dropped and those running end at their next chunk."""

    def __init__(self, count: int, stop: threading.Event) -> None:
        self.stop = stop
        self.todo: queue.SimpleQueue[tuple[int, Callable[[], AssetFacts]] | None] = queue.SimpleQueue()
        self.done: dict[int, AssetFacts] = {}  # ticket -> the facts read
        self.failed: list[BaseException] = []  # a read's error beyond what read_asset catches
        self.queued = 0
        self.threads = [threading.Thread(target=self._work, name=f"gate-reader-{n}") for n in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        while (item := self.todo.get()) is not None:
            ticket, read = item
            if self.stop.is_set():
                continue
            try:
                self.done[ticket] = read()
            except BaseException as exc:  # Cancelled once stopped, or a read's own failure
                self.failed.append(exc)
                self.stop.set()

    def submit(self, read: Callable[[], AssetFacts]) -> int:
        """Queue `read`; its ticket, under which `done` holds the facts once `close` returns."""
        self.queued += 1
        self.todo.put((self.queued, read))
        return self.queued

    def close(self) -> None:
        """Wait until every thread has ended (safe to call again, e.g. after an interrupt)."""
        for _ in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()


def read_releases(
    source: ReleaseSource,
    releases: list[tuple[ReleaseRef, WindowState]],
    contract: Contract,
    keep_binaries: Path | None = None,
) -> list[ReleaseFacts]:
    """Every asset of every release read in one parallel sweep; Ctrl-C stops the readers.

    With `keep_binaries`, each AOT archive's primary binary is copied under that folder.
    """
    with start_reading(source, releases, contract, keep_binaries) as reading:
        return reading.facts()


SWITCH_INTERVAL = 0.0002  # seconds, while reads run (start_reading)
# a release read, with the tickets of its assets' reads and its stray entries
Pending = tuple[ReleaseRef, WindowState, list[int], list[StrayEntry]]


class Reading:
    """A sweep under way (`start_reading`): `facts` waits for its end. Leaving the `with` block
    any other way (Ctrl-C, an error) stops the readers, and waits for them, first. Either way
    the thread switch interval it was started under comes back."""

    def __init__(self, readers: _Readers, pending: list[Pending], switch_interval: float) -> None:
        self.readers, self.pending, self.switch_interval = readers, pending, switch_interval

    def facts(self) -> list[ReleaseFacts]:
        self._end()
        if self.readers.failed:
            raise self.readers.failed[0]
        done = self.readers.done
        return [
            ReleaseFacts(
                ref=release, window=window, assets=tuple(done[t] for t in tickets), strays=tuple(strays)
            )
            for release, window, tickets, strays in self.pending
        ]

    def _end(self) -> None:
        self.readers.close()
        sys.setswitchinterval(self.switch_interval)

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:  # Ctrl-C, or an error on this thread: stop every reader
            self.readers.stop.set()
        self._end()


def start_reading(
    source: ReleaseSource,
    releases: list[tuple[ReleaseRef, WindowState]],
    contract: Contract,
    keep_binaries: Path | None = None,
) -> Reading:
    """Start reading every asset of every release; the releases are listed on this thread.

    Until the reading ends, the interpreter's thread switch interval is short: a reader wants
    the GIL for a moment between chunks, and with the default 5 ms it would wait that long for
    each one while this thread runs Python (loading the checks, gates/runner.py)."""
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    stop = threading.Event()
    readers = _Readers(worker_count(), stop)

    def submitted(release: ReleaseRef) -> list[int]:
        """The release's reads, started largest first (so no big file starts last while the
        other workers sit idle), their tickets in the source's order."""
        assets = source.assets(release)
        tickets: dict[int, int] = {}
        for i in sorted(range(len(assets)), key=lambda i: -assets[i].size):
            read = partial(read_asset, source, release, assets[i], contract, stop, keep_binaries)
            tickets[i] = readers.submit(read)
        return [tickets[i] for i in range(len(assets))]

    try:
        pending = [
            (release, window, submitted(release), list(source.strays(release)))
            for release, window in releases
        ]
    except BaseException:  # Ctrl-C, or a release could not be listed: stop every reader
        stop.set()
        readers.close()
        sys.setswitchinterval(switch_interval)
        raise
    return Reading(readers, pending, switch_interval)


def worker_count() -> int:
    return max(2, min(8, (os.cpu_count() or 2)))
