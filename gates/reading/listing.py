"""What reading an archive yields, whatever its kind: the members as extraction would write
them, the small texts the checks read, the problems (C007) and the limits that stop a walk.

The tar and zip readers feed members to one `Lister` in archive order; it keeps the
virtual tree (gates/reading/extracted.py), so a duplicate, a link that resolves outside or a
device is judged the same way for both kinds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from gates.contract import ArchiveLimits
from gates.reading.extracted import ExtractedTree, normal
from gates.reading.gzipstream import CHUNK
from gates.reading.tarstream import LimitReached, Sink
from harness.text import printable

MAX_TEXT_MEMBER = 64 * 1024
SAFE_KINDS = ("file", "dir", "symlink", "hardlink")
KIND_WORDS = {"chardev": "a character device", "blockdev": "a block device", "fifo": "a FIFO"}

Poll = Callable[[], None]  # raises to stop a long walk (the run was interrupted)


def no_poll() -> None:
    """The default: nothing interrupts the walk."""


@dataclass(frozen=True, kw_only=True)
class Member:
    name: str  # as spelled in the archive (after every header that renames it)
    kind: str  # file, dir, symlink, hardlink, chardev, blockdev, fifo, other
    size: int
    mode: int
    link: str = ""

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)

    @property
    def path(self) -> str:
        """Where extraction writes it, relative to the root (`./a//b` is `a/b`)."""
        return normal(self.name)


@dataclass(frozen=True, kw_only=True)
class ArchiveListing:
    members: tuple[Member, ...]  # in archive order, every copy of a duplicate included
    texts: dict[str, str]  # path -> text of the last copy of each small member asked for
    problems: tuple[str, ...]  # unsafe content: escapes, links out, duplicates, devices, limits
    error: str = ""  # not a readable archive at all
    truncated: bool = False  # listing stopped at a safety limit: members are incomplete
    kept: Path | None = None  # where the member asked for by `Keep` was copied, complete


@dataclass(frozen=True, kw_only=True)
class Keep:
    """Copy one regular member (the AOT binary, for S002) to `dest` during the same walk."""

    member: str
    dest: Path


@dataclass(frozen=True, kw_only=True)
class ReadResult:
    sha256: str
    size: int
    listing: ArchiveListing | None


class Stop(LimitReached):
    """Listing stops early: the archive broke a safety limit."""


class Unreadable(Exception):
    """A member cannot be read at all: the archive is not usable as a bundle."""


class HashingReader:
    """Wraps a stream; every byte read through it is hashed and counted."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass

    def result(self, listing: ArchiveListing | None) -> ReadResult:
        return ReadResult(sha256=self.digest.hexdigest(), size=self.size, listing=listing)


def is_absolute(name: str) -> bool:
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")


def unsafe_name(name: str) -> str:
    """Why a member name is unsafe to extract, or '' when it is fine."""
    if is_absolute(name):
        return f"member '{name}' has an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return f"member '{name}' escapes the archive with '..'"
    return ""


def unsafe_kind(member: Member) -> str:
    if member.kind in SAFE_KINDS:
        return ""
    what = KIND_WORDS.get(member.kind, f"of a kind extractors treat differently ({member.kind})")
    return f"member '{member.name}' is {what}: a bundle holds only files, folders and links"


class Lister:
    """Collects members and enforces the limits while an archive is walked."""

    def __init__(self, limits: ArchiveLimits, want: frozenset[str], keep: Keep | None) -> None:
        self.limits = limits
        self.want = frozenset(normal(w) for w in want)
        self.keep = keep
        self.members: list[Member] = []
        self.texts: dict[str, bytearray] = {}
        self.problems: list[str] = []
        self.tree = ExtractedTree()
        self.unpacked = 0
        self.kept: tuple[BinaryIO, int] | None = None  # the open copy and the member's size
        self.kept_whole = False

    def add(self, member: Member, decoded: tuple[str, str] | None = None) -> None:
        """`decoded`: the member's name and link as decoded, bytes that are not UTF-8 as lone
        surrogates. They are judged so, as extraction writes them byte for byte: `member` shows
        those bytes as \\xNN, and that backslash is no root or folder separator."""
        name, link = decoded or (member.name, member.link)
        self.members.append(member)
        self.unpacked += member.size
        found = (unsafe_name(name), unsafe_kind(member), *self.tree.add(name, member.kind, link))
        self.problems += [printable(p) for p in found if p]
        if len(self.members) > self.limits.max_members:
            raise Stop(f"has more than {self.limits.max_members} members")
        if member.size > self.limits.max_member_bytes:
            raise Stop(
                f"member '{member.name}' is {member.size} bytes (limit {self.limits.max_member_bytes})"
            )
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise Stop(f"unpacks to more than {self.limits.max_unpacked_bytes} bytes (decompression bomb?)")

    def sink_for(self, member: Member) -> Sink | None:
        """Where a wanted member's data goes: a small text, or the one member to keep.

        Extraction keeps the last copy of a duplicate, so each copy starts afresh."""
        path = member.path
        self.texts.pop(path, None)
        if member.kind != "file":
            if self.keep and path == normal(self.keep.member):  # a link or folder replaces it
                self.close()
                self.kept, self.kept_whole = None, False
            return None
        if path in self.want and member.size <= MAX_TEXT_MEMBER:
            return self.texts.setdefault(path, bytearray()).extend
        if self.keep and path == normal(self.keep.member):
            self.close()
            self.kept = (self.keep.dest.open("wb"), member.size)
            return self.kept[0].write
        return None

    def close(self) -> None:
        if self.kept is not None and not self.kept[0].closed:
            self.kept_whole = self.kept[0].tell() == self.kept[1]
            self.kept[0].close()

    def listing(self, error: str, *, truncated: bool) -> ArchiveListing:
        kept = self.keep.dest if self.keep and self.kept_whole and not error else None
        texts = {name: data.decode("utf-8", "replace") for name, data in self.texts.items()}
        if not error and not truncated:
            self.problems += [printable(p) for p in self.tree.finish()]
        return ArchiveListing(
            members=tuple(self.members),
            texts=texts,
            kept=kept,
            problems=tuple(dict.fromkeys(self.problems)),
            error=error,
            truncated=truncated,
        )
