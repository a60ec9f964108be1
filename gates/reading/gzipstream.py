"""The gzip layer of a .tar.gz: inflate it chunk by chunk into a consumer, with bounded output
per step, so a decompression bomb never fills memory.

A gzip member is followed by another one (concatenated members) or by zero bytes to the end
(GNU tar pads so, and gzip ignores them); anything else is an error.

Inflating and CRC-32 go through zlib-ng (python-zlib-ng, the stdlib zlib module's API over
zlib-ng) rather than the stdlib's zlib: it is zlib's inflate with SIMD copies and a folded
CRC-32, 1.7x faster to inflate and 3x faster to CRC on this project's benchmark line, where
those are a third of the gate's CPU (benchmarks/gate_bench.py). Its inflate keeps zlib's
checks and error texts; tests/gates/test_zlib_ng_agrees.py holds it to the stdlib's verdict
on valid, cut and corrupted streams. (ISA-L, tried before it, is faster still but a separate
decoder, and it accepted streams zlib refuses.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from zlib_ng import zlib_ng

from gates.reading.tarstream import LimitReached

CHUNK = 1024 * 1024  # bytes read (and hashed) at a time
# compressed bytes fed to the inflater at a time, and inflated bytes it may give back: its
# output buffer grows in blocks (32, 64, 256 KiB...) that a bigger step joins by a copy, into
# memory out of the cache; 64 KiB steps cost 7-12% less CPU per archive than 1 MiB ones here
STEP = 64 * 1024
MAGIC, DEFLATE, RESERVED_FLAGS = b"\x1f\x8b", 8, 0xE0
FIXED_HEAD = 4  # a member's ID1 ID2 CM FLG
# what the inflater raises on data it refuses (zlib-ng's stub types it as an instance)
InflateError = cast(type[Exception], zlib_ng.error)


class Inflater(Protocol):
    """What `left_over` reads of zlib's decompress object."""

    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def unused_data(self) -> bytes: ...


def left_over(inflater: Inflater) -> int:
    """How many bytes of the input it was last given `inflater` did not take: those it had no
    room to inflate (its unconsumed tail), or those past its stream's end (unused data)."""
    return len(inflater.unconsumed_tail) + len(inflater.unused_data)


def _no_poll() -> None:
    pass


def inflate(
    read: Callable[[int], bytes],
    feed: Callable[[bytes], object],
    budget: int,
    poll: Callable[[], None] = _no_poll,
) -> None:
    """Feed the inflated bytes of `read`'s stream to `feed`; stop past `budget` bytes.

    `poll` is called before every inflated chunk: it raises to stop the walk (an interrupt),
    so one compressed chunk that inflates to a gigabyte cannot hold a run past Ctrl-C.

    Raises LimitReached past the budget, InflateError for data that is not gzip, EOFError for
    a stream cut before its end marker.
    """
    inflater, unpacked, padded = None, 0, False
    while whole := read(CHUNK):
        chunk = memoryview(whole)  # what of `whole` is not inflated yet
        while chunk:
            if inflater is None or inflater.eof:
                rest = bytes(chunk)
                if inflater is not None and not rest.strip(b"\0"):
                    padded = True
                    break
                if padded:
                    raise InflateError("data follows the zero padding after the compressed stream")
                chunk = memoryview(_member_head(rest, read, first=inflater is None))
                inflater = zlib_ng.decompressobj(wbits=31)  # the first gzip member, or a concatenated one
            poll()
            piece = chunk[:STEP]
            data = inflater.decompress(piece, STEP)
            unpacked += len(data)
            if unpacked > budget:
                raise LimitReached(f"unpacks to more than {budget} bytes (decompression bomb?)")
            feed(data)
            chunk = chunk[len(piece) - left_over(inflater) :]
    if inflater is None or not inflater.eof:
        raise EOFError("compressed stream ended before its end marker")


def _member_head(chunk: bytes, read: Callable[[int], bytes], *, first: bool) -> bytes:
    """`chunk`, which starts a gzip member, with its first four bytes (unless the stream ends
    first) checked as RFC 1952 asks of a decompressor (zlib, gzip and GNU tar refuse the same),
    said here in words a release engineer can act on rather than as zlib's error numbers."""
    while len(chunk) < FIXED_HEAD and (more := read(FIXED_HEAD - len(chunk))):
        chunk += more
    if not MAGIC.startswith(chunk[:2]):  # one byte of it at the very end: cut short, said later
        raise InflateError(
            "not gzip (no gzip magic)"
            if first
            else "data after the compressed stream is neither gzip nor zero padding"
        )
    if len(chunk) > 2 and chunk[2] != DEFLATE:
        raise InflateError(f"unknown compression method {chunk[2]} in a gzip header (deflate is 8)")
    if len(chunk) > 3 and chunk[3] & RESERVED_FLAGS:
        raise InflateError(f"reserved gzip header flags set (0x{chunk[3] & RESERVED_FLAGS:02x})")
    return chunk
