"""The gzip layer of a .tar.gz (gates/reading/gzipstream.py): each member's header checked at
any read boundary, gzip's own flags accepted, every refusal said in words, and a stop asked for
before each inflated chunk."""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zlib
from collections.abc import Callable

import pytest

from gates.reading.archive import read_tar_gz
from gates.reading.gzipstream import CHUNK, InflateError, inflate
from tests.gates.archive_support import tar_gz
from tests.gates.hostile.conftest import RULES, WANT


def flagged(member: bytes, flag: int) -> bytes:
    """A gzip member with a flag bit set in its header (FLG, the fourth byte)."""
    return member[:3] + bytes([member[3] | flag]) + member[4:]


def test_a_reserved_flag_makes_the_bundle_unreadable_for_the_gate() -> None:
    """RFC 1952: a decompressor must refuse a member with a reserved flag bit set (gzip and GNU
    tar do); Python's gzip module would not."""
    blob = flagged(tar_gz(("fuse", tarfile.REGTYPE, b"x")), 0x40)
    listing = read_tar_gz(io.BytesIO(blob), RULES.limits, WANT).listing
    assert listing is not None and "reserved gzip header flags set (0x40)" in listing.error


def pieces(blob: bytes, size: int) -> Callable[[int], bytes]:
    """A reader that hands out at most `size` bytes a call, as a pipe may."""
    stream = io.BytesIO(blob)
    return lambda n: stream.read(min(n, size))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1 << 20])
def test_a_members_header_is_checked_whole_however_the_stream_is_cut(size: int) -> None:
    """Bug: the header check looking at fewer than its four bytes when a later member starts
    at the end of a read (its flag byte then went unchecked)."""
    good = gzip.compress(b"abc", mtime=0)
    for bad in (flagged(good, 0x20), good[:2] + b"\x07" + good[3:]):
        with pytest.raises(InflateError, match=r"reserved gzip header flags|unknown compression method 7"):
            inflate(pieces(good + bad, size), lambda _: None, 1 << 20)
    for cut in (1, 2, 3):  # a later member cut inside its first four bytes
        with pytest.raises(EOFError):
            inflate(pieces(good + good[:cut], size), lambda _: None, 1 << 20)
    out = bytearray()
    inflate(pieces(good + good, size), out.extend, 1 << 20)
    assert bytes(out) == b"abcabc"


def test_every_flag_gzip_defines_is_accepted() -> None:
    """FTEXT, FHCRC, FEXTRA, FNAME and FCOMMENT are gzip's; only the three bits above are reserved."""
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = body.compress(b"hello") + body.flush()
    head = b"\x1f\x8b\x08" + bytes([0x1F]) + b"\0\0\0\0\0\xff"
    head += b"\x02\0xy" + b"name\0" + b"comment\0"  # FEXTRA (2 bytes), FNAME, FCOMMENT
    head += (zlib.crc32(head) & 0xFFFF).to_bytes(2, "little")  # FHCRC
    member = head + data + zlib.crc32(b"hello").to_bytes(4, "little") + (5).to_bytes(4, "little")
    out = bytearray()
    inflate(io.BytesIO(member).read, out.extend, 1 << 20)
    assert bytes(out) == b"hello"


ABC = gzip.compress(b"abc", mtime=0)  # mtime 0: the ids below stay the same from one second to the next


@pytest.mark.parametrize(
    ("blob", "said"),
    [
        (b"PK\3\4 a zip, not a tar.gz", "not gzip (no gzip magic)"),
        (b"\x1fX half the magic", "not gzip (no gzip magic)"),
        (ABC + b"\x1f\x8b\x07", "unknown compression method 7"),  # 3 bytes left
        (ABC + b"garbage", "neither gzip nor zero padding"),
        (ABC + b"\0\0x", "neither gzip nor zero padding"),
        (flagged(ABC, 0x20), "reserved gzip header flags set (0x20)"),
        (ABC[:2] + b"\x07" + ABC[3:], "unknown compression method 7"),
    ],
)
def test_a_broken_gzip_layer_is_said_in_words(blob: bytes, said: str) -> None:
    with pytest.raises(InflateError, match=re.escape(said)):
        inflate(io.BytesIO(blob).read, lambda _: None, 1 << 20)


def test_data_after_the_zero_padding_is_refused_in_a_later_read() -> None:
    with pytest.raises(InflateError, match="data follows the zero padding"):
        inflate(pieces(gzip.compress(b"abc") + b"\0" * 8 + b"x", 31), lambda _: None, 1 << 20)


class Stopped(Exception):
    pass


def test_inflating_asks_to_stop_before_each_inflated_chunk() -> None:
    """One compressed read of zeros inflates to about a gigabyte: the poll before every
    inflated MiB is what lets Ctrl-C stop it at once rather than after the whole read."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = packer.compress(bytes(64 << 20)) + packer.flush()
    polls, fed = [], []

    def poll() -> None:
        polls.append(True)
        if len(polls) == 3:
            raise Stopped

    with pytest.raises(Stopped):
        inflate(io.BytesIO(bomb).read, lambda data: fed.append(len(data)), 1 << 40, poll)
    assert sum(fed) <= 2 * CHUNK
