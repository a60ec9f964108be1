"""Where each member of a zip lies, byte by byte, as a streaming extractor meets it.

Every byte before the central directory must belong to a member (its local header, data and
data descriptor): bytes before the first member, between members or after the last are a
finding (unzip warns, and a streaming extractor, reading local headers in file order, unpacks
a member hidden there that the central directory does not list). Only those bytes are read
again, by seek, to name a hidden member; a bundle that has none costs no extra read.
Members whose bytes overlap (a zip bomb technique) are a finding too.
"""

from __future__ import annotations

import itertools
import struct
import zipfile
from typing import IO

from harness.text import printable

LOCAL = struct.Struct("<4sHHHHHIIIHH")
LOCAL_SIGNATURE = b"PK\x03\x04"
UTF8_NAME = 0x800
DATA_DESCRIPTOR = 0x8  # bit 3: crc and sizes follow the data (the central directory has them)
# a data descriptor (flag bit 3): with or without its signature, with 32- or 64-bit sizes
DESCRIPTORS = tuple(struct.Struct(f) for f in ("<4sIII", "<4sIQQ", "<III", "<IQQ"))
# a local header with a zip64 extra field gives its descriptor 64-bit sizes (APPNOTE 4.3.9.2):
# those come first, since an empty member's 24-byte descriptor also reads as a 16-byte one
ZIP64_FIRST = (DESCRIPTORS[1], DESCRIPTORS[3], DESCRIPTORS[0], DESCRIPTORS[2])
DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
GAP_SCAN_BUDGET = 4 * 1024 * 1024  # bytes no member owns searched for a local header, in all


def owned_end(
    raw: IO[bytes], info: zipfile.ZipInfo, data_start: int, flags: int, *, zip64: bool
) -> tuple[int, str]:
    """Where the bytes a member owns end (after its data, and its data descriptor if its local
    header's flag bit 3 says one follows), and what is wrong with that descriptor; `zip64`:
    the local header has a zip64 extra field."""
    end = data_start + info.compress_size
    if not flags & DATA_DESCRIPTOR:
        return end, ""
    raw.seek(end)
    found = raw.read(DESCRIPTORS[1].size)
    for layout in ZIP64_FIRST if zip64 else DESCRIPTORS:
        fields = layout.unpack_from(found) if len(found) >= layout.size else ()
        if fields[-3:] == (info.CRC, info.compress_size, info.file_size) and (
            isinstance(fields[0], int) or fields[0] == DESCRIPTOR_SIGNATURE
        ):
            return end + layout.size, ""
    return end, (
        f"member '{printable(info.filename)}': flag bit 3 says a data descriptor follows its data, but none "
        f"at offset {end} gives the central directory's CRC and sizes: extractors disagree"
    )


def unowned(raw: IO[bytes], spans: list[tuple[int, int, str]], central: int) -> list[str]:
    """Bytes before the central directory that no member owns: unzip warns about them (exit 1)
    and a streaming extractor, which reads local headers in file order, may find a member there
    that the central directory does not list."""
    found, pos, before, budget = [], 0, "", GAP_SCAN_BUDGET
    for start, end, name in [*sorted(spans), (central, central, "")]:
        if start > pos:
            hidden, budget = _hidden_member(raw, pos, start, budget)
            where = _gap_words(before, name)
            span = f"{start - pos} byte{'s' * (start - pos != 1)} {where} (offsets {pos} to {start - 1})"
            found.append(f"archive has {span} that no member owns{hidden}")
        pos, before = max(pos, end), name or before
    return found


def _gap_words(before: str, after: str) -> str:
    if not before:
        return f"before its first member '{after}'" if after else "before its central directory"
    return f"between members '{before}' and '{after}'" if after else f"after its last member '{before}'"


def _hidden_member(raw: IO[bytes], start: int, end: int, budget: int) -> tuple[str, int]:
    """Words for a local file header in bytes no member owns (searched within `budget`)."""
    raw.seek(start)
    data = raw.read(min(end - start, budget))
    at = data.find(LOCAL_SIGNATURE)
    if at < 0 or len(data) < at + LOCAL.size:
        return "", budget - len(data)
    fields = LOCAL.unpack_from(data, at)
    raw.seek(start + at + LOCAL.size)
    name = raw.read(min(fields[9], 1024)).decode("utf-8" if fields[2] & UTF8_NAME else "cp437", "replace")
    return (
        f", among them a local file header at offset {start + at} for '{printable(name)}': a hidden member "
        "the central directory does not list, which streaming extractors (bsdtar from a pipe, Java's "
        "ZipInputStream) unpack",
        budget - len(data),
    )


def overlaps(spans: list[tuple[int, int, str]]) -> list[str]:
    ordered = sorted(spans)
    return [
        f"members '{a}' and '{b}' share bytes (overlapping entries, a zip bomb technique)"
        for (_s, end, a), (start, _e, b) in itertools.pairwise(ordered)
        if start < end
    ]
