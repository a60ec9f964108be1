"""The gzip layer of a .tar.gz: inflate it chunk by chunk into a consumer, with bounded output
per step, so a decompression bomb never fills memory.

A gzip member is followed by another one (concatenated members) or by zero bytes to the end
(GNU tar pads so, and gzip ignores them); anything else is an error.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from gates.reading import deflate
from gates.reading.tarstream import LimitReached

CHUNK = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


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

    Raises LimitReached past the budget, one of deflate.ERRORS for data that is not gzip, EOFError for
    a stream cut before its end marker.
    """
    inflater = deflate.inflater(31)
    unpacked, padded = 0, False
    while chunk := read(CHUNK):
        while chunk:
            if inflater.eof:
                if not chunk.strip(b"\0"):
                    padded = True
                    break
                if padded:
                    raise zlib.error("data follows the zero padding after the compressed stream")
                if not GZIP_MAGIC.startswith(chunk[:2]):  # said here, alike for either library
                    raise zlib.error("data after the compressed stream is neither gzip nor zero padding")
                inflater = deflate.inflater(31)  # a concatenated gzip member, or garbage
            poll()
            data = inflater.decompress(chunk, CHUNK)
            unpacked += len(data)
            if unpacked > budget:
                raise LimitReached(f"unpacks to more than {budget} bytes (decompression bomb?)")
            feed(data)
            chunk = inflater.unconsumed_tail or inflater.unused_data
    if not inflater.eof:
        raise EOFError("compressed stream ended before its end marker")
