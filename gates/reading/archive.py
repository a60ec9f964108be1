"""Read an untrusted archive once: hash its bytes and list its members in the same pass.

Nothing is ever extracted to disk. Member names that escape (`../`, absolute paths),
links that point out, too many members and too many unpacked bytes (a decompression
bomb) are reported as problems and stop the listing; the hash is still completed.
"""

from __future__ import annotations

import hashlib
import posixpath
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from gates.contract import ArchiveLimits
from gates.reading.gzipstream import CHUNK, inflate
from gates.reading.tarstream import LimitReached, Sink, TarStream
from harness.results import printable

MAX_TEXT_MEMBER = 64 * 1024
MAX_TEXT_FILE = 4 * 1024 * 1024
ZIP_ENCRYPTED = 0x1  # general purpose flag bit 0


@dataclass(frozen=True, kw_only=True)
class Member:
    name: str
    kind: str  # file, dir, symlink, hardlink, other
    size: int
    mode: int
    link: str = ""

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)


@dataclass(frozen=True, kw_only=True)
class ArchiveListing:
    members: tuple[Member, ...]
    texts: dict[str, str]  # small members we were asked to read (e.g. AOT_BUILD_INFO.txt)
    problems: tuple[str, ...]  # unsafe content: escapes, links out, limits
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


class _Stop(LimitReached):
    """Listing stops early: the archive broke a safety limit."""


class _Unreadable(Exception):
    """A member cannot be read at all: the archive is not usable as a bundle."""


class HashingReader:
    """Wraps a stream; every byte read through it is hashed and counted."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def is_absolute(name: str) -> bool:
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")


def unsafe_name(name: str) -> str:
    """Why a member name is unsafe to extract, or '' when it is fine."""
    if is_absolute(name):
        return f"member '{name}' has an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return f"member '{name}' escapes the archive with '..'"
    return ""


def unsafe_link(member: Member) -> str:
    if member.kind not in ("symlink", "hardlink"):
        return ""
    target = member.link.replace("\\", "/")
    # a symlink resolves from its own folder; a tar hardlink names a member from the root
    base = PurePosixPath(member.name).parent if member.kind == "symlink" else PurePosixPath()
    resolved = posixpath.normpath(str(base / target))
    if is_absolute(target) or resolved == ".." or resolved.startswith("../"):
        return f"{member.kind} '{member.name}' points outside the archive ('{member.link}')"
    return ""


class _Lister:
    """Collects members and enforces the limits while an archive is walked."""

    def __init__(self, limits: ArchiveLimits, want: frozenset[str], keep: Keep | None) -> None:
        self.limits = limits
        self.want = want
        self.keep = keep
        self.members: list[Member] = []
        self.texts: dict[str, bytearray] = {}
        self.problems: list[str] = []
        self.unpacked = 0
        self.kept: tuple[BinaryIO, int] | None = None  # the open copy and the member's size
        self.kept_whole = False

    def add(self, member: Member) -> None:
        self.members.append(member)
        self.unpacked += member.size
        self.problems += [p for p in (unsafe_name(member.name), unsafe_link(member)) if p]
        if len(self.members) > self.limits.max_members:
            raise _Stop(f"has more than {self.limits.max_members} members")
        if member.size > self.limits.max_member_bytes:
            raise _Stop(
                f"member '{member.name}' is {member.size} bytes (limit {self.limits.max_member_bytes})"
            )
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise _Stop(f"unpacks to more than {self.limits.max_unpacked_bytes} bytes (decompression bomb?)")

    def sink_for(self, member: Member) -> Sink | None:
        """Where a wanted member's data goes: a small text, or the one member to keep."""
        if member.kind != "file":
            return None
        if member.name in self.want and member.size <= MAX_TEXT_MEMBER:
            return self.texts.setdefault(member.name, bytearray()).extend
        if self.keep and not self.kept and member.name.removeprefix("./") == self.keep.member:
            self.kept = (self.keep.dest.open("wb"), member.size)
            return self.kept[0].write
        return None

    def close(self) -> None:
        if self.kept is not None and not self.kept[0].closed:
            self.kept_whole = self.kept[0].tell() == self.kept[1]
            self.kept[0].close()

    def listing(self, error: str = "", *, truncated: bool = False) -> ArchiveListing:
        kept = self.keep.dest if self.keep and self.kept_whole and not error else None
        texts = {name: data.decode("utf-8", "replace") for name, data in self.texts.items()}
        return ArchiveListing(
            members=tuple(self.members),
            texts=texts,
            kept=kept,
            problems=tuple(self.problems),
            error=error,
            truncated=truncated,
        )


def _tar_member(info: tarfile.TarInfo) -> Member:
    kind = (
        "file"
        if info.isreg()
        else "dir"
        if info.isdir()
        else "symlink"
        if info.issym()
        else "hardlink"
        if info.islnk()
        else "other"
    )
    # names were decoded with surrogateescape: bytes that are not UTF-8 become \xNN here, once
    return Member(
        name=printable(info.name), kind=kind, size=info.size, mode=info.mode, link=printable(info.linkname)
    )


def _tar_parser(lister: _Lister) -> TarStream:
    def on_member(info: tarfile.TarInfo) -> Sink | None:
        member = _tar_member(info)
        lister.add(member)
        return lister.sink_for(member)

    return TarStream(on_member)


def read_tar_gz(
    raw: IO[bytes], limits: ArchiveLimits, want: frozenset[str], keep: Keep | None = None
) -> ReadResult:
    """Hash and list a .tar.gz in one sequential pass (copying out `keep`'s member)."""
    reader = HashingReader(raw)
    lister = _Lister(limits, want, keep)
    error, truncated = "", False
    try:
        parser = _tar_parser(lister)
        # the budget has slack for tar headers and padding beyond the declared sizes
        inflate(reader.read, parser.feed, limits.max_unpacked_bytes + 1024 * 1024)
        if not parser.complete:
            raise EOFError("tar stream ends inside a member")
    except LimitReached as stop:
        lister.problems.append(f"archive {stop}")
        truncated = True
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        error = f"not a readable tar.gz ({exc})"
    finally:
        lister.close()
    reader.drain()
    return ReadResult(
        sha256=reader.digest.hexdigest(), size=reader.size, listing=lister.listing(error, truncated=truncated)
    )


def _zip_member(info: zipfile.ZipInfo) -> Member:
    mode = info.external_attr >> 16
    kind = "dir" if info.is_dir() else "symlink" if stat.S_ISLNK(mode) else "file"
    return Member(name=info.filename, kind=kind, size=info.file_size, mode=mode & 0o7777)


def _walk_zip(archive: zipfile.ZipFile, lister: _Lister) -> None:
    for info in archive.infolist():
        member = _zip_member(info)
        if info.flag_bits & ZIP_ENCRYPTED:  # any member: installing it would ask for a password
            raise _Unreadable(
                f"cannot read member '{member.name}': encrypted (a bundle must unpack without a password)"
            )
        if member.kind == "symlink" and info.file_size <= MAX_TEXT_MEMBER:
            member = Member(
                name=member.name,
                kind="symlink",
                size=member.size,
                mode=member.mode,
                link=archive.read(info).decode("utf-8", "replace"),
            )
        lister.add(member)
        if (sink := lister.sink_for(member)) is not None:
            with archive.open(info) as data:
                while chunk := data.read(CHUNK):
                    sink(memoryview(chunk))


def read_zip(
    raw: IO[bytes], limits: ArchiveLimits, want: frozenset[str], keep: Keep | None = None
) -> ReadResult:
    """Hash a .zip sequentially, then list it from its central directory (small seeks)."""
    reader = HashingReader(raw)
    reader.drain()
    lister = _Lister(limits, want, keep)
    error, truncated = "", False
    try:
        raw.seek(0)
        with zipfile.ZipFile(raw) as archive:
            _walk_zip(archive, lister)
    except _Stop as stop:
        lister.problems.append(f"archive {stop}")
        truncated = True
    except _Unreadable as exc:
        error = str(exc)
    # ValueError: a name flagged UTF-8 that is not (UnicodeDecodeError), bad offsets
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError) as exc:
        error = f"not a readable zip ({exc})"
    finally:
        lister.close()
    return ReadResult(
        sha256=reader.digest.hexdigest(), size=reader.size, listing=lister.listing(error, truncated=truncated)
    )


def read_plain(raw: IO[bytes], keep_text: bool) -> tuple[ReadResult, str | None]:
    """Hash a non-archive file; keep its text when asked (SHA256SUMS, metadata JSON).

    The text is decoded with surrogateescape, as file and member names are: a name that is
    not UTF-8 then reads the same in the integrity files as in the listing once both go
    through `printable` (the checks compare them there)."""
    reader = HashingReader(raw)
    if not keep_text:
        reader.drain()
        return ReadResult(sha256=reader.digest.hexdigest(), size=reader.size, listing=None), None
    kept = bytearray()
    while chunk := reader.read(CHUNK):
        if len(kept) < MAX_TEXT_FILE:  # a huge "SHA256SUMS" is hashed, not held
            kept += chunk
    text = bytes(kept[:MAX_TEXT_FILE]).decode("utf-8", "surrogateescape")
    return ReadResult(sha256=reader.digest.hexdigest(), size=reader.size, listing=None), text
