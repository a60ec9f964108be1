"""Downloads once: a content-addressed on-disk cache of GitHub release assets, keyed by the
`digest` GitHub publishes for each asset (`sha256:<hex>`).

A download is stored only when its bytes hash to the published digest (a mismatch is the
release's finding, I006, and never enters the cache). A cached copy is verified on every
read by the hash the gate computes anyway while reading it (gates/reading/facts.py hands it to
`VerifiedCopy.verified_by`), so a warm run hashes each byte once, as the folder source does: a
copy that no longer matches is deleted and its read fails as could-not-evaluate (A001, exit
3), naming the cache, never as a finding of the release; the next run downloads it anew.
Entries are written to a temporary name and renamed into place, so parallel readers and a
killed run never see half an entry. The cache lives under GATE_CACHE_DIR (beside the ETag
cache) and is shared by every run and repository; a cache that cannot be written is not used.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from harness.errors import InfraError

CHUNK = 1 << 20
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})\Z")


@dataclass
class Tally:
    downloaded_bytes: int = 0
    cached_bytes: int = 0  # bytes served from the cache
    hits: int = 0
    corrupt: int = 0  # cached copies that no longer matched their digest (deleted)


def _hash_of(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


class AssetCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tally = Tally()
        self._lock = threading.Lock()

    @classmethod
    def open(cls, root: Path) -> AssetCache | None:
        folder = root / "assets" / "sha256"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return cls(folder)

    def _path(self, digest: str | None) -> Path | None:
        match = _DIGEST.match(digest or "")
        return self.folder / match[1][:2] / match[1] if match else None

    def get(self, digest: str | None) -> IO[bytes] | None:
        """The cached bytes of `digest`, verified as they are read; None when absent."""
        path = self._path(digest)
        if path is None:
            return None
        try:
            handle = path.open("rb")
        except OSError:
            return None
        with self._lock:
            self.tally.hits += 1
        return cast(IO[bytes], VerifiedCopy(handle, path, self))

    def count_read(self, size: int) -> None:
        with self._lock:
            self.tally.cached_bytes += size

    def discard(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        with self._lock:
            self.tally.corrupt += 1

    def put(self, digest: str | None, downloaded: IO[bytes]) -> IO[bytes]:
        """Count a download and keep it when it matches `digest`; returns it rewound."""
        actual, size = _hash_of(downloaded)
        with self._lock:
            self.tally.downloaded_bytes += size
        path = self._path(digest)
        if path is not None and path.name == actual:
            self._store(path, downloaded)
        return downloaded

    def _store(self, path: Path, downloaded: IO[bytes]) -> None:
        part: Path | None = None
        try:
            path.parent.mkdir(exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False) as out:
                part = Path(out.name)
                shutil.copyfileobj(downloaded, out, CHUNK)
            part.replace(path)
        except OSError:  # a full or read-only cache: the run goes on without it
            if part is not None:
                part.unlink(missing_ok=True)
        finally:
            downloaded.seek(0)


class VerifiedCopy:
    """A cached copy, verified by the reader's own hash of it: the gate hashes every byte it
    reads once (gates/reading/archive.py), and `verified_by` checks that hash against the copy's
    name, the digest. Hashing it a second time here would double the cost of a warm run."""

    def __init__(self, handle: IO[bytes], path: Path, cache: AssetCache) -> None:
        self.handle, self.path, self.cache = handle, path, cache

    def verified_by(self, sha256_hex: str, size: int) -> None:
        """Raise (after deleting the copy) when the bytes read are not the digest's."""
        if sha256_hex == self.path.name:
            self.cache.count_read(size)
            return
        self.cache.discard(self.path)
        raise InfraError(
            f"{self.path}: the cached copy no longer matches its digest (the cache is corrupt or "
            "was changed); it was deleted, rerun to download it again"
        )

    def read(self, n: int = -1) -> bytes:
        return self.handle.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> VerifiedCopy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
