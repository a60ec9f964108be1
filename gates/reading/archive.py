"""Read an untrusted archive once: hash its bytes and list its members in the same pass.

Nothing is ever extracted to disk. The listing is what extraction would produce
(gates/reading/listing.py, gates/reading/extracted.py): member names that escape (`../`, absolute paths),
links that resolve outside, duplicates, devices, too many members and too many unpacked
bytes (a decompression bomb) are reported as problems and stop the listing where they
must; the hash is still completed.
"""

from __future__ import annotations

import tarfile
from typing import IO

from gates.contract import ArchiveLimits
from gates.reading.gzipstream import CHUNK, InflateError, inflate
from gates.reading.listing import (
    ArchiveListing,
    HashingReader,
    Keep,
    Lister,
    Member,
    Poll,
    ReadResult,
    no_poll,
    unsafe_name,
)
from gates.reading.tarstream import LimitReached, Sink, TarStream
from gates.reading.zipread import read_zip
from harness.text import printable

MAX_TEXT_FILE = 4 * 1024 * 1024
HEADERS_PER_MEMBER = 4  # a member, its long name, long link and pax header
_Lister = Lister  # the name tests spy on

__all__ = [
    "ArchiveListing",
    "Keep",
    "Member",
    "Poll",
    "ReadResult",
    "read_plain",
    "read_tar_gz",
    "read_zip",
    "unsafe_name",
]

_TAR_KINDS = (
    (tarfile.TarInfo.isreg, "file"),
    (tarfile.TarInfo.isdir, "dir"),
    (tarfile.TarInfo.issym, "symlink"),
    (tarfile.TarInfo.islnk, "hardlink"),
    (tarfile.TarInfo.ischr, "chardev"),
    (tarfile.TarInfo.isblk, "blockdev"),
    (tarfile.TarInfo.isfifo, "fifo"),
)


def _tar_member(info: tarfile.TarInfo) -> Member:
    kind = next(
        (k for test, k in _TAR_KINDS if test(info)), f"tar type {printable(info.type.decode('latin-1'))!r}"
    )
    # names were decoded with surrogateescape: bytes that are not UTF-8 become \xNN here, once
    return Member(
        name=printable(info.name), kind=kind, size=info.size, mode=info.mode, link=printable(info.linkname)
    )


def _tar_parser(lister: Lister) -> TarStream:
    def on_member(info: tarfile.TarInfo) -> Sink | None:
        member = _tar_member(info)
        lister.add(member, (info.name, info.linkname))
        return lister.sink_for(member)

    return TarStream(on_member, max_headers=HEADERS_PER_MEMBER * (lister.limits.max_members + 1))


def read_tar_gz(
    raw: IO[bytes],
    limits: ArchiveLimits,
    want: frozenset[str],
    keep: Keep | None = None,
    poll: Poll = no_poll,
) -> ReadResult:
    """Hash and list a .tar.gz in one sequential pass (copying out `keep`'s member)."""
    reader = HashingReader(raw)
    lister = Lister(limits, want, keep)
    error, truncated = "", False
    parser = _tar_parser(lister)
    try:
        # the budget has slack for tar headers and padding beyond the declared sizes
        inflate(reader.read, parser.feed, limits.max_unpacked_bytes + 1024 * 1024, poll)
        if not parser.complete:
            raise EOFError("tar stream ends inside a member")
    except LimitReached as stop:
        lister.problems.append(f"archive {stop}")
        truncated = True
    except (tarfile.TarError, EOFError, InflateError) as exc:
        error = f"not a readable tar.gz ({exc})"
    finally:
        lister.close()
    lister.problems += parser.notes
    reader.drain()
    return reader.result(lister.listing(error, truncated=truncated))


def read_plain(raw: IO[bytes], keep_text: bool) -> tuple[ReadResult, str | None]:
    """Hash a non-archive file; keep its text when asked (SHA256SUMS, metadata JSON).

    The text is decoded with surrogateescape, as file and member names are: a name that is
    not UTF-8 then reads the same in the integrity files as in the listing once both go
    through `printable` (the checks compare them there)."""
    reader = HashingReader(raw)
    if not keep_text:
        reader.drain()
        return reader.result(None), None
    kept = bytearray()
    while chunk := reader.read(CHUNK):
        if len(kept) < MAX_TEXT_FILE:  # a huge "SHA256SUMS" is hashed, not held
            kept += chunk
    text = bytes(kept[:MAX_TEXT_FILE]).decode("utf-8", "surrogateescape")
    return reader.result(None), text
