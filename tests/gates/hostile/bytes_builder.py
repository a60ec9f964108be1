"""Hostile tar and zip archives built byte by byte, where tarfile and zipfile refuse to
write them (negative sizes, headers that rename later members, local headers that disagree
with the central directory, data that inflates past its declared size)."""

from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass, field

BLOCK = 512
END = bytes(2 * BLOCK)


def _octal(value: int, width: int) -> bytes:
    return f"{value:0{width - 1}o}".encode() + b"\0"


def base256(value: int, width: int = 12) -> bytes:
    """GNU base-256 number (first byte 0x80 positive, 0xff negative), as tarfile reads it."""
    raw = (value % (1 << (8 * width))).to_bytes(width, "big")
    return bytes([0xFF if value < 0 else 0x80]) + raw[1:]


def header(
    name: str | bytes,
    kind: bytes = b"0",
    *,
    size: int = 0,
    size_field: bytes | None = None,
    link: str | bytes = "",
    mode: int = 0o644,
    magic: bytes = b"ustar\x0000",
) -> bytes:
    """One 512-byte ustar header with a correct checksum."""
    raw_name = name.encode() if isinstance(name, str) else name
    raw_link = link.encode() if isinstance(link, str) else link
    block = bytearray(BLOCK)
    block[0:100] = raw_name[:100].ljust(100, b"\0")
    block[100:108] = _octal(mode, 8)
    block[108:116] = _octal(0, 8)
    block[116:124] = _octal(0, 8)
    block[124:136] = size_field if size_field is not None else _octal(size, 12)
    block[136:148] = _octal(1_772_236_800, 12)
    block[148:156] = b" " * 8
    block[156:157] = kind
    block[157:257] = raw_link[:100].ljust(100, b"\0")
    block[257:265] = magic
    checksum = sum(block)
    block[148:156] = f"{checksum:06o}".encode() + b"\0 "
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def file(name: str | bytes, data: bytes = b"", mode: int = 0o644, kind: bytes = b"0") -> bytes:
    return header(name, kind, size=len(data), mode=mode) + padded(data)


def link(name: str, target: str, kind: bytes = b"2") -> bytes:
    return header(name, kind, link=target)


def pax(records: dict[str, str] | list[tuple[str, str]], kind: bytes = b"x") -> bytes:
    """A pax extended (`x`) or global (`g`) header; a list may repeat a key."""
    body = b""
    records = list(records.items()) if isinstance(records, dict) else records
    for key, value in records:
        text = f" {key}={value}\n".encode()
        length = len(text) + 1
        while len(text) + len(str(length)) != length:  # the length counts its own digits
            length = len(text) + len(str(length))
        body += f"{length}".encode() + text
    return pax_raw(body, kind)


def pax_raw(body: bytes, kind: bytes = b"x") -> bytes:
    """A pax header holding `body` as it is (records of any spelling, well formed or not)."""
    return header("PaxHeader", kind, size=len(body)) + padded(body)


def gnu_long(value: str, kind: bytes = b"L") -> bytes:
    data = value.encode() + b"\0"
    return header("././@LongLink", kind, size=len(data)) + padded(data)


BUILD_INFO = (
    "mode=aot profile=release target={target} rustc=rustc 1.85.0 (4d91de4e4 2025-02-17) "
    "cli={version} runtime_cache=1 contract={contract}"
)


def build_info(
    version: str = "0.7.0", contract: str = "aot-v1", target: str = "x86_64-unknown-linux-gnu"
) -> bytes:
    return (BUILD_INFO.format(version=version, contract=contract, target=target) + "\n").encode()


def aot_members(version: str = "0.7.0", info: bytes | None = None) -> bytes:
    """The four members of a unix AOT bundle, as tar blocks."""
    return (
        file("fuse-aot-demo", b"\x7fELF placeholder", 0o755)
        + file("AOT_BUILD_INFO.txt", build_info(version) if info is None else info)
        + file("LICENSE", b"MIT\n")
        + file("README.txt", b"readme\n")
    )


def tar_gz(*blocks: bytes, end: bytes = END) -> bytes:
    return gzip.compress(b"".join(blocks) + end, mtime=0)


@dataclass
class ZipEntry:
    """One member: what the local header and the central directory each say."""

    name: str
    data: bytes = b""
    method: int = 8
    mode: int = 0o100644
    local_name: str | None = None  # None: the same as `name`
    crc: int | None = None  # None: the data's real CRC
    size: int | None = None  # declared uncompressed size (both headers); None: the real one
    compressed: bytes | None = None  # None: `data` compressed with `method`
    flags: int = 0
    local_flags: int | None = None  # None: the same as `flags`
    local_method: int | None = None
    offset_of: int | None = None  # point the central entry at another entry's local header
    extra: dict[str, int] = field(default_factory=dict)
    before: bytes = b""  # bytes no member owns, before its local header
    after: bytes = b""  # bytes after its data: a data descriptor, or bytes no member owns

    def payload(self) -> bytes:
        if self.compressed is not None:
            return self.compressed
        if self.method == 8:
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            return deflater.compress(self.data) + deflater.flush()
        return self.data


def zip_bytes(entries: list[ZipEntry], prefix: bytes = b"", before_central: bytes = b"") -> bytes:
    """A zip with each entry's local header, data and central directory record."""
    out = bytearray(prefix)
    central = bytearray()
    offsets: list[int] = []
    for entry in entries:
        payload = entry.payload()
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.size is None else entry.size
        local_name = (entry.name if entry.local_name is None else entry.local_name).encode()
        method = entry.method if entry.local_method is None else entry.local_method
        out += entry.before
        offsets.append(len(out))
        out += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            entry.flags if entry.local_flags is None else entry.local_flags,
            method,
            0,
            0x21,
            crc,
            len(payload),
            size,
            len(local_name),
            0,
        )
        out += local_name + payload + entry.after
    out += before_central
    for entry, own in zip(entries, offsets, strict=True):
        payload = entry.payload()
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.size is None else entry.size
        name = entry.name.encode()
        offset = offsets[entry.offset_of] if entry.offset_of is not None else own
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            0x031E,
            20,
            entry.flags,
            entry.method,
            0,
            0x21,
            crc,
            len(payload),
            size,
            len(name),
            0,
            0,
            0,
            0,
            entry.mode << 16,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


def aot_zip_entries(version: str = "0.7.0", info: bytes | None = None) -> list[ZipEntry]:
    return [
        ZipEntry("fuse-aot-demo.exe", b"MZ placeholder", mode=0o100755),
        ZipEntry(
            "AOT_BUILD_INFO.txt",
            build_info(version, target="x86_64-pc-windows-msvc") if info is None else info,
        ),
        ZipEntry("LICENSE", b"MIT\n"),
        ZipEntry("README.txt", b"readme\n"),
    ]
