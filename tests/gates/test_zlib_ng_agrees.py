"""zlib-ng, which the archive reads inflate with (gates/reading/gzipstream.py), reaches the
stdlib zlib's verdict on every stream: the same bytes out, the same end, the same leftovers,
or the same refusal in the same words.

The streams are what a hostile release holds: valid ones from every compression level and
strategy, then cut and bit-flipped; and raw block headers with random Huffman code lengths
behind them, where a decoder that skips a check (an incomplete or over-subscribed code set,
a distance too far back) accepts what zlib refuses. ISA-L, tried before zlib-ng, failed here.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zlib_ng import zlib_ng

from gates.reading.gzipstream import InflateError

GZIP, RAW = 31, -15  # a .tar.gz's members, a .zip's deflated members
STRATEGIES = (zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED)


@dataclass(frozen=True)
class Verdict:
    out: bytes
    eof: bool
    unused: bytes
    tail: bytes
    error: str


def verdict(module: object, wbits: int, stream: bytes, cuts: list[int], max_length: int) -> Verdict:
    """Feed `stream` in the pieces `cuts` makes, as the readers do (bounded output per call,
    the unconsumed tail fed again); what came out, how it ended, or the error's words."""
    inflater = module.decompressobj(wbits)  # type: ignore[attr-defined]
    out = bytearray()
    edges = [0, *sorted(c % (len(stream) + 1) for c in cuts), len(stream)]
    try:
        for start, end in itertools.pairwise(edges):
            chunk = stream[start:end]
            while chunk and not inflater.eof:
                out += inflater.decompress(chunk, max_length)
                chunk = inflater.unconsumed_tail
        if not inflater.eof:
            out += inflater.flush()
    except (zlib.error, InflateError) as exc:
        return Verdict(bytes(out), inflater.eof, b"", b"", str(exc))
    return Verdict(bytes(out), inflater.eof, inflater.unused_data, inflater.unconsumed_tail, "")


def assert_agree(wbits: int, stream: bytes, cuts: list[int], max_length: int) -> None:
    ours, theirs = (verdict(m, wbits, stream, cuts, max_length) for m in (zlib_ng, zlib))
    assert ours.error == theirs.error, stream.hex()
    if not ours.error:  # on an error, how far each got before refusing is not the verdict
        assert ours == theirs, stream.hex()


payloads = st.one_of(
    st.binary(max_size=3000),  # mostly incompressible: stored blocks
    st.lists(st.sampled_from([b"fuse", b"\0" * 40, b"aot-", b"x", b"\xff\xfe"]), max_size=300).map(b"".join),
)
cuts = st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=4)
max_lengths = st.sampled_from([1, 7, 512, 1 << 20])
flips = st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=7)), max_size=4)


def compressed(payload: bytes, level: int, strategy: int, wbits: int) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
    return packer.compress(payload) + packer.flush()


def flipped(stream: bytes, where: list[tuple[int, int]]) -> bytes:
    data = bytearray(stream)
    for pos, bit in where:
        if data:
            data[pos % len(data)] ^= 1 << bit
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payloads,
    st.integers(min_value=0, max_value=9),
    st.sampled_from(STRATEGIES),
    st.sampled_from([GZIP, RAW]),
    flips,
    st.one_of(st.none(), st.integers(min_value=0)),
    cuts,
    max_lengths,
)
def test_valid_cut_and_corrupted_streams_get_the_stdlibs_verdict(
    payload: bytes,
    level: int,
    strategy: int,
    wbits: int,
    where: list[tuple[int, int]],
    cut_at: int | None,
    pieces: list[int],
    max_length: int,
) -> None:
    stream = flipped(compressed(payload, level, strategy, wbits), where)
    if cut_at is not None:
        stream = stream[: cut_at % (len(stream) + 1)]
    assert_agree(wbits, stream, pieces, max_length)


class Bits:
    """Deflate's bit order: fields least significant bit first, Huffman codes most first."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def field(self, value: int, width: int) -> None:
        self.bits += [(value >> i) & 1 for i in range(width)]

    def code(self, value: int, width: int) -> None:
        self.bits += [(value >> i) & 1 for i in reversed(range(width))]

    def packed(self) -> bytes:
        padded = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(sum(b << i for i, b in enumerate(padded[n : n + 8])) for n in range(0, len(padded), 8))


@st.composite
def code_lengths(draw: st.DrawFn, count: int) -> list[int]:
    """Lengths for `count` symbols: a complete prefix code (a tree split at random, up to
    length 15), then maybe one length moved by one (incomplete or over-subscribed by the
    least a table can be) or one more symbol given a code."""
    leaves = [1]
    target = draw(st.integers(min_value=1, max_value=min(count, 40)))
    while len(leaves) < target:
        i = draw(st.integers(min_value=0, max_value=len(leaves) - 1))
        if leaves[i] == 15:
            break
        depth = leaves.pop(i) + 1
        leaves += [depth, depth]
    if len(leaves) == 1:
        leaves = [1, 1] if draw(st.booleans()) else [1]  # one code alone: allowed for distances only
    symbols = draw(st.permutations(range(count)))
    lengths = [0] * count
    for symbol, length in zip(symbols, leaves, strict=False):
        lengths[symbol] = length
    nudge = draw(st.one_of(st.none(), st.tuples(st.integers(0, count - 1), st.sampled_from([-1, 1]))))
    if nudge is not None:
        symbol, by = nudge
        lengths[symbol] = min(15, max(0, lengths[symbol] + by))
    return lengths


@st.composite
def dynamic_blocks(draw: st.DrawFn) -> bytes:
    """A final dynamic block whose code-length code is complete (every length 0-15 as a
    4-bit code), so the decoder reaches the literal/length and distance tables: drawn by
    `code_lengths`, then random codes behind them."""
    nlit = draw(st.integers(min_value=257, max_value=288))  # past 286: refused
    ndist = draw(st.integers(min_value=1, max_value=32))  # past 30: refused
    lit = draw(code_lengths(nlit))
    if draw(st.integers(min_value=0, max_value=4)):
        lit[256] = lit[256] or 1  # mostly an end-of-block code (its absence is refused)
    lengths = lit + draw(code_lengths(ndist))
    bits = Bits()
    bits.field(1, 1)  # BFINAL
    bits.field(2, 2)  # BTYPE: dynamic
    bits.field(nlit - 257, 5)
    bits.field(ndist - 1, 5)
    bits.field(19 - 4, 4)
    for symbol in (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15):
        bits.field(0 if symbol > 15 else 4, 3)
    for length in lengths:
        bits.code(length, 4)  # canonical: sixteen codes of length 4 are the symbols' own values
    return bits.packed() + draw(st.binary(max_size=200))


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dynamic_blocks(), cuts, max_lengths)
def test_random_huffman_tables_get_the_stdlibs_verdict(
    stream: bytes, pieces: list[int], max_length: int
) -> None:
    """Complete, incomplete and over-subscribed literal/length and distance tables, and the
    codes behind them (distances too far back, invalid codes): the checks a faster decoder
    is tempted to skip."""
    assert_agree(RAW, stream, pieces, max_length)


@settings(max_examples=500, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.sampled_from(range(8)), cuts, max_lengths)
def test_random_blocks_of_every_type_get_the_stdlibs_verdict(
    rest: bytes, header: int, pieces: list[int], max_length: int
) -> None:
    """Every block type (stored with random lengths, fixed codes, dynamic, the reserved 3),
    final or not, with random bits behind its header."""
    assert_agree(RAW, bytes([(rest[0] & ~0b111) | header]) + rest[1:], pieces, max_length)


def test_the_known_hostile_streams_are_refused_alike() -> None:
    """Hand-made cases of each check (zlib's own error texts): the property tests above find
    them at random; these pin them."""
    cases = {
        "invalid block type": bytes([0b111]),
        "invalid stored block lengths": bytes([0b001, 0x05, 0x00, 0x05, 0x00]),
        "invalid distance too far back": bytes.fromhex("c27378a6"),
        "too many length or distance symbols": bytes.fromhex("fcb680eff76c"),
        "invalid code lengths set": bytes.fromhex("2d2b803afb03"),
        "invalid distance code": bytes.fromhex("1bcc9f"),
        "invalid literal/length code": bytes.fromhex("6b291d732a"),
        "invalid bit length repeat": bytes.fromhex("ac078280c751"),
        "invalid literal/lengths set": bytes.fromhex(
            "e5d1a00203d372fdd799658514018c9904a2325b14733dc0a5d3d63368e5d281243bf358"
        ),
    }
    for said, stream in cases.items():
        theirs = verdict(zlib, RAW, stream, [], 1 << 20)
        assert said in theirs.error, (said, theirs)
        assert_agree(RAW, stream, [], 1 << 20)
    gzip_bad_crc = bytearray(compressed(b"fuse-aot", 6, zlib.Z_DEFAULT_STRATEGY, GZIP))
    gzip_bad_crc[-8] ^= 1
    assert "incorrect data check" in verdict(zlib, GZIP, bytes(gzip_bad_crc), [], 1 << 20).error
    assert_agree(GZIP, bytes(gzip_bad_crc), [3], 7)
