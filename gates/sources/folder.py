"""A release source on disk: one release laid out like FUSE's `dist/`, or one sub-folder per tag.

A folder's publication time is the `generatedAtUtc` of its release-artifacts.json (FUSE's CI
sets it from the commit time); without one, or with one that is not `YYYY-MM-DDTHH:MM:SSZ`
(an I004 finding), the time is unknown.

A release folder's assets are its regular files (a symlink to one too); every other entry (a
folder, a FIFO, a socket, a device, a dangling or looping symlink) is a stray the gate names
(A003) and never opens: opening a FIFO blocks until a writer comes.
"""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from gates.sources.release import TAG_RE, AssetRef, ReleaseRef, StrayEntry
from harness import bounded_read
from harness.errors import ConfigError, InfraError
from harness.stamps import read_stamp
from harness.text import printable

METADATA = "release-artifacts.json"
MAX_METADATA_BYTES = 16 * bounded_read.MiB


def _published_at(folder: Path) -> datetime | None:
    try:
        data = bounded_read.parse_json(bounded_read.read_bytes(folder / METADATA, MAX_METADATA_BYTES))
        return read_stamp(data["generatedAtUtc"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _entry_kind(path: Path) -> str:
    """ "" for a regular file (or a symlink to one), else what the entry is, in words."""
    link = path.is_symlink()
    try:
        mode = path.stat().st_mode  # stat, never open: a FIFO would block
    except OSError as exc:
        what = "a symlink that leads to no file" if link else "an entry that cannot be examined"
        return f"{what} ({exc.strerror})"
    if stat.S_ISREG(mode):
        return ""
    return ("a symlink to " if link else "") + bounded_read.kind_of(mode)


def _looks_like_release(folder: Path) -> bool:
    return any(
        p.is_file() and (p.name.startswith("fuse-") or p.name == "SHA256SUMS") for p in folder.iterdir()
    )


class FolderSource:
    """Releases in a local folder."""

    def __init__(self, root: Path, *, single_tag: str | None = None) -> None:
        if not root.is_dir():
            raise ConfigError(
                f"--source: {root} is not a folder; pass a dist/ folder "
                "or a folder with one sub-folder per tag"
            )
        self.root = root
        self.single_tag = single_tag
        self.description = f"folder {printable(str(root))}"
        self._deleted = 0

    def _release(self, folder: Path, tag: str) -> ReleaseRef:
        return ReleaseRef(
            tag=tag, location=printable(str(folder)), published_at=_published_at(folder), key=str(folder)
        )

    def releases(self) -> list[ReleaseRef]:
        try:
            if _looks_like_release(self.root):
                return [self._release(self.root, self._single_tag())]
            return [
                self._release(sub, sub.name)
                for sub in sorted(self.root.iterdir())
                if sub.is_dir() and TAG_RE.match(sub.name)
            ]
        except OSError as exc:
            raise InfraError(f"{self.root}: cannot list releases ({exc.strerror})") from exc

    def _single_tag(self) -> str:
        if TAG_RE.match(self.root.name):
            return self.root.name
        if self.single_tag and TAG_RE.match(self.single_tag):
            return self.single_tag
        raise ConfigError(
            f"--source: {self.root} holds a single release whose tag is unknown; "
            "pass --release with a tag (v0.7.0), or name the folder after the tag"
        )

    def _entries(self, release: ReleaseRef) -> list[tuple[Path, str]]:
        """Every entry of a release folder, sorted, with what it is ("": a regular file)."""
        folder = Path(release.key)
        try:
            return [(p, _entry_kind(p)) for p in sorted(folder.iterdir())]
        except OSError as exc:
            raise InfraError(f"{folder}: cannot list assets ({exc.strerror})") from exc

    def assets(self, release: ReleaseRef) -> list[AssetRef]:
        """The files of a release folder. A name that is not UTF-8 is shown as \\xNN in the
        name and location (which reports print); the key keeps the real path to open."""
        try:
            return [
                AssetRef(
                    name=printable(p.name), size=p.stat().st_size, location=printable(str(p)), key=str(p)
                )
                for p, kind in self._entries(release)
                if not kind
            ]
        except OSError as exc:
            raise InfraError(f"{release.key}: cannot list assets ({exc.strerror})") from exc

    def strays(self, release: ReleaseRef) -> list[StrayEntry]:
        return [
            StrayEntry(name=printable(p.name), what=kind, location=printable(str(p)))
            for p, kind in self._entries(release)
            if kind
        ]

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        try:
            return bounded_read.open_regular(asset.key)  # never a FIFO swapped in since the listing
        except OSError as exc:
            raise InfraError(f"{asset.location}: cannot read ({exc.strerror})") from exc

    def delete(self, release: ReleaseRef, asset: AssetRef) -> None:
        try:
            Path(asset.key).unlink()
        except OSError as exc:
            raise InfraError(f"{asset.location}: cannot delete ({exc.strerror})") from exc
        self._deleted += 1

    def stats(self) -> dict[str, Any]:
        return {"source": "folder", "deleted": self._deleted}
