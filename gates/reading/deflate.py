"""Inflate and CRC-32 for the archive readers: ISA-L's (the `isal` package) where it is
installed, else the standard library's zlib.

Inflating and checksumming is most of what `gate check` does to a bundle beyond hashing it,
and ISA-L does both several times faster than zlib on the same bytes (about 7x for the inflate
and 4x for the CRC of a 33 MB bundle here): with zlib, reading an archive cost 2-4 times
hashing it. Both implement the same deflate format and the same decompressobj API
(`decompress(data, max_length)`, `unconsumed_tail`, `unused_data`, `eof`), and both check a
gzip member's CRC and length. The archive tests run the readers on both
(tests/gates/test_deflate.py), hostile archives included.
"""

from __future__ import annotations

import zlib
from types import ModuleType
from typing import Protocol, cast

try:
    from isal import isal_zlib

    _isal: ModuleType | None = isal_zlib
except ImportError:  # no wheel for this platform: zlib reads the same archives, slower
    _isal = None


class Inflater(Protocol):
    @property
    def eof(self) -> bool: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


# what either library raises for data that is not the stream it should be
ERRORS: tuple[type[Exception], ...] = (zlib.error,) if _isal is None else (zlib.error, _isal.error)


def _library() -> ModuleType:
    return zlib if _isal is None else _isal


def backend() -> str:
    return _library().__name__


def inflater(wbits: int) -> Inflater:
    """A decompressor: wbits 31 reads a gzip member, -15 a raw deflate stream (zip)."""
    return cast(Inflater, _library().decompressobj(wbits=wbits))


def crc32(data: bytes, value: int) -> int:
    return cast(int, _library().crc32(data, value))
