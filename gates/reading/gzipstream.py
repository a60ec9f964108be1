"""The gzip layer of a .tar.gz: inflate it chunk by chunk into a consumer, with bounded output
per step, so a decompression bomb never fills memory.

A gzip member is followed by another one (concatenated members) or by zero bytes to the end
(GNU tar pads so, and gzip ignores them); anything else is an error.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from gates.reading.tarstream import LimitReached

CHUNK = 1024 * 1024
MAGIC, DEFLATE, RESERVED_FLAGS = b"\x1f\x8b", 8, 0xE0
FIXED_HEAD = 4  # a member's ID1 ID2 CM FLG


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

    Raises LimitReached past the budget, zlib.error for data that is not gzip, EOFError for
    a stream cut before its end marker.
    """
    inflater, unpacked, padded = None, 0, False
    while chunk := read(CHUNK):
        while chunk:
            if inflater is None or inflater.eof:
                if inflater is not None and not chunk.strip(b"\0"):
                    padded = True
                    break
                if padded:
                    raise zlib.error("data follows the zero padding after the compressed stream")
                chunk = _member_head(chunk, read, first=inflater is None)
                inflater = zlib.decompressobj(wbits=31)  # the first gzip member, or a concatenated one
            poll()
            data = inflater.decompress(chunk, CHUNK)
            unpacked += len(data)
            if unpacked > budget:
                raise LimitReached(f"unpacks to more than {budget} bytes (decompression bomb?)")
            feed(data)
            chunk = inflater.unconsumed_tail or inflater.unused_data
    if inflater is None or not inflater.eof:
        raise EOFError("compressed stream ended before its end marker")


def _member_head(chunk: bytes, read: Callable[[int], bytes], *, first: bool) -> bytes:
    """`chunk`, which starts a gzip member, with its first four bytes (unless the stream ends
    first) checked as RFC 1952 asks of a decompressor (zlib, gzip and GNU tar refuse the same),
    said here in words a release engineer can act on rather than as zlib's error numbers."""
    while len(chunk) < FIXED_HEAD and (more := read(FIXED_HEAD - len(chunk))):
        chunk += more
    if not MAGIC.startswith(chunk[:2]):  # one byte of it at the very end: cut short, said later
        raise zlib.error(
            "not gzip (no gzip magic)"
            if first
            else "data after the compressed stream is neither gzip nor zero padding"
        )
    if len(chunk) > 2 and chunk[2] != DEFLATE:
        raise zlib.error(f"unknown compression method {chunk[2]} in a gzip header (deflate is 8)")
    if len(chunk) > 3 and chunk[3] & RESERVED_FLAGS:
        raise zlib.error(f"reserved gzip header flags set (0x{chunk[3] & RESERVED_FLAGS:02x})")
    return chunk
