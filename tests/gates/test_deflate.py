"""The inflate libraries behind the archive readers (gates/reading/deflate.py): ISA-L's where it
is installed, zlib otherwise, read every gzip stream alike; the readers go through them."""

from __future__ import annotations

import gzip
import io
import platform
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gates.reading import deflate
from gates.reading.archive import read_tar_gz, read_zip
from gates.reading.gzipstream import CHUNK, inflate
from gates.reading.tarstream import LimitReached
from tests.gates.archive_support import tar_gz
from tests.gates.hostile.conftest import RULES, WANT

WHEELS = {"x86_64", "AMD64", "aarch64", "arm64"}  # the machines pyproject.toml installs isal on


def outcome(blob: bytes, budget: int) -> tuple[str, bytes]:
    """What gzipstream.inflate makes of `blob`: how it ended and the bytes it fed on."""
    out = bytearray()
    try:
        inflate(io.BytesIO(blob).read, out.extend, budget)
    except deflate.ERRORS:
        return "not gzip", bytes(out)
    except EOFError:
        return "cut short", bytes(out)
    except LimitReached:
        return "over budget", bytes(out)
    return "ok", bytes(out)


def both(blob: bytes, budget: int = 1 << 24) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deflate, "_isal", None)
        by_zlib = outcome(blob, budget)
    return outcome(blob, budget), by_zlib


@pytest.mark.skipif(platform.machine() not in WHEELS, reason="isal is not installed on this machine")
def test_isal_is_what_an_install_here_reads_with() -> None:
    assert deflate.backend() == "isal.isal_zlib"


members = st.lists(st.binary(max_size=3000), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(
    parts=members,
    level=st.integers(0, 9),
    flip=st.one_of(
        st.none(),
        st.tuples(st.integers(0, 10_000), st.integers(1, 255)),
        st.tuples(st.integers(0, 9), st.integers(1, 255)),  # the first member's header
    ),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
    tail=st.sampled_from([b"", b"\0" * 7, b"\0\0x", b"garbage"]),
    budget=st.sampled_from([10, 2500, 1 << 24]),
)
def test_both_libraries_read_any_stream_alike(
    parts: list[bytes], level: int, flip: tuple[int, int] | None, cut: int | None, tail: bytes, budget: int
) -> None:
    """Concatenated members, zero padding, garbage after it, a flipped byte, a cut stream."""
    blob = bytearray(b"".join(gzip.compress(part, level, mtime=0) for part in parts) + tail)
    if flip is not None:
        blob[flip[0] % len(blob)] ^= flip[1]
    if cut is not None:
        del blob[cut % len(blob) :]
    (isal_end, isal_out), (zlib_end, zlib_out) = both(bytes(blob), budget)
    # what either accepts, both accept, as the same bytes; what one refuses (broken, cut, over
    # the budget) the other refuses too, though maybe after inflating a few bytes more or less,
    # or calling a bad header "cut short" (ISA-L waits for all ten bytes of it)
    if "ok" in (isal_end, zlib_end):
        assert (isal_end, isal_out) == (zlib_end, zlib_out)


def flagged(member: bytes, flag: int) -> bytes:
    """A gzip member with a flag bit set in its header (FLG, the fourth byte)."""
    return member[:3] + bytes([member[3] | flag]) + member[4:]


@pytest.mark.parametrize(
    ("blob", "ending"),
    [
        (gzip.compress(b"hello" * 100)[:-8] + b"\0" * 8, "not gzip"),  # CRC and length wrong
        (gzip.compress(b"hello" * 100)[:-1] + b"\x7f", "not gzip"),  # length wrong
        (gzip.compress(b"hello" * 100)[:-8], "cut short"),
        (b"PK\3\4not gzip", "not gzip"),
        (gzip.compress(b"abc") + b"garbage", "not gzip"),  # neither a member nor padding
        (gzip.compress(b"abc") + b"\0\0x", "not gzip"),
        (gzip.compress(b"abc") + b"\x1f", "cut short"),  # a member's first byte, and no more
        (flagged(gzip.compress(b"abc"), 0x20), "not gzip"),  # a reserved flag bit: RFC 1952
        (gzip.compress(b"abc") + flagged(gzip.compress(b"def"), 0x80), "not gzip"),  # in a later one
        (gzip.compress(b"abc")[:2] + b"\x07" + gzip.compress(b"abc")[3:], "not gzip"),  # not deflate
        (gzip.compress(b"abc") + gzip.compress(b"def")[:3], "cut short"),  # a later one cut
        (gzip.compress(b"\0" * 100_000), "over budget"),
    ],
)
def test_both_libraries_refuse_a_broken_stream(blob: bytes, ending: str) -> None:
    """Bug (found by the property below): ISA-L inflated a member whose header has a reserved
    flag bit set, which zlib, gzip and GNU tar refuse: a false pass with ISA-L only."""
    by_isal, by_zlib = both(blob, budget=50_000)
    assert by_isal[0] == by_zlib[0] == ending


def test_a_reserved_flag_makes_the_bundle_unreadable_for_the_gate(deflate_backend: str) -> None:
    listing = read_tar_gz(
        io.BytesIO(flagged(tar_gz(("fuse", tarfile.REGTYPE, b"x")), 0x40)), RULES.limits, WANT
    )
    assert listing.listing is not None and "reserved gzip header flags set (0x40)" in listing.listing.error


class Spy:
    """A stand-in library that counts what the readers ask of it (and answers with zlib)."""

    error = zlib.error

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def decompressobj(self, wbits: int) -> Any:
        self.calls.append(wbits)
        return zlib.decompressobj(wbits=wbits)

    def crc32(self, data: bytes, value: int) -> int:
        self.calls.append("crc32")
        return zlib.crc32(data, value)


def test_the_readers_inflate_and_check_through_the_chosen_library(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(deflate, "_isal", spy)
    read_tar_gz(io.BytesIO(tar_gz(("fuse", tarfile.REGTYPE, b"binary"))), RULES.limits, WANT)
    assert spy.calls == [31]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fuse.exe", b"binary" * 100)
    read_zip(io.BytesIO(packed.getvalue()), RULES.limits, WANT)
    assert spy.calls[1:3] == [-15, "crc32"]


def raw_outcome(blob: bytes) -> tuple[bool, bytes]:
    """A zip member's raw deflate stream read as zipread reads it: (reached its end, bytes)."""
    inflater, out = deflate.inflater(-15), bytearray()
    chunk = blob
    try:
        while chunk:
            out += inflater.decompress(chunk, 4096)
            if inflater.eof:
                break
            chunk = inflater.unconsumed_tail
    except deflate.ERRORS:
        return False, bytes(out)
    return inflater.eof, bytes(out)


@settings(max_examples=400, deadline=None)
@given(
    data=st.binary(max_size=20_000),
    level=st.integers(0, 9),
    flip=st.one_of(st.none(), st.tuples(st.integers(0, 30_000), st.integers(1, 255))),
    cut=st.one_of(st.none(), st.integers(0, 30_000)),
)
def test_both_libraries_read_any_raw_deflate_stream_alike(
    data: bytes, level: int, flip: tuple[int, int] | None, cut: int | None
) -> None:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    blob = bytearray(packer.compress(data) + packer.flush())
    if flip is not None:
        blob[flip[0] % len(blob)] ^= flip[1]
    if cut is not None:
        del blob[cut % len(blob) :]
    by_isal = raw_outcome(bytes(blob))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deflate, "_isal", None)
        by_zlib = raw_outcome(bytes(blob))
    if by_isal[0] or by_zlib[0]:  # a stream either reads to its end reads alike in both
        assert by_isal == by_zlib
    assert deflate.crc32(data, 0) == zlib.crc32(data)


def test_a_reference_before_the_start_of_the_output_is_refused_by_both() -> None:
    """A fixed-Huffman block whose first symbol copies from 1 byte back, before any output."""
    bits = [1, 1, 0]  # BFINAL, BTYPE 01 (fixed codes), written least significant bit first
    bits += [0, 0, 0, 0, 0, 0, 1]  # literal/length 257 (length 3), its code most significant first
    bits += [0, 0, 0, 0, 0]  # distance code 0: 1 byte back
    bits += [0] * 7  # end of block
    bits += [0] * (-len(bits) % 8)
    blob = bytes(sum(bits[i + j] << j for j in range(8)) for i in range(0, len(bits), 8))
    by_isal = raw_outcome(blob)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deflate, "_isal", None)
        by_zlib = raw_outcome(blob)
    assert by_isal == by_zlib == (False, b"")


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
        with pytest.raises(deflate.ERRORS):
            inflate(pieces(good + bad, size), lambda _: None, 1 << 20)
    out = bytearray()
    inflate(pieces(good + good, size), out.extend, 1 << 20)
    assert bytes(out) == b"abcabc"


def test_every_flag_gzip_defines_is_accepted(deflate_backend: str) -> None:
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


@pytest.mark.parametrize(
    ("blob", "said"),
    [
        (b"PK\3\4 a zip, not a tar.gz", "not gzip (no gzip magic)"),
        (b"\x1fX half the magic", "not gzip (no gzip magic)"),
        (gzip.compress(b"abc") + b"\x1f\x8b\x07", "unknown compression method 7"),  # 3 bytes left
        (gzip.compress(b"abc") + b"garbage", "neither gzip nor zero padding"),
        (gzip.compress(b"abc") + b"\0\0x", "neither gzip nor zero padding"),
        (flagged(gzip.compress(b"abc"), 0x20), "reserved gzip header flags set (0x20)"),
        (gzip.compress(b"abc")[:2] + b"\x07" + gzip.compress(b"abc")[3:], "unknown compression method 7"),
    ],
)
def test_a_broken_gzip_layer_is_said_alike_by_either_library(
    deflate_backend: str, blob: bytes, said: str
) -> None:
    with pytest.raises(deflate.ERRORS, match=re.escape(said)):
        inflate(io.BytesIO(blob).read, lambda _: None, 1 << 20)


def test_data_after_the_zero_padding_is_refused_in_a_later_read(deflate_backend: str) -> None:
    with pytest.raises(deflate.ERRORS, match="data follows the zero padding"):
        inflate(pieces(gzip.compress(b"abc") + b"\0" * 8 + b"x", 31), lambda _: None, 1 << 20)


class Stopped(Exception):
    pass


def test_inflating_asks_to_stop_before_each_inflated_chunk(deflate_backend: str) -> None:
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
