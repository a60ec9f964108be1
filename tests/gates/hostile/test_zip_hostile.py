"""Hostile .zip bundles, built byte by byte: every member's data is read from its local
header, inflated and CRC-checked under the tar limits, and judged as extraction yields it."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from gates.reading import zipread
from gates.reading.archive import read_zip
from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.bytes_builder import ZipEntry
from tests.gates.hostile.conftest import RULES, WANT, has_problem, zip_listing

pytestmark = pytest.mark.timeout(20)

SYMLINK = 0o120777


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros, built from one flushed segment."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflater.compress(bytes(1 << 20)) + deflater.flush(zlib.Z_FULL_FLUSH)
    return segment * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # + an empty final block


def _blob(extra: list[ZipEntry], base: list[ZipEntry] | None = None) -> bytes:
    return b.zip_bytes([*(b.aot_zip_entries() if base is None else base), *extra])


PROBLEMS = [
    ("local-name-escapes", [ZipEntry("LICENSE2", b"x", local_name="../evil")], "another name '../evil'"),
    ("local-name-absolute", [ZipEntry("LICENSE2", b"x", local_name="/etc/x")], "another name '/etc/x'"),
    ("local-method-differs", [ZipEntry("LICENSE2", b"x", local_method=0)], "another compression method"),
    ("duplicate-member", [ZipEntry("LICENSE", b"other")], "more than once"),
    ("duplicate-dot-slash", [ZipEntry("./README.txt", b"other")], "more than once"),
    ("duplicate-backslash", [ZipEntry("d/a"), ZipEntry("d\\a")], "more than once"),
    ("case-collision", [ZipEntry("license", b"x")], "case-insensitive"),
    ("char-device", [ZipEntry("null", mode=0o020644)], "a character device"),
    ("block-device", [ZipEntry("sda", mode=0o060644)], "a block device"),
    ("symlink-out", [ZipEntry("lib", b"/usr/lib", mode=SYMLINK)], "points outside"),
    (
        "symlink-dot-chain",
        [ZipEntry("x", b".", mode=SYMLINK), ZipEntry("y", b"x/..", mode=SYMLINK), ZipEntry("y/e.txt", b"p")],
        "outside the archive",
    ),
    ("member-through-file", [ZipEntry("LICENSE/x", b"")], "which is not a folder"),
    ("overlapping-entries", [ZipEntry("LICENSE2", b"MIT\n", offset_of=2)], "share bytes"),
    ("absolute-name", [ZipEntry("/tmp/fuse.exe", b"MZ")], "absolute path"),
    ("drive-letter", [ZipEntry("C:evil.exe", b"MZ")], "absolute path"),
    ("dotdot-name", [ZipEntry("..\\evil.exe", b"MZ")], "escapes the archive"),
    ("empty-name", [ZipEntry("", b"x")], "empty name"),  # found by the fuzzer: zipfile's is_dir raised
]


@pytest.mark.parametrize(("extra", "problem"), [pytest.param(e, p, id=i) for i, e, p in PROBLEMS])
def test_unsafe_zip_content_is_a_problem(extra: list[ZipEntry], problem: str) -> None:
    listing = zip_listing(_blob(extra))
    assert has_problem(listing, problem), (listing.problems, listing.error)


ERRORS = [
    ("crc-error", [ZipEntry("LICENSE2", b"data", crc=0xDEADBEEF)], "fails its CRC check"),
    ("stored-crc-error", [ZipEntry("LICENSE2", b"data", method=0, crc=1)], "fails its CRC check"),
    (
        "declares-more-than-it-holds",
        [ZipEntry("LICENSE2", b"data", size=10)],
        "holds 4 bytes but declares 10",
    ),
    (
        "deflate-cut-short",
        [ZipEntry("LICENSE2", b"x" * 1000, compressed=zlib.compress(b"x" * 1000)[2:8])],
        "before its end marker",
    ),
    ("bzip2-method", [ZipEntry("LICENSE2", b"", method=12, compressed=b"BZh9")], "compression method 12"),
    ("unknown-method", [ZipEntry("LICENSE2", b"", method=99, compressed=b"")], "compression method 99"),
    ("encrypted", [ZipEntry("LICENSE2", b"x", flags=1)], "encrypted"),
    ("garbage-deflate", [ZipEntry("LICENSE2", b"x", compressed=b"\xff\xff\xff\xff")], "not a readable zip"),
]


@pytest.mark.parametrize(("extra", "error"), [pytest.param(e, x, id=i) for i, e, x in ERRORS])
def test_unreadable_member_data_is_an_archive_error(extra: list[ZipEntry], error: str) -> None:
    listing = zip_listing(_blob(extra))
    assert error in listing.error, (listing.error, listing.problems)


BIT0, BIT5, BIT6, BIT13 = 0x0001, 0x0020, 0x0040, 0x2000
PASSWORD, PATCH = "a bundle must unpack without a password", "zipfile refuses to unpack it"
CENTRAL, LOCAL = "central directory entry", "local header"
SAID = {
    BIT0: "encrypted (flag bit 0)",
    BIT6: "strongly encrypted (flag bit 6)",
    BIT13: "as having an encrypted central directory (flag bit 13)",
    BIT5: "as compressed patch data (flag bit 5)",
}

# (id, entry, the header that is read first and flags it, the bits it names, why): every
# encryption flag is refused like bit 0, in either header (a streaming extractor goes by the
# local one), and so is patch data, which zipfile refuses too
REFUSED_FLAGS = [
    ("bit-0", ZipEntry("x.txt", b"x", flags=BIT0), CENTRAL, [BIT0], PASSWORD),
    ("bit-6-without-bit-0", ZipEntry("x.txt", b"x", flags=BIT6), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-with-bit-0", ZipEntry("x.txt", b"x", flags=BIT0 | BIT6), CENTRAL, [BIT0, BIT6], PASSWORD),
    ("bit-13-alone", ZipEntry("x.txt", b"x", flags=BIT13), CENTRAL, [BIT13], PASSWORD),
    ("bits-6-and-13", ZipEntry("x.txt", b"x", flags=BIT6 | BIT13), CENTRAL, [BIT6, BIT13], PASSWORD),
    ("bit-6-stored", ZipEntry("x.txt", b"x", method=0, flags=BIT6), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-empty", ZipEntry("x.txt", b"", flags=BIT6), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-folder", ZipEntry("d/", mode=0o040755, flags=BIT6), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-symlink", ZipEntry("l", b"LICENSE", mode=SYMLINK, flags=BIT6), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-descriptor", ZipEntry("x.txt", b"x", flags=BIT6 | 0x8), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-utf8-name", ZipEntry("x.txt", b"x", flags=BIT6 | 0x800), CENTRAL, [BIT6], PASSWORD),
    ("bit-6-central-only", ZipEntry("x.txt", b"x", flags=BIT6, local_flags=0), CENTRAL, [BIT6], PASSWORD),
    ("bit-0-local-only", ZipEntry("x.txt", b"x", local_flags=BIT0), LOCAL, [BIT0], PASSWORD),
    ("bit-6-local-only", ZipEntry("x.txt", b"x", local_flags=BIT6), LOCAL, [BIT6], PASSWORD),
    ("bit-13-local-only", ZipEntry("x.txt", b"x", local_flags=BIT13), LOCAL, [BIT13], PASSWORD),
    ("local-6-central-0", ZipEntry("x.txt", b"x", flags=BIT0, local_flags=BIT6), CENTRAL, [BIT0], PASSWORD),
    ("bit-5-patch-data", ZipEntry("x.txt", b"x", flags=BIT5), CENTRAL, [BIT5], PATCH),
    ("bit-5-local-only", ZipEntry("x.txt", b"x", local_flags=BIT5), LOCAL, [BIT5], PATCH),
    ("bits-5-and-6", ZipEntry("x.txt", b"x", flags=BIT5 | BIT6), CENTRAL, [BIT6, BIT5], PASSWORD),
    ("every-bit", ZipEntry("x.txt", b"x", flags=0xFFFF & ~0x8), CENTRAL, [BIT0, BIT6, BIT13, BIT5], PASSWORD),
]


@pytest.mark.parametrize("first", [True, False], ids=["first-member", "last-member"])
@pytest.mark.parametrize(
    ("entry", "where", "bits", "why"),
    [pytest.param(e, w, bits, why, id=i) for i, e, w, bits, why in REFUSED_FLAGS],
)
def test_a_member_flagged_encrypted_in_any_way_in_either_header_is_refused(
    entry: ZipEntry, where: str, bits: list[int], why: str, first: bool
) -> None:
    entries = [entry, *b.aot_zip_entries()] if first else [*b.aot_zip_entries(), entry]
    listing = zip_listing(b.zip_bytes(entries))
    said = " and ".join(SAID[bit] for bit in bits)
    assert listing.error == f"cannot read member '{entry.name}': its {where} flags it {said}: {why}", (
        listing.error,
        listing.problems,
    )


@pytest.mark.parametrize("flags", [BIT0, BIT5, BIT6, BIT0 | BIT6], ids=["bit-0", "bit-5", "bit-6", "0-6"])
def test_zipfile_refuses_to_extract_what_the_gate_refuses(flags: int, tmp_path: Path) -> None:
    """The refusal is not paranoia: extractall stops at the member (NotImplementedError for
    bits 5 and 6, a missing password for bit 0), so a bundle carrying one breaks installs."""
    blob = b.zip_bytes([*b.aot_zip_entries(), ZipEntry("x.txt", b"x", flags=flags)])
    with zipfile.ZipFile(io.BytesIO(blob)) as archive, pytest.raises((NotImplementedError, RuntimeError)):
        archive.extractall(tmp_path)


@pytest.mark.parametrize(
    "flags", [0x2, 0x4, 0x6, 0x800, 0x2 | 0x800], ids=["max", "fast", "super-fast", "utf8", "max-utf8"]
)
def test_the_deflate_option_and_utf8_flags_zip_writes_are_no_encryption(flags: int) -> None:
    """`zip -9` and `zip -1` set bits 1 and 2 (the deflate option), bit 11 says UTF-8: none of
    them asks for a password."""
    listing = zip_listing(b.zip_bytes([*b.aot_zip_entries(), ZipEntry("x.txt", b"x", flags=flags)]))
    assert (listing.error, listing.problems) == ("", ())


def test_a_member_declaring_100_bytes_that_inflates_to_600_mib_stops_at_once() -> None:
    blob = _blob([ZipEntry("LICENSE2", b"\0" * 100, compressed=zeros_deflated(600))])
    assert len(blob) < 2 << 20
    listing = zip_listing(blob)
    assert listing.truncated and has_problem(listing, "inflates to more than the 100 bytes it declares")


def test_a_member_declaring_more_than_the_member_limit_is_not_inflated() -> None:
    blob = _blob([ZipEntry("LICENSE2", b"", size=600 << 20, compressed=zeros_deflated(1))])
    listing = zip_listing(blob)
    assert listing.truncated and has_problem(listing, "bytes (limit")


def test_no_local_header_where_the_central_directory_points() -> None:
    entries = b.aot_zip_entries()
    blob = bytearray(b.zip_bytes(entries))
    blob[0:4] = b"XXXX"  # the first local header's signature
    listing = zip_listing(bytes(blob))
    assert "no local file header at offset 0" in listing.error


def test_stored_data_longer_than_declared_is_a_bomb_problem() -> None:
    blob = _blob([ZipEntry("LICENSE2", b"abc", method=0, compressed=b"abc" + b"\0" * 10, size=3)])
    listing = zip_listing(blob)
    assert listing.truncated and has_problem(listing, "more than the 3 bytes it declares")


def test_a_stored_member_of_one_byte_is_read_whole() -> None:
    """Its last (only) byte is read too: a one-character file is no archive error."""
    listing = zip_listing(_blob([ZipEntry("VERSION", b"7", method=0)]))
    assert (listing.error, listing.problems) == ("", ())
    assert [m.size for m in listing.members if m.name == "VERSION"] == [1]


def test_data_that_runs_past_the_end_of_the_file_is_cut_short() -> None:
    blob = bytearray(_blob([]))
    central = blob.rindex(b"PK\x01\x02")  # the last central record: LICENSE.. README.txt
    blob[central + 20 : central + 24] = (1 << 30).to_bytes(4, "little")  # its compressed size
    listing = zip_listing(bytes(blob))
    assert "cut short" in listing.error or "another compressed size" in " ".join(listing.problems)


def _sized(blob: bytes, compressed: int, size: int | None = None) -> bytes:
    """The last member's sizes set in both its local header and its central record."""
    out = bytearray(blob)
    local, central = out.rindex(b"PK\x03\x04"), out.rindex(b"PK\x01\x02")
    struct.pack_into("<I", out, local + 18, compressed)
    struct.pack_into("<I", out, central + 20, compressed)
    if size is not None:
        struct.pack_into("<I", out, local + 22, size)
        struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def test_stored_data_that_runs_past_the_end_of_the_file_is_cut_short() -> None:
    """Both headers say 1000 bytes, the file ends first: an error, not a read that waits for
    bytes that never come."""
    listing = zip_listing(_sized(_blob([ZipEntry("LICENSE2", b"MIT\n", method=0)]), 1000, 1000))
    assert "member 'LICENSE2' is cut short" in listing.error, (listing.error, listing.problems)


def test_a_deflate_stream_ends_at_its_end_marker_not_at_the_declared_compressed_size() -> None:
    """Extraction stops at the end marker; reading on to a compressed size that runs past the
    end of the file would call a whole, CRC-correct member cut short."""
    entry = ZipEntry("LICENSE2", b"MIT\n")
    listing = zip_listing(_sized(_blob([entry]), len(entry.payload()) + 1000))
    assert (listing.error, listing.problems) == ("", ())


def test_a_deflate_stream_may_refer_32_kib_back() -> None:
    """Deflate's window is 32 KiB: a binary that repeats 30,000 bytes inflates whole."""
    data = random.Random(3).randbytes(30_000) * 2
    listing = zip_listing(_blob([ZipEntry("fuse-data.bin", data)]))
    assert (listing.error, listing.problems) == ("", ())


class _Interrupted(Exception):
    """What a poll raises when the run is interrupted."""


@pytest.mark.parametrize(
    ("entries", "nth"),
    [
        ([ZipEntry("big.bin", bytes(3 << 20), method=0)], 2),
        ([ZipEntry("bomb.bin", bytes(8 << 20))], 5),  # a few KiB read at once that inflate to 8 MiB
        ([ZipEntry(f"f{i}", method=0) for i in range(3)], 2),
    ],
    ids=["a-member-of-three-chunks", "one-read-of-many-inflate-steps", "three-empty-members"],
)
def test_reading_polls_for_an_interrupt_each_chunk_and_each_member(entries: list[ZipEntry], nth: int) -> None:
    """An interrupt stops the read at the next chunk of a long member, at the next inflate step
    of one read that inflates to much more, or at the next member of a zip of many small ones:
    the `nth` poll raises here and must be reached."""
    calls = []

    def poll() -> None:
        calls.append(1)
        if len(calls) == nth:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        read_zip(io.BytesIO(b.zip_bytes(entries)), RULES.limits, WANT, poll=poll)


def test_the_build_info_text_is_the_last_copy() -> None:
    listing = zip_listing(_blob([ZipEntry("AOT_BUILD_INFO.txt", b.build_info("0.6.9", "aot-v2"))]))
    assert "contract=aot-v2" in listing.texts["AOT_BUILD_INFO.txt"]
    assert has_problem(listing, "more than once")


def test_a_clean_zip_has_no_problems() -> None:
    listing = zip_listing(_blob([]))
    assert listing.problems == () and not listing.error and not listing.truncated


def test_a_central_directory_declaring_too_many_members_is_not_parsed() -> None:
    blob = bytearray(_blob([]))
    blob[-12:-10] = blob[-14:-12] = (0xFFFE).to_bytes(2, "little")  # entries on disk and total
    listing = zip_listing(bytes(blob))
    assert listing.truncated and listing.members == () and has_problem(listing, "more than 1000 members")


@pytest.mark.parametrize(
    ("trailing", "found"),
    [(0xFFFF, True), (0x10000, True), (0x10001, False)],
    ids=["comment", "far", "beyond"],
)
def test_the_member_count_is_checked_wherever_zipfile_finds_the_end_record(
    trailing: int, found: bool
) -> None:
    """zipfile looks for the end record up to 64 KiB + 22 bytes from the end (a longest comment
    and one byte of junk after it); the count check looked one byte less far, so an end record
    just there had its central directory parsed unchecked. One byte farther, zipfile finds none."""
    blob = _declaring_too_many(_blob([]))
    blob[-2:] = (0xFFFF).to_bytes(2, "little")  # the comment length: the longest
    listing = zip_listing(bytes(blob) + bytes(trailing))
    if found:
        assert listing.truncated and has_problem(listing, "more than 1000 members"), listing.error
    else:
        assert "not a readable zip" in listing.error and not listing.truncated, listing.problems


def _declaring_too_many(blob: bytes) -> bytearray:
    out = bytearray(blob)
    out[-12:-10] = out[-14:-12] = (0xFFFE).to_bytes(2, "little")  # entries on disk and total
    return out


def test_the_member_count_is_checked_when_the_end_records_own_fields_spell_its_signature() -> None:
    """zipfile reads the record that ends the file; the check took the last signature, here
    its disk numbers, saw no whole record after it and let the central directory through."""
    blob = _declaring_too_many(_blob([]))
    blob[-18:-14] = b"PK\x05\x06"  # the two disk numbers
    listing = zip_listing(bytes(blob))
    assert listing.truncated and has_problem(listing, "more than 1000 members"), listing.error


@pytest.mark.parametrize(
    "blob",
    [bytes(_declaring_too_many(_blob([])))[:-1], b"\x1f\x8b" + b"\xff" * 100],
    ids=["end-record-cut-short", "not-a-zip"],
)
def test_a_zip_without_a_whole_end_record_is_unreadable_not_over_a_limit(blob: bytes) -> None:
    """A download cut in its last byte, or a tar.gz under a .zip name: no end record for the
    count check to read, so it reads none (zipfile refuses the file) rather than some bytes."""
    listing = zip_listing(blob)
    assert "not a readable zip" in listing.error and not listing.truncated, listing.problems


def test_an_end_record_that_starts_the_file_is_checked_too() -> None:
    """An empty zip is its end record alone, at offset 0 of the bytes the count check reads."""
    listing = zip_listing(bytes(_declaring_too_many(b.zip_bytes([]))))
    assert listing.truncated and has_problem(listing, "more than 1000 members"), listing.error


def test_a_central_directory_too_big_for_its_members_is_not_parsed() -> None:
    blob = bytearray(_blob([]))
    blob[-10:-6] = (1000 * 4096 + 1).to_bytes(4, "little")  # its size in bytes
    listing = zip_listing(bytes(blob))
    assert listing.truncated and has_problem(listing, "central directory of 4096001 bytes")


@pytest.mark.parametrize(
    "comment", [0, 65516, 65535], ids=["no-comment", "locator-starts-the-search", "locator-before-the-search"]
)
def test_the_zip64_member_count_is_read_when_the_end_record_says_0xffff(comment: int) -> None:
    """The zip64 locator sits 20 bytes before the end record: with a comment of 65,516 bytes it
    is the first byte of the tail the count check reads, and still counts (a 0xFFFF count is
    over the limit)."""
    blob = _blob([])
    cd_size, cd_start = struct.unpack_from("<II", blob, len(blob) - 10)
    body = blob[:-22]
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 4, 4, cd_size, cd_start)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, len(body), 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, cd_size, 0xFFFFFFFF, comment)
    listing = zip_listing(body + zip64_end + locator + end + bytes(comment))
    assert not listing.truncated and not listing.error, (listing.problems, listing.error)
    assert [m.name for m in listing.members] == [e.name for e in b.aot_zip_entries()]


def test_a_zip64_locator_whose_offset_names_no_record_is_read_where_zipfile_reads() -> None:
    """The locator's offset points into a member's 0xFF bytes, 56 bytes that are no zip64 end
    record (taken as one, they would declare 2**64 - 1 members); the record just before the
    locator, which zipfile reads, counts."""
    blob = _blob([ZipEntry("ones", b"\xff" * 64, method=0)])
    cd_size, cd_start = struct.unpack_from("<II", blob, len(blob) - 10)
    body = blob[:-22]
    ones = body.index(b"\xff" * 56)
    count = len(b.aot_zip_entries()) + 1
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_start)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, ones, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, cd_size, 0xFFFFFFFF, 0)
    listing = zip_listing(body + zip64_end + locator + end)
    assert not listing.truncated and not listing.error, (listing.problems, listing.error)
    assert [m.name for m in listing.members][-1] == "ones"


def test_an_empty_zip64_archive_is_read_from_its_zip64_record_at_offset_0() -> None:
    """Nothing but the three records: the zip64 end record starts the file, 56 bytes before its
    locator, and its count (0) stands for the end record's 0xFFFF."""
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 0, 0, 0, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    listing = zip_listing(zip64_end + locator + end)
    assert not listing.truncated and not listing.error, (listing.problems, listing.error)
    assert listing.members == ()


def test_a_prefix_too_short_for_a_zip64_record_is_no_zip64_archive() -> None:
    """75 bytes before an empty zip's end record (a stub, as self-extracting archives have):
    the 20 before the end record could be a locator, but the 55 before those hold no zip64
    record, so nothing is read there (zipfile reads the end record alone)."""
    listing = zip_listing(b"\x00" * 75 + b.zip_bytes([]))
    assert not listing.truncated and not listing.error, (listing.problems, listing.error)


def test_a_locator_with_no_zip64_record_before_it_leaves_the_end_records_count() -> None:
    """A stub of 56 0xFF bytes and a locator before an empty zip's end record: no zip64 end
    record precedes the locator, so zipfile reads the end record alone, and so does the check
    (taken as a record, the 0xFF bytes would declare 2**64 - 1 members)."""
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    listing = zip_listing(b"\xff" * 56 + locator + b.zip_bytes([]))
    assert not listing.truncated and not listing.error, (listing.problems, listing.error)


def _with_decoy(members: int, end_count: int) -> tuple[bytes, int]:
    """A zip of `members` entries whose end record says `end_count`; its zip64 end record,
    just before the locator (where zipfile reads), tells the truth, while the locator's offset
    names a decoy zip64 record (kept in a member) declaring one member of 46 bytes."""
    decoy = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, 46, 0)
    blob = b.zip_bytes(
        [ZipEntry("decoy", decoy, method=0), *(ZipEntry(f"m{i}", b"") for i in range(members - 1))]
    )
    cd_size, cd_start = struct.unpack_from("<II", blob, len(blob) - 10)
    body = blob[:-22]
    truth = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, members, members, cd_size, cd_start)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, body.index(decoy), 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, end_count, end_count, 46, cd_start, 0)
    return body + truth + locator + end, cd_size


@pytest.mark.parametrize("end_count", [0xFFFF, 1], ids=["end-record-says-0xffff", "end-record-says-1"])
def test_a_decoy_zip64_record_cannot_hide_the_central_directory_zipfile_parses(end_count: int) -> None:
    """zipfile takes the zip64 record just before the locator whatever the end record's count
    says; the check read the one the locator's offset names, and only for a count of 0xFFFF,
    so a decoy there let a central directory of any size reach zipfile's parser."""
    data, cd_size = _with_decoy(1500, end_count)
    assert zipread._declared(io.BytesIO(data), len(data)) == (1500, cd_size)
    listing = zip_listing(data)
    assert listing.truncated and has_problem(listing, "more than 1000 members"), listing.error


def test_deep_member_names_cost_time_in_proportion_to_their_length() -> None:
    """Zip names go through the same model of extraction as tar names: twelve names of
    32,000 folders each read within the limit, as the tar ones do."""
    names = [f"p{i}" + "/d" * 32_000 + "/f" for i in range(12)]
    listing = zip_listing(b.zip_bytes([*b.aot_zip_entries(), *(ZipEntry(n, b"x") for n in names)]))
    assert [m.name for m in listing.members][-12:] == names and not listing.problems


EVIL = b.zip_bytes([ZipEntry("../evil.txt", b"pwned")])  # a whole zip, put before the real one
LONE = b.zip_bytes([ZipEntry("evil.exe", b"MZ")])[: 30 + len("evil.exe") + 4]  # a local header alone
HIDDEN = "a hidden member the central directory does not list"


def _descriptor(data: bytes, *, signature: bool = True, zip64: bool = False, crc: int | None = None) -> bytes:
    payload = ZipEntry("d", data).payload()
    sizes = struct.pack("<QQ" if zip64 else "<II", len(payload), len(data))
    head = b"PK\x07\x08" if signature else b""
    return head + struct.pack("<I", zlib.crc32(data) if crc is None else crc) + sizes


# (id, the bytes of a bundle, the words of its C007 finding): bytes no member owns, before the
# first member, between members or after the last: unzip warns ("extra bytes at beginning or
# within zipfile", exit 1) and a streaming extractor reads local headers in file order
UNOWNED = [
    (
        "a-zip-concatenated-in-front",
        EVIL + b.zip_bytes(b.aot_zip_entries()),
        f"archive has {len(EVIL)} bytes before its first member 'fuse-aot-demo.exe' (offsets 0 to "
        f"{len(EVIL) - 1}) that no member owns, among them a local file header at offset 0 for "
        f"'../evil.txt': {HIDDEN}",
    ),
    (
        "a-lone-local-header-in-front",
        b.zip_bytes(b.aot_zip_entries(), prefix=LONE),
        f"among them a local file header at offset 0 for 'evil.exe': {HIDDEN}",
    ),
    (
        "a-local-header-deep-in-a-prefix",
        b.zip_bytes(b.aot_zip_entries(), prefix=b"\0" * 1000 + LONE),
        "a local file header at offset 1000 for 'evil.exe'",
    ),
    (
        "a-self-extracting-stub",
        b.zip_bytes(b.aot_zip_entries(), prefix=b"MZ\x90\0" + bytes(508)),
        "archive has 512 bytes before its first member 'fuse-aot-demo.exe' (offsets 0 to 511) that no member",
    ),
    (
        "one-byte-in-front",
        b.zip_bytes(b.aot_zip_entries(), prefix=b"\0"),
        "archive has 1 byte before its first",
    ),
    (
        "a-hidden-member-between-members",
        b.zip_bytes(
            [
                *b.aot_zip_entries()[:2],
                ZipEntry("LICENSE", b"MIT\n", before=EVIL[:-22]),
                *b.aot_zip_entries()[3:],
            ]
        ),
        f"archive has {len(EVIL) - 22} bytes between members 'AOT_BUILD_INFO.txt' and 'LICENSE' (offsets 232 "
        f"to {231 + len(EVIL) - 22}) that no member owns, among them a local file header at offset 232 for "
        f"'../evil.txt': {HIDDEN}",
    ),
    (
        "junk-between-members",
        b.zip_bytes([*b.aot_zip_entries()[:3], ZipEntry("README.txt", b"readme\n", before=b"junk")]),
        "archive has 4 bytes between members 'LICENSE' and 'README.txt'",
    ),
    (
        "junk-after-a-members-data",
        b.zip_bytes([ZipEntry("LICENSE", b"MIT\n", after=b"\0" * 16), *b.aot_zip_entries()[:2]]),
        "archive has 16 bytes between members 'LICENSE' and 'fuse-aot-demo.exe' (offsets 43 to 58)",
    ),
    (
        "a-hidden-member-after-the-last",
        b.zip_bytes(b.aot_zip_entries(), before_central=EVIL[:-22]),
        f"archive has {len(EVIL) - 22} bytes after its last member 'README.txt' (offsets 324 to "
        f"{323 + len(EVIL) - 22}) that no member owns, among them a local file header at offset 324 for "
        f"'../evil.txt': {HIDDEN}",
    ),
    (
        "junk-after-the-last",
        b.zip_bytes(b.aot_zip_entries(), before_central=b"x"),
        "archive has 1 byte after its last member 'README.txt' (offsets 324 to 324) that no member owns",
    ),
    (
        "a-prefix-to-an-empty-zip",
        b.zip_bytes([], prefix=LONE),
        "archive has 42 bytes before its central directory (offsets 0 to 41) that no member owns, among "
        "them a local file header at offset 0 for 'evil.exe'",
    ),
    (
        "a-descriptor-flag-with-no-descriptor-and-a-hidden-member",
        b.zip_bytes([ZipEntry("LICENSE", b"MIT\n", flags=0x8, after=EVIL[:-22]), *b.aot_zip_entries()[:1]]),
        "local file header at offset 43 for '../evil.txt'",
    ),
]


@pytest.mark.parametrize(("blob", "finding"), [pytest.param(blob, f, id=i) for i, blob, f in UNOWNED])
def test_bytes_no_member_owns_are_a_finding(blob: bytes, finding: str) -> None:
    listing = zip_listing(blob)
    assert not listing.error and has_problem(listing, finding), (listing.error, listing.problems)


def test_a_hidden_member_is_named_only_as_far_as_the_search_goes() -> None:
    """The search for a hidden local header reads at most 4 MiB of bytes no member owns (one
    full read of the file was the hash's): the bytes are a finding all the same."""
    blob = b.zip_bytes(b.aot_zip_entries(), prefix=bytes(5 << 20) + LONE)
    listing = zip_listing(blob)
    assert listing.problems == (
        f"archive has {(5 << 20) + 42} bytes before its first member 'fuse-aot-demo.exe' (offsets 0 to "
        f"{(5 << 20) + 41}) that no member owns",
    )


# (id, the member's data descriptor, the finding or None): a data descriptor (flag bit 3) is the
# member's own bytes, as zipfile, zip and jar write it, with or without its signature
DESCRIPTORS = [
    ("signature-and-32-bit-sizes", _descriptor(b"MIT\n"), None),
    ("no-signature", _descriptor(b"MIT\n", signature=False), None),
    ("signature-and-zip64-sizes", _descriptor(b"MIT\n", zip64=True), None),
    ("no-signature-and-zip64-sizes", _descriptor(b"MIT\n", signature=False, zip64=True), None),
    ("a-descriptor-with-another-crc", _descriptor(b"MIT\n", crc=1), "none at offset 43 gives the central"),
    ("no-descriptor", b"", "flag bit 3 says a data descriptor follows its data"),
]


@pytest.mark.parametrize(("after", "finding"), [pytest.param(a, f, id=i) for i, a, f in DESCRIPTORS])
def test_a_data_descriptor_belongs_to_its_member(after: bytes, finding: str | None) -> None:
    blob = b.zip_bytes([ZipEntry("LICENSE", b"MIT\n", flags=0x8, after=after), *b.aot_zip_entries()[:2]])
    listing = zip_listing(blob)
    if finding is None:
        assert (listing.error, listing.problems) == ("", ())
    else:
        assert has_problem(listing, finding) and not listing.error, listing.problems


def test_a_zip_streamed_by_zipfile_owns_all_its_bytes() -> None:
    """zipfile writing to a pipe: every member has a data descriptor."""
    out = io.BytesIO()
    with zipfile.ZipFile(_Unseekable(out), "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in b.aot_zip_entries():
            archive.writestr(entry.name, entry.data)
    blob = out.getvalue()
    assert struct.unpack_from("<H", blob, 6)[0] & 0x8
    assert (zip_listing(blob).error, zip_listing(blob).problems) == ("", ())


class _Unseekable(io.RawIOBase):
    def __init__(self, out: io.BytesIO) -> None:
        self.out = out

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return self.out.write(bytes(data))  # type: ignore[call-overload]
