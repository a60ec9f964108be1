"""A push parser for tar streams: fed decompressed bytes, it reads each 512-byte header and
skips member data without copying it (tarfile's stream mode copies every byte, which made
listing cost more than hashing).

Handles ustar/GNU headers, GNU long names and links, and pax `path`/`linkpath`/`size`.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
_CAPTURED_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE)
MAX_METADATA = 64 * 1024  # a long name or pax header is held in memory: keep it small


class LimitReached(Exception):
    """The stream broke a safety limit; listing stops (the message completes "archive ...")."""


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _pax_records(data: bytes) -> dict[str, str]:
    """`<len> key=value\\n` records (POSIX pax extended header)."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        length_text, _, _ = data[pos:pos + 20].partition(b" ")
        if not length_text.isdigit() or int(length_text) <= 0:
            break
        record = data[pos:pos + int(length_text)].decode("utf-8", "surrogateescape")
        key, _, value = record.partition(" ")[2].rstrip("\n").partition("=")
        records[key] = value
        pos += int(length_text)
    return records


class TarStream:
    """Calls `on_member(info) -> want_data` per member; wanted data goes to `on_data`."""

    def __init__(self, on_member: Callable[[tarfile.TarInfo], bool],
                 on_data: Callable[[tarfile.TarInfo, bytes], None]) -> None:
        self.on_member = on_member
        self.on_data = on_data
        self.head = bytearray()
        self.skip = 0  # bytes of member data (with padding) still to pass over
        self.capture: tuple[tarfile.TarInfo, bytearray] | None = None
        self.overrides: dict[str, str] = {}
        self.done = False

    @property
    def complete(self) -> bool:
        """The stream ended on a member boundary (with or without the end-of-archive blocks)."""
        return self.done or (not self.skip and not self.head)

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        pos = 0
        while pos < len(view) and not self.done:
            if self.skip:
                step = min(self.skip, len(view) - pos)
                if self.capture is not None:
                    self.capture[1].extend(view[pos:pos + step])
                self.skip -= step
                pos += step
                if not self.skip and self.capture is not None:
                    self._captured(*self.capture)
                continue
            take = view[pos:pos + BLOCK - len(self.head)]
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
        info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        if info.type in _CAPTURED_TYPES:
            if info.size > MAX_METADATA:
                raise LimitReached(f"has a metadata header of more than {MAX_METADATA} bytes "
                                   f"(a long name or pax header of {info.size} bytes)")
            self.capture, self.skip = (info, bytearray()), _padded(info.size)
            return
        if info.type == tarfile.XGLTYPE:
            self.skip = _padded(info.size)
            return
        self._apply_overrides(info)
        if self.on_member(info) and info.isreg():
            self.capture = (info, bytearray())
        self.skip = _padded(info.size) if info.isreg() or info.type not in tarfile.SUPPORTED_TYPES \
            else 0
        if not self.skip and self.capture is not None:
            self._captured(*self.capture)

    def _apply_overrides(self, info: tarfile.TarInfo) -> None:
        if "path" in self.overrides:
            info.name = self.overrides["path"]
        if "linkpath" in self.overrides:
            info.linkname = self.overrides["linkpath"]
        if self.overrides.get("size", "").isdigit():
            info.size = int(self.overrides["size"])
        self.overrides = {}

    def _captured(self, info: tarfile.TarInfo, data: bytearray) -> None:
        self.capture = None
        payload = bytes(data[:info.size])
        if info.type == tarfile.GNUTYPE_LONGNAME:
            self.overrides["path"] = payload.rstrip(b"\0").decode("utf-8", "surrogateescape")
        elif info.type == tarfile.GNUTYPE_LONGLINK:
            self.overrides["linkpath"] = payload.rstrip(b"\0").decode("utf-8", "surrogateescape")
        elif info.type == tarfile.XHDTYPE:
            self.overrides.update(_pax_records(payload))
        else:
            self.on_data(info, payload)
