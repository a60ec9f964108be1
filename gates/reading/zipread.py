"""Read a .zip bundle as an extractor would: hash it in one sequential pass, list it from
its central directory, then read every member from its own local header, inflating and
CRC-checking its data under the same limits as tar.

zipfile is used for the central directory only. Its member reader trusts the central
directory's sizes (it stops inflating at the declared size, where unzip keeps writing) and
a streaming extractor trusts the local header instead, so member data is read here: a
local header that disagrees with the central directory, data that inflates past its
declared size, members whose bytes overlap (a zip bomb technique) and CRC errors are all
caught, each after at most one chunk of work beyond the limit. A member that either header
flags encrypted in any way (bits 0, 6 and 13) or as patch data (bit 5) is unreadable: zipfile
refuses it, or asks for a password, while unzip 6.0 unpacks bits 5, 6 and 13 as if unset.

Where each member's bytes lie is judged in gates/reading/zipspans.py.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from zlib_ng import zlib_ng

from gates.contract import ArchiveLimits
from gates.reading.gzipstream import CHUNK, STEP, InflateError, left_over
from gates.reading.listing import (
    MAX_TEXT_MEMBER,
    HashingReader,
    Keep,
    Lister,
    Member,
    Poll,
    ReadResult,
    Stop,
    Unreadable,
    no_poll,
)
from gates.reading.tarstream import Sink
from gates.reading.zipspans import (
    DATA_DESCRIPTOR,
    LOCAL,
    LOCAL_SIGNATURE,
    UTF8_NAME,
    overlaps,
    owned_end,
    unowned,
)
from harness.text import printable

# general purpose flags a bundle must not carry, in either header: zipfile asks for a password
# (bit 0) or raises NotImplementedError (bits 5 and 6) where unzip 6.0 extracts bits 5, 6 and 13
# as if unset, and bit 13 (local header fields masked) comes only with strong encryption
REFUSED_FLAGS = (
    (0x0001, "encrypted (flag bit 0)"),
    (0x0040, "strongly encrypted (flag bit 6)"),
    (0x2000, "as having an encrypted central directory (flag bit 13)"),
    (0x0020, "as compressed patch data (flag bit 5)"),
)
ENCRYPTED = 0x0001 | 0x0040 | 0x2000
STORED, DEFLATED = 0, 8
ZIP64_EXTRA = 0x0001
# as far back as zipfile looks for the end record: its 22 bytes and 64 KiB, one byte more than
# the longest comment (a record zipfile finds and this search missed went unchecked)
END_RECORD_SEARCH = 22 + 0x10000
CENTRAL_BYTES_PER_MEMBER = 4096  # a record, a long name and its extra fields, generously
# the kinds a zip's mode makes on extraction (bsdtar makes devices); a FIFO or socket mode
# (Info-ZIP's `zip` gives stdin from a pipe its mode) is written as a regular file by unzip,
# bsdtar, 7z and zipfile alike
_KINDS = (
    (stat.S_ISLNK, "symlink"),
    (stat.S_ISCHR, "chardev"),
    (stat.S_ISBLK, "blockdev"),
)


@dataclass(frozen=True, kw_only=True)
class _Local:
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    name: bytes
    data_start: int
    zip64: bool  # it has a zip64 extra field


def _zip_member(info: zipfile.ZipInfo, link: str = "") -> Member:
    mode = info.external_attr >> 16
    kind = "dir" if info.filename.endswith("/") else next((k for test, k in _KINDS if test(mode)), "file")
    return Member(
        name=printable(info.filename), kind=kind, size=info.file_size, mode=mode & 0o7777, link=link
    )


def _extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    """The (kind, body) of each field in a header's extra bytes."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, pos)
        yield kind, extra[pos + 4 : pos + 4 + length]
        pos += 4 + length


def _zip64_sizes(extra: bytes, csize: int, usize: int) -> tuple[int, int]:
    """The local header's sizes, from its zip64 extra field where they are 0xFFFFFFFF."""
    for kind, body in _extra_fields(extra):
        if kind == ZIP64_EXTRA and len(body) >= 16:
            usize, csize = struct.unpack_from("<QQ", body)
            return csize, usize
    return csize, usize


def _local_header(raw: IO[bytes], info: zipfile.ZipInfo) -> _Local:
    raw.seek(info.header_offset)
    head = raw.read(LOCAL.size)
    if len(head) < LOCAL.size or head[:4] != LOCAL_SIGNATURE:
        raise Unreadable(
            f"member '{printable(info.filename)}' has no local file header at offset {info.header_offset}"
        )
    _sig, _ver, flags, method, _t, _d, crc, csize, usize, name_len, extra_len = LOCAL.unpack(head)
    name, extra = raw.read(name_len), raw.read(extra_len)
    if 0xFFFFFFFF in (csize, usize):
        csize, usize = _zip64_sizes(extra, csize, usize)
    start = info.header_offset + LOCAL.size + name_len + extra_len
    zip64 = any(kind == ZIP64_EXTRA for kind, _body in _extra_fields(extra))
    return _Local(
        flags=flags,
        method=method,
        crc=crc,
        csize=csize,
        usize=usize,
        name=name,
        data_start=start,
        zip64=zip64,
    )


def _disagreements(info: zipfile.ZipInfo, local: _Local) -> list[str]:
    """Where the local header says otherwise than the central directory."""
    central_name = info.orig_filename.encode("utf-8" if info.flag_bits & UTF8_NAME else "cp437")
    local_name = local.name.decode("utf-8" if local.flags & UTF8_NAME else "cp437", "replace")
    found = []
    if local.name != central_name:
        found.append(("name", local_name, info.orig_filename))
    fields = [
        ("compression method", local.method, info.compress_type),
        ("encryption flags", f"{local.flags & ENCRYPTED:#x}", f"{info.flag_bits & ENCRYPTED:#x}"),
    ]
    if not local.flags & DATA_DESCRIPTOR:
        fields += [
            ("CRC", local.crc, info.CRC),
            ("compressed size", local.csize, info.compress_size),
            ("size", local.usize, info.file_size),
        ]
    found += [(what, str(mine), str(theirs)) for what, mine, theirs in fields if mine != theirs]
    return [
        f"{what} '{printable(mine)}' (central directory: '{printable(theirs)}')"
        for what, mine, theirs in found
    ]


class _Inflated:
    """One member's data, inflated chunk by chunk and checked against what it declares."""

    def __init__(self, info: zipfile.ZipInfo, sink: Sink | None, poll: Poll) -> None:
        if info.compress_type not in (STORED, DEFLATED):
            raise Unreadable(
                f"member '{printable(info.filename)}' uses compression method {info.compress_type} "
                "(a bundle uses stored or deflate)"
            )
        self.info, self.sink, self.poll = info, sink, poll
        self.inflater = zlib_ng.decompressobj(-15) if info.compress_type == DEFLATED else None
        self.size, self.crc = 0, 0

    def take(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.info.file_size:
            raise Stop(
                f"member '{printable(self.info.filename)}' inflates to more than the "
                f"{self.info.file_size} bytes it declares (decompression bomb?)"
            )
        self.crc = zlib_ng.crc32(data, self.crc)
        if self.sink is not None:
            self.sink(memoryview(data))

    def read(self, raw: IO[bytes], start: int) -> None:
        raw.seek(start)
        left = self.info.compress_size
        while left > 0 and not (self.inflater is not None and self.inflater.eof):
            self.poll()
            whole = raw.read(min(CHUNK, left))
            if not whole:
                raise Unreadable(f"member '{printable(self.info.filename)}' is cut short")
            left -= len(whole)
            if self.inflater is None:
                self.take(whole)
                continue
            chunk = memoryview(whole)  # what of `whole` is not inflated yet, a STEP at a time
            while chunk and not self.inflater.eof:
                self.poll()
                piece = chunk[:STEP]
                self.take(self.inflater.decompress(piece, STEP))
                chunk = chunk[len(piece) - left_over(self.inflater) :]
        # raw deflate has no trailer: with its input all taken (the end marker too), the
        # inflater may still hold what did not fit in the last step's output
        while (
            self.inflater is not None
            and not self.inflater.eof
            and (more := self.inflater.decompress(b"", STEP))
        ):
            self.take(more)
        self._verify()

    def _verify(self) -> None:
        name = printable(self.info.filename)
        if self.inflater is not None and not self.inflater.eof and self.info.compress_size:
            raise Unreadable(f"member '{name}': compressed data ends before its end marker")
        if self.size != self.info.file_size:
            raise Unreadable(f"member '{name}' holds {self.size} bytes but declares {self.info.file_size}")
        if self.crc != self.info.CRC:
            raise Unreadable(
                f"member '{name}' fails its CRC check (expected {self.info.CRC:08x}, actual {self.crc:08x})"
            )


def _refuse_flags(info: zipfile.ZipInfo, flags: int, where: str) -> None:
    """A member flagged encrypted in any way, or as patch data, cannot be unpacked as it is."""
    said = [words for bit, words in REFUSED_FLAGS if flags & bit]
    if said:
        password = flags & ENCRYPTED
        why = "a bundle must unpack without a password" if password else "zipfile refuses to unpack it"
        name = printable(info.filename)
        raise Unreadable(f"cannot read member '{name}': its {where} flags it {' and '.join(said)}: {why}")


def _symlink_target(raw: IO[bytes], info: zipfile.ZipInfo, local: _Local, poll: Poll) -> str:
    """The link's target as decoded, bytes that are not UTF-8 as surrogates (judged so, shown \\xNN)."""
    if info.file_size > MAX_TEXT_MEMBER:
        raise Stop(f"symlink '{printable(info.filename)}' has a target of {info.file_size} bytes")
    target = bytearray()
    _Inflated(info, target.extend, poll).read(raw, local.data_start)
    return bytes(target).decode("utf-8", "surrogateescape")


def _walk(raw: IO[bytes], archive: zipfile.ZipFile, lister: Lister, poll: Poll) -> list[tuple[int, int, str]]:
    """Every member, in central-directory order; returns the byte span each occupies."""
    spans = []
    for info in archive.infolist():
        poll()
        _refuse_flags(info, info.flag_bits, "central directory entry")
        local = _local_header(raw, info)
        lister.problems += [
            f"member '{printable(info.filename)}': its local header gives another {d}: extractors disagree"
            for d in _disagreements(info, local)
        ]
        _refuse_flags(info, local.flags, "local header")  # what a streaming extractor goes by
        member, target = _zip_member(info), ""
        if member.kind == "symlink":
            target = _symlink_target(raw, info, local, poll)
            member = _zip_member(info, printable(target))
        lister.add(member, (info.filename, target))
        if member.kind != "symlink":
            _Inflated(info, lister.sink_for(member), poll).read(raw, local.data_start)
        end, problem = owned_end(raw, info, local.data_start, local.flags, zip64=local.zip64)
        lister.problems += [problem] if problem else []
        spans.append((info.header_offset, end, member.name))
    return spans


def _declared(raw: IO[bytes], size: int) -> tuple[int, int]:
    """The member count and central directory size the end record declares (zip64 included),
    read before zipfile parses the whole central directory: a huge one costs seconds of CPU."""
    tail_start = max(0, size - END_RECORD_SEARCH)
    raw.seek(tail_start)
    tail = raw.read(size - tail_start)
    # the last signature a whole record follows: zipfile reads a record that ends the file even
    # when its own fields spell a signature again (the last one found, it was left unchecked)
    end = tail.rfind(b"PK\x05\x06", 0, len(tail) - (22 - 4))
    if end < 0:
        return 0, 0  # zipfile says what is wrong
    count, cd_size = struct.unpack_from("<HI", tail, end + 10)
    zip64 = _zip64_record(raw, tail_start + end - 20)
    return zip64 or (count, cd_size)  # zipfile reads a zip64 record whatever the count says


def _zip64_record(raw: IO[bytes], locator: int) -> tuple[int, int] | None:
    """(member count, central directory size) of the zip64 end record, found as zipfile finds
    it: a locator 20 bytes before the end record and the record 56 bytes before the locator
    (the locator's own offset field is not read: a decoy it names would hide nothing)."""
    if locator < 56:
        return None  # no room for the record before it: zipfile reads none either
    raw.seek(locator - 56)
    found = raw.read(60)  # the record up to its counts, and the locator's signature
    if found[:4] != b"PK\x06\x06" or found[56:60] != b"PK\x06\x07":
        return None
    count, cd_size = struct.unpack_from("<QQ", found, 32)
    return count, cd_size


def read_zip(
    raw: IO[bytes],
    limits: ArchiveLimits,
    want: frozenset[str],
    keep: Keep | None = None,
    poll: Poll = no_poll,
) -> ReadResult:
    """Hash a .zip sequentially, then list and read it from its central directory (seeks)."""
    reader = HashingReader(raw)
    reader.drain()
    lister = Lister(limits, want, keep)
    error, truncated = "", False
    try:
        count, cd_size = _declared(raw, reader.size)
        if count > limits.max_members:
            raise Stop(f"has more than {limits.max_members} members")
        if cd_size > limits.max_members * CENTRAL_BYTES_PER_MEMBER:
            raise Stop(
                f"has a central directory of {cd_size} bytes, more than {limits.max_members} members need"
            )
        raw.seek(0)
        with zipfile.ZipFile(raw) as archive:
            spans = _walk(raw, archive, lister, poll)
            lister.problems += overlaps(spans) + unowned(raw, spans, archive.start_dir)
    except Stop as stop:
        lister.problems.append(f"archive {stop}")
        truncated = True
    except Unreadable as exc:
        error = str(exc)
    # ValueError: a name flagged UTF-8 that is not (UnicodeDecodeError), bad offsets
    except (
        zipfile.BadZipFile,
        InflateError,
        OSError,
        EOFError,
        NotImplementedError,
        ValueError,
        struct.error,
    ) as exc:
        error = f"not a readable zip ({printable(str(exc))})"
    finally:
        lister.close()
    return reader.result(lister.listing(error, truncated=truncated))
