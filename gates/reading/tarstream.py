"""A push parser for tar streams: fed decompressed bytes, it reads each 512-byte header and
skips member data without copying it (tarfile's stream mode copies every byte, which made
listing cost more than hashing).

Handles ustar/GNU headers, GNU long names and links, and pax `path`/`linkpath`/`size`, in
extended (`x`, and Solaris `X`) and global (`g`) headers: a global `path` renames every later
member for GNU tar and tarfile, so it does here too (and the lister reports it). Where
extractors disagree about what a header means (a name set twice for one member, sparse
files, a global `size`, data sizes on links and folders), the archive is malformed. So is a
pax record GNU tar refuses ("Malformed extended header", exit 2) or frames otherwise than
tarfile: no decimal length of 1 to 20 digits and one space, a length that does not end at a
newline or runs past the header, no `=`, an empty keyword, bytes after the last record.

The reader always moves forward: sizes are never negative, every header is counted against
a limit, and each step consumes at least one byte.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable

from harness.text import printable

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
_PAX_TYPES = (tarfile.XHDTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.XGLTYPE)
_CAPTURED_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, *_PAX_TYPES)
_NAME_FIELDS = ("path", "linkpath", "size")
MAX_METADATA = 64 * 1024  # a long name or pax header is held in memory: keep it small
MAX_SIZE_DIGITS = 20  # 2**64 - 1 has 20 digits
MAX_LENGTH_DIGITS = 20  # the most tarfile reads for a pax record's length (GNU tar reads more)
_DIGITS = re.compile(rb"[0-9]*+")  # possessive: a run of digits is scanned once


class LimitReached(Exception):
    """The stream broke a safety limit; listing stops (the message completes "archive ...")."""


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _pax_records(data: bytes, header: str) -> dict[str, str]:
    """`<len> key=value\\n` records (POSIX pax extended header), framed as GNU tar and tarfile
    both read them: anything either refuses (GNU tar: "Malformed extended header", exit 2;
    tarfile stops reading members, or raises) is malformed, and so is a key given twice
    (readers disagree on which one holds). NUL bytes after the last record are padding."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data) and data[pos]:
        key, value, end = _pax_record(data, pos, header)
        if key in records:
            raise tarfile.HeaderError(f"malformed pax header: '{printable(key[:64])}' given twice")
        if key.startswith("GNU.sparse."):
            raise tarfile.HeaderError("sparse member (GNU.sparse pax records): not allowed in a bundle")
        records[key] = value
        pos = end
    if data[pos:].strip(b"\0"):
        raise _malformed(header, pos, f"is followed by {len(data) - pos} bytes that are not records")
    return records


def _pax_record(data: bytes, pos: int, header: str) -> tuple[str, str, int]:
    """The record at `pos`: its key, its value and where the next one starts."""
    digits = _DIGITS.match(data, pos)
    start = (digits.end() if digits else pos) + 1  # the keyword's first byte
    if start == pos + 1 or data[start - 1 : start] != b" ":
        raise _malformed(header, pos, "does not start with its length in decimal digits and a space")
    if start - 1 - pos > MAX_LENGTH_DIGITS:
        raise _malformed(header, pos, f"has a length of more than {MAX_LENGTH_DIGITS} digits")
    length = int(data[pos : start - 1])
    end = pos + length
    if end > len(data):
        raise _malformed(header, pos, f"declares {length} bytes, past the header's end ({len(data)} bytes)")
    if end < start + len(b"k=\n") or data[end - 1] != ord("\n"):
        raise _malformed(header, pos, f"does not end in a newline at its length ({length} bytes)")
    raw_key, equals, raw_value = data[start : end - 1].partition(b"=")
    if problem := _record_problem(raw_key, equals, raw_value):
        raise _malformed(header, pos, problem)
    key, value = (raw.decode("utf-8", "surrogateescape") for raw in (raw_key, raw_value))
    return key, value, end


def _record_problem(raw_key: bytes, equals: bytes, raw_value: bytes) -> str:
    """What GNU tar refuses, or reads otherwise than tarfile, in a record's key and value."""
    if not equals:
        return "has no '=' between its keyword and its value"
    if not raw_key:
        return "has an empty keyword"
    if raw_key[0] in b" \t":  # GNU tar skips them, tarfile keeps them in the keyword
        return "has more than one blank after its length"
    if b"\0" in raw_key:
        return "has a NUL byte in its keyword"
    if raw_key in (b"path", b"linkpath") and b"\0" in raw_value:  # GNU tar ends the name there
        return f"has a NUL byte in its {raw_key.decode()} (GNU tar ends the name there, tarfile does not)"
    return ""


def _malformed(header: str, pos: int, what: str) -> tarfile.HeaderError:
    where = f"the record at byte {pos} of '{printable(header)}'"
    return tarfile.HeaderError(f"malformed pax header: {where} {what}")


def _pax_size(value: str) -> int:
    """A pax `size` value: ASCII digits only (str.isdigit() also accepts "²", which int()
    refuses), and no more than a 64-bit count needs; anything else is a malformed archive.
    An empty value is refused too: POSIX lets it delete the record, but GNU tar fails on it
    (exit 2) and Python's tarfile reads it as 0, so a bundle carrying one breaks installs."""
    if not (0 < len(value) <= MAX_SIZE_DIGITS and value.isascii() and value.isdecimal()):
        shown = printable(value[:MAX_SIZE_DIGITS]) + ("..." if len(value) > MAX_SIZE_DIGITS else "")
        raise tarfile.HeaderError(f"malformed pax header: size '{shown}' is not a byte count")
    return int(value)


Sink = Callable[[memoryview], object]  # receives a wanted member's data, chunk by chunk


class TarStream:
    """Calls `on_member(info) -> sink` per member; a regular member's data goes to its sink
    in chunks (None: skipped without copying). `max_headers` bounds the walk (members and
    the metadata headers before them)."""

    def __init__(self, on_member: Callable[[tarfile.TarInfo], Sink | None], max_headers: int) -> None:
        self.on_member = on_member
        self.max_headers = max_headers
        self.headers = 0
        self.head = bytearray()
        self.skip = 0  # bytes of member data (with padding) still to pass over
        self.keep = 0  # of those, data bytes still to give the sink
        self.sink: Sink | None = None
        self.meta: tuple[tarfile.TarInfo, bytearray] | None = None  # long name or pax header
        self.overrides: dict[str, str] = {}  # for the next member only
        self.globals: dict[str, str] = {}  # from pax global headers: for every later member
        self.notes: list[str] = []  # what a global header did (the lister reports it, C007)
        self.done = False

    @property
    def complete(self) -> bool:
        """The stream ended on a member boundary (with or without the end-of-archive blocks)."""
        return self.done or (not self.skip and not self.head)

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        pos = 0
        while pos < len(view) and not self.done:
            if self.skip > 0:
                step = min(self.skip, len(view) - pos)  # >= 1: the walk always moves on
                keep = min(step, self.keep)
                if keep and self.sink is not None:
                    self.sink(view[pos : pos + keep])
                self.keep -= keep
                self.skip -= step
                pos += step
                if not self.skip:
                    self._member_end()
                continue
            take = view[pos : pos + BLOCK - len(self.head)]
            self.head.extend(take)
            pos += len(take)
            if len(self.head) == BLOCK:
                block = bytes(self.head)
                self.head.clear()
                self._header(block)

    def _header(self, block: bytes) -> None:
        if block == ZERO_BLOCK:
            self.done = True
            return
        self.headers += 1
        if self.headers > self.max_headers:
            raise LimitReached(f"has more than {self.max_headers} tar headers")
        info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        if info.size < 0:  # base-256 sizes can be negative: stepping back would loop forever
            raise tarfile.HeaderError(f"member '{printable(info.name)}' has a negative size ({info.size})")
        if info.type == tarfile.GNUTYPE_SPARSE:
            raise tarfile.HeaderError(
                f"member '{printable(info.name)}' is a sparse file: not allowed in a bundle"
            )
        if info.type in _CAPTURED_TYPES:
            if info.size > MAX_METADATA:
                raise LimitReached(
                    f"has a metadata header of more than {MAX_METADATA} bytes "
                    f"(a long name or pax header of {info.size} bytes)"
                )
            self.meta = (info, bytearray())
            self._start(self.meta[1].extend, info.size, _padded(info.size))
            return
        self._member(info)

    def _member(self, info: tarfile.TarInfo) -> None:
        self._apply_overrides(info)
        has_data = info.isreg() or info.type not in tarfile.SUPPORTED_TYPES
        if not has_data and info.size:  # GNU tar and tarfile disagree on whether data follows
            raise tarfile.HeaderError(
                f"member '{printable(info.name)}' is not a regular file "
                f"yet declares {info.size} bytes of data"
            )
        sink = self.on_member(info)
        self._start(sink if info.isreg() else None, info.size if info.isreg() else 0, _padded(info.size))

    def _start(self, sink: Sink | None, keep: int, skip: int) -> None:
        self.sink, self.keep, self.skip = sink, keep, skip
        if not skip:
            self._member_end()

    def _apply_overrides(self, info: tarfile.TarInfo) -> None:
        fields = {**self.globals, **self.overrides}
        self.overrides = {}
        if "path" in fields:
            info.name = fields["path"]
        if "linkpath" in fields:
            info.linkname = fields["linkpath"]
        if "size" in fields:
            info.size = _pax_size(fields["size"])

    def _override(self, key: str, value: str) -> None:
        if key in self.overrides:
            raise tarfile.HeaderError(f"malformed archive: the next member's {key} is set twice")
        self.overrides[key] = value

    def _member_end(self) -> None:
        self.sink = None
        if self.meta is None:
            return
        info, data = self.meta
        self.meta = None
        payload = bytes(data[: info.size])
        if info.type == tarfile.GNUTYPE_LONGNAME:
            self._override("path", payload.partition(b"\0")[0].decode("utf-8", "surrogateescape"))
        elif info.type == tarfile.GNUTYPE_LONGLINK:
            self._override("linkpath", payload.partition(b"\0")[0].decode("utf-8", "surrogateescape"))
        elif info.type == tarfile.XGLTYPE:
            self._global(_pax_records(payload, info.name))
        else:
            for key, value in _pax_records(payload, info.name).items():
                if key in _NAME_FIELDS:
                    self._override(key, value)

    def _global(self, records: dict[str, str]) -> None:
        if "size" in records:
            raise tarfile.HeaderError("a pax global header sets the size of every later member")
        for key in ("path", "linkpath"):
            if key in records:
                self.globals[key] = records[key]
                self.notes.append(
                    f"a pax global header sets the {key} of every later member to '{printable(records[key])}'"
                )
