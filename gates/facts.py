"""Read a release once into frozen facts; the checks are pure functions of these.

Files are read in parallel (hashing and decompression release the GIL). Archives of the
AOT/CLI pairs and the integrity files are always read; other payloads only when the
source cannot vouch for their digest (a folder cannot, GitHub's `digest` field can).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from gates import archive
from gates.archive import ArchiveListing
from gates.contract import Contract
from gates.source import AssetRef, ReleaseRef, ReleaseSource
from harness.errors import HarnessError


@dataclass(frozen=True, kw_only=True)
class AssetFacts:
    ref: AssetRef
    sha256: str | None = None  # of the bytes we read; None when not read
    size_read: int | None = None
    listing: ArchiveListing | None = None
    text: str | None = None
    read_error: str = ""  # could not read (I/O, download): an `error`, not a finding


@dataclass(frozen=True, kw_only=True)
class WindowState:
    open: bool
    closes: date | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReleaseFacts:
    ref: ReleaseRef
    assets: tuple[AssetFacts, ...]
    window: WindowState

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
    if asset.name in (contract.checksums_name, contract.metadata_name):
        return True
    return is_pair_archive(asset.name) or asset.digest is None


def read_asset(source: ReleaseSource, release: ReleaseRef, asset: AssetRef,
               contract: Contract) -> AssetFacts:
    """Hash (and list, for archives) one asset in one pass."""
    if not _must_read(asset, contract):
        return AssetFacts(ref=asset)
    want = frozenset({contract.assets.build_info_member})
    try:
        with source.open(release, asset) as raw:
            if asset.name.endswith(".tar.gz"):
                result, text = archive.read_tar_gz(raw, contract.limits, want), None
            elif asset.name.endswith(".zip") and is_pair_archive(asset.name):
                result, text = archive.read_zip(raw, contract.limits, want), None
            else:
                keep = asset.name in (contract.checksums_name, contract.metadata_name)
                result, text = archive.read_plain(raw, keep)
    except (HarnessError, OSError) as exc:
        return AssetFacts(ref=asset, read_error=str(exc))
    return AssetFacts(ref=asset, sha256=result.sha256, size_read=result.size,
                      listing=result.listing, text=text)


def read_releases(source: ReleaseSource, releases: list[tuple[ReleaseRef, WindowState]],
                  contract: Contract) -> list[ReleaseFacts]:
    """Every asset of every release read in one parallel sweep."""
    with ThreadPoolExecutor(max_workers=worker_count()) as pool:
        pending = [
            (release, window, [pool.submit(read_asset, source, release, a, contract)
                               for a in source.assets(release)])
            for release, window in releases
        ]
        return [ReleaseFacts(ref=release, window=window,
                             assets=tuple(f.result() for f in futures))
                for release, window, futures in pending]


def worker_count() -> int:
    return max(2, min(8, (os.cpu_count() or 2)))
