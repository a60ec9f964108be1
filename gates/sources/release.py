"""Where releases come from. Every source (a folder, GitHub Releases) speaks this interface,
so the checks never know which one they read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Protocol

from harness.errors import ConfigError

# ASCII digits, at most nine to a number (a tag of 5,000 digits is no version int() takes), and
# `\Z`, not `$` (which also matches before a final newline: "v0.7.1\n" was a release of v0.7.x)
TAG_RE = re.compile(
    r"v(?P<major>[0-9]{1,9})\.(?P<minor>[0-9]{1,9})\.(?P<patch>[0-9]{1,9})(?P<pre>-[0-9A-Za-z.-]+)?\Z"
)
LINE_RE = re.compile(r"v(?P<major>[0-9]{1,9})\.(?P<minor>[0-9]{1,9})\.x\Z")


@dataclass(frozen=True, kw_only=True)
class ReleaseRef:
    tag: str
    location: str  # folder path or URL, for messages
    published_at: datetime | None = None
    draft: bool = False
    prerelease: bool = False  # as the source flags it (GitHub); see is_prerelease
    immutable: bool = False
    key: str = ""  # source-specific id
    published: bool = False  # a release its source has published (GitHub, not a draft); a folder: no

    @property
    def version(self) -> str:
        return self.tag.removeprefix("v")

    @property
    def is_prerelease(self) -> bool:
        """Flagged so by its source, or tagged so (a SemVer suffix: v0.7.2-rc1). A folder
        release knows only its tag."""
        match = TAG_RE.match(self.tag)
        return self.prerelease or bool(match and match["pre"])

    @property
    def line(self) -> str:
        return line_of(self.tag)


@dataclass(frozen=True, kw_only=True)
class AssetRef:
    name: str
    size: int
    location: str
    digest: str | None = None  # "sha256:<hex>" when the source knows it without reading
    state: str = "uploaded"
    key: str = ""


@dataclass(frozen=True, kw_only=True)
class StrayEntry:
    """An entry of a release that is no file (a folder, a FIFO, a dangling symlink): never
    opened, since opening a FIFO blocks; A003 names it."""

    name: str
    what: str  # "a FIFO (named pipe)", "a symlink that leads to no file (...)"
    location: str


class ReleaseSource(Protocol):
    """A place that holds releases and their assets."""

    description: str

    def releases(self) -> list[ReleaseRef]:
        """Every release the source can see (drafts included when visible)."""
        ...

    def assets(self, release: ReleaseRef) -> list[AssetRef]:
        """The release's assets, in any order."""
        ...

    def strays(self, release: ReleaseRef) -> list[StrayEntry]:
        """The release's entries that are not files (only a folder has any)."""
        ...

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        """A seekable binary stream of the asset's bytes; the caller closes it."""
        ...

    def delete(self, release: ReleaseRef, asset: AssetRef) -> None:
        """Remove one asset (used by `gate prune --apply` only)."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counters for the report (API calls, cache hits, ...)."""
        ...


def version_key(tag: str) -> tuple[int, int, int, int, str]:
    match = TAG_RE.match(tag)
    if match is None:
        return (-1, -1, -1, -1, tag)
    pre = match["pre"] or ""
    # a release sorts after its own pre-releases
    return (int(match["major"]), int(match["minor"]), int(match["patch"]), 0 if pre else 1, pre)


def line_of(tag: str) -> str:
    match = TAG_RE.match(tag)
    return f"v{match['major']}.{match['minor']}.x" if match else tag


def check_selector(selector: str) -> str:
    """A tag (`v0.7.0`) or a line (`v0.7.x`); anything else is a usage error."""
    if TAG_RE.match(selector) or LINE_RE.match(selector):
        return selector
    raise ConfigError(f"--release: '{selector}' is neither a tag like v0.7.0 nor a line like v0.7.x")


def is_line(selector: str) -> bool:
    return LINE_RE.match(selector) is not None


def select(releases: Iterable[ReleaseRef], selector: str) -> list[ReleaseRef]:
    """The published releases a selector names, oldest first."""
    check_selector(selector)
    if is_line(selector):
        chosen = [r for r in releases if r.line == selector and not r.draft]
    else:
        chosen = [r for r in releases if r.tag == selector]
    return sorted(chosen, key=lambda r: version_key(r.tag))


def releases_of_line(releases: Iterable[ReleaseRef], line: str) -> list[ReleaseRef]:
    return sorted((r for r in releases if r.line == line and not r.draft), key=lambda r: version_key(r.tag))
