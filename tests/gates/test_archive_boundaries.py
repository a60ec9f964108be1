"""The archive readers at their limits: the exact limit, one past it, the read boundary.
Each test here fails on a plausible bug (named in its docstring where the suite once let it
through) that the mutation run found untested."""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import random
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gates.contract import ArchiveLimits
from gates.reading.archive import (
    ArchiveListing,
    Keep,
    Member,
    read_plain,
    read_tar_gz,
    read_zip,
    unsafe_name,
)
from gates.reading.listing import unsafe_kind
from tests.gates.archive_support import tar_gz
from tests.gates.hostile import bytes_builder as b

LIMITS = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000, max_member_bytes=5_000)
WANT = frozenset({"AOT_BUILD_INFO.txt"})
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def files(*sizes: int) -> bytes:
    return tar_gz(*((f"f{i}", tarfile.REGTYPE, bytes(size)) for i, size in enumerate(sizes)))


def zip_of(count: int) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for i in range(count):
            archive.writestr(f"f{i}", b"")
    return raw.getvalue()


def tar_listing(blob: bytes, limits: ArchiveLimits = LIMITS) -> ArchiveListing:
    listing = read_tar_gz(io.BytesIO(blob), limits, WANT).listing
    assert listing is not None
    return listing


# -- archive limits: at the limit is fine, one past it stops the listing -------------------


def tar_of_files(count: int) -> ArchiveListing:
    return tar_listing(files(*[0] * count))


def zip_of_files(count: int) -> ArchiveListing:
    listing = read_zip(io.BytesIO(zip_of(count)), LIMITS, WANT).listing
    assert listing is not None
    return listing


@pytest.mark.parametrize("read", [tar_of_files, zip_of_files], ids=["tar", "zip"])
def test_exactly_the_member_limit_is_listed_whole_and_one_more_is_truncated(
    read: Callable[[int], ArchiveListing],
) -> None:
    """Bug: the member-count limit compared with `>=` (a bundle of exactly the limit reads as cut)."""
    at_limit = read(10)
    assert (at_limit.truncated, at_limit.problems, len(at_limit.members)) == (False, (), 10)
    over = read(11)
    assert over.truncated and over.problems == ("archive has more than 10 members",)


def test_the_member_limit_of_members_with_every_extra_header_is_listed_whole() -> None:
    """Each member may come with a long name, a long link and a pax header: four headers, so
    a bundle of exactly the member limit is never cut short for its header count."""
    members = b"".join(
        b.gnu_long(f"{'n' * 100}{i}", b"L")
        + b.gnu_long(f"{'t' * 100}{i}", b"K")
        + b.pax({"comment": "c"})
        + b.link(f"s{i}", f"t{i}")
        for i in range(10)
    )
    listing = tar_listing(b.tar_gz(members))
    assert (listing.truncated, len(listing.members)) == (False, 10), listing.problems
    assert [(m.name, m.link) for m in listing.members][-1] == (f"{'n' * 100}9", f"{'t' * 100}9")


@pytest.mark.parametrize(("headers", "cut"), [(44, False), (45, True)])
def test_a_tar_may_hold_four_headers_per_member_of_the_limit_and_one_members_more(
    headers: int, cut: bool
) -> None:
    """The header budget is 4 x (member limit + 1): 44 for 10 members; pax global headers
    list no member, so only the budget stops them."""
    listing = tar_listing(b.tar_gz(*(b.pax({"comment": "x"}, b"g") for _ in range(headers))))
    assert listing.truncated is cut
    assert listing.problems == (("archive has more than 44 tar headers",) if cut else ())


def test_a_member_of_exactly_the_member_byte_limit_is_fine_and_one_byte_more_stops() -> None:
    assert tar_listing(files(5_000)).problems == ()
    over = tar_listing(files(5_001))
    assert over.truncated and over.problems == ("archive member 'f0' is 5001 bytes (limit 5000)",)


def test_unpacking_to_exactly_the_byte_limit_is_fine_and_one_byte_more_stops() -> None:
    assert tar_listing(files(5_000, 5_000)).problems == ()
    over = tar_listing(files(5_000, 5_000, 1))
    assert over.truncated
    assert over.problems == ("archive unpacks to more than 10000 bytes (decompression bomb?)",)


def test_data_of_a_member_type_tar_does_not_know_is_skipped() -> None:
    """Bug: an unknown member type's data not skipped (its data then reads as the next header)."""
    blob = tar_gz(
        ("odd", b"Z", b"x" * 700),  # 'Z' is no tar type: tar treats its data like a file's
        ("AOT_BUILD_INFO.txt", tarfile.REGTYPE, b"mode=aot\n"),
    )
    listing = tar_listing(blob)
    # the odd member is itself a finding (extractors disagree on it); its data is skipped
    assert not listing.error
    assert [
        p.startswith("member 'odd' is of a kind extractors treat differently") for p in listing.problems
    ] == [True]
    assert [(m.name, m.size) for m in listing.members] == [("odd", 700), ("AOT_BUILD_INFO.txt", 9)]
    assert listing.texts == {"AOT_BUILD_INFO.txt": "mode=aot\n"}


BIG = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000_000, max_member_bytes=10_000_000)


@pytest.mark.parametrize(("size", "read"), [(64 * 1024, True), (64 * 1024 + 1, False)])
def test_a_wanted_text_member_is_held_up_to_64_kib(size: int, read: bool) -> None:
    listing = tar_listing(tar_gz(("AOT_BUILD_INFO.txt", tarfile.REGTYPE, b"m" * size)), BIG)
    assert ("AOT_BUILD_INFO.txt" in listing.texts) is read
    assert len(listing.texts.get("AOT_BUILD_INFO.txt", "")) == (size if read else 0)


@pytest.mark.parametrize(
    ("size", "held"), [(4 * 1024 * 1024, 4 * 1024 * 1024), (4 * 1024 * 1024 + 1, 4 * 1024 * 1024)]
)
def test_a_text_file_is_held_up_to_4_mib_and_hashed_whole(size: int, held: int) -> None:
    result, text = read_plain(io.BytesIO(b"s" * size), keep_text=True)
    assert text is not None and len(text) == held
    assert (result.size, result.sha256) == (size, hashlib.sha256(b"s" * size).hexdigest())


def test_a_file_whose_text_is_not_wanted_is_still_hashed_whole() -> None:
    data = b"s" * (3 * 1024 * 1024 + 7)  # more than one read
    result, text = read_plain(io.BytesIO(data), keep_text=False)
    assert text is None
    assert (result.size, result.sha256, result.listing) == (len(data), hashlib.sha256(data).hexdigest(), None)


@pytest.mark.parametrize(("padding", "truncated"), [(0, False), (1, True)])
def test_the_gzip_budget_is_the_byte_limit_plus_1_mib_for_headers_and_padding(
    padding: int, truncated: bool
) -> None:
    stream = bytes(10_000 + 1024 * 1024 + padding)  # zero blocks: an empty archive, padded
    listing = tar_listing(gzip.compress(stream))
    assert listing.truncated is truncated and not listing.error


@pytest.mark.parametrize(
    ("mode", "executable"), [(0o100, True), (0o010, True), (0o001, True), (0o666, False)]
)
def test_any_execute_bit_makes_a_member_executable(mode: int, executable: bool) -> None:
    assert Member(name="fuse", kind="file", size=0, mode=mode).executable is executable


def test_a_name_that_stays_inside_is_no_problem() -> None:
    assert unsafe_name("bin/fuse") == ""
    assert unsafe_name("C:") == "member 'C:' has an absolute path"


@pytest.mark.parametrize("kind", ["file", "dir", "symlink", "hardlink"])
def test_a_member_of_a_kind_extraction_writes_safely_is_no_problem(kind: str) -> None:
    assert unsafe_kind(Member(name="fuse", kind=kind, size=0, mode=0o644)) == ""
    assert unsafe_kind(Member(name="fuse", kind="fifo", size=0, mode=0o644)) == (
        "member 'fuse' is a FIFO: a bundle holds only files, folders and links"
    )


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_the_kept_member_is_copied_whole_and_closed(tmp_path: Path) -> None:
    blob = tar_gz(("README.txt", tarfile.REGTYPE, b"r"), ("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF" * 300))
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "kept")
    listing = read_tar_gz(io.BytesIO(blob), LIMITS, WANT, keep).listing
    assert listing is not None and listing.kept == tmp_path / "kept"
    assert (tmp_path / "kept").read_bytes() == b"\x7fELF" * 300


@pytest.mark.parametrize("archive", ["tar", "zip"])
def test_a_member_to_keep_that_is_not_in_the_archive_is_not_kept(tmp_path: Path, archive: str) -> None:
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "kept")
    if archive == "tar":
        result = read_tar_gz(io.BytesIO(tar_gz(("README.txt", tarfile.REGTYPE, b"r"))), LIMITS, WANT, keep)
    else:
        result = read_zip(io.BytesIO(zip_of(1)), LIMITS, WANT, keep)
    assert result.listing is not None and result.listing.kept is None
    assert not (tmp_path / "kept").exists()


@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.DIRTYPE])
def test_a_kept_member_replaced_by_a_link_or_folder_is_not_kept(tmp_path: Path, kind: bytes) -> None:
    """Extraction leaves the last copy: a binary overwritten by a symlink or a folder is gone."""
    blob = tar_gz(("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF"), ("fuse-aot-demo", kind, b""))
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "kept")
    listing = read_tar_gz(io.BytesIO(blob), LIMITS, WANT, keep).listing
    assert listing is not None and listing.kept is None
    gc.collect()  # a copy left open warns here


def test_other_members_after_the_kept_one_leave_it_kept(tmp_path: Path) -> None:
    blob = tar_gz(("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF"), ("docs", tarfile.DIRTYPE, b""))
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "kept")
    listing = read_tar_gz(io.BytesIO(blob), LIMITS, WANT, keep).listing
    assert listing is not None and listing.kept == tmp_path / "kept"


def test_a_wanted_text_replaced_by_a_link_has_no_text() -> None:
    blob = tar_gz(
        ("AOT_BUILD_INFO.txt", tarfile.REGTYPE, b"mode=aot\n"), ("AOT_BUILD_INFO.txt", tarfile.SYMTYPE, b"")
    )
    listing = tar_listing(blob)
    assert [m.kind for m in listing.members] == ["file", "symlink"] and listing.texts == {}


@pytest.mark.parametrize(("files", "cut"), [(8, False), (9, True)])
def test_links_are_judged_again_only_against_a_tree_read_to_its_end(files: int, cut: bool) -> None:
    """`y -> x/..` escapes only once `x -> .` follows it: the finished tree shows that; a tree
    cut short is not finished (a member past the cut could replace `x`), so it is not judged."""
    links = b.link("y", "x/..") + b.link("x", ".")
    listing = tar_listing(b.tar_gz(links, *(b.file(f"f{i}") for i in range(files))))
    assert listing.truncated is cut
    escape = "symlink 'y' points outside the archive ('x/..')"
    assert listing.problems == (("archive has more than 10 members",) if cut else (escape,))


@pytest.mark.parametrize(("links", "loop"), [(40, False), (41, True)])
def test_a_path_may_go_through_40_symlinks_as_linux_allows_and_not_41(links: int, loop: bool) -> None:
    """l1 -> l2 -> ... -> lN -> d: writing l1/x follows N links (Linux: ELOOP past 40)."""
    chain = [b.link(f"l{i}", f"l{i + 1}" if i < links else "d") for i in range(1, links + 1)]
    many = ArchiveLimits(max_members=100, max_unpacked_bytes=10_000, max_member_bytes=5_000)
    listing = tar_listing(b.tar_gz(b.header("d/", b"5"), *chain, b.file("l1/x", b"x")), many)
    assert listing.problems == (
        (f"member 'l1/x' cannot be written through 'l{links}', a symlink loop",) if loop else ()
    )


@pytest.mark.parametrize("target", ["C:", "C:x", "/", "\\"])
def test_a_link_to_a_drive_or_the_root_points_outside(target: str) -> None:
    listing = tar_listing(b.tar_gz(b.link("l", target)))
    assert listing.problems == (f"symlink 'l' points outside the archive ('{target}')",)


@pytest.mark.parametrize("target", ["/etc", "C:\\Windows"])
def test_a_member_written_through_a_link_to_an_absolute_path_is_written_outside(target: str) -> None:
    listing = tar_listing(b.tar_gz(b.link("l", target), b.file("l/passwd", b"x")))
    assert listing.problems == (
        f"symlink 'l' points outside the archive ('{target}')",
        "member 'l/passwd' would be written outside the archive through a symlink",
    )


@pytest.mark.parametrize(
    ("blocks", "problems"),
    [
        ([b.header("./", b"5")], ()),  # GNU tar's `tar -C dir .` starts so
        ([b.file("./")], ("member './' has an empty name",)),
        ([b.file("../x")], ("member '../x' escapes the archive with '..'",)),
    ],
    ids=["dot-folder", "dot-file", "dotdot-file"],
)
def test_the_root_folder_is_no_member_name_but_a_file_there_is_empty(
    blocks: list[bytes], problems: tuple[str, ...]
) -> None:
    assert tar_listing(b.tar_gz(*blocks)).problems == problems


DUPLICATE = "is in the archive more than once: extraction keeps the last copy"


@pytest.mark.parametrize(
    ("blocks", "problems"),
    [
        ([b.header("d/", b"5"), b.header("./d", b"5")], ()),  # a folder listed twice is one folder
        ([b.file("a"), b.header("a/", b"5")], (f"member 'a' {DUPLICATE}",)),  # tar drops a folder's slash
        ([b.header("a/", b"5"), b.file("a")], (f"member 'a' {DUPLICATE}",)),
        ([b.file("a"), b.file("./a"), b.file(".//a")], (f"member './a' {DUPLICATE}",)),  # said once
    ],
    ids=["folder-twice", "file-then-folder", "folder-then-file", "file-thrice"],
)
def test_a_path_written_twice_is_a_duplicate_unless_both_are_folders(
    blocks: list[bytes], problems: tuple[str, ...]
) -> None:
    assert tar_listing(b.tar_gz(*blocks)).problems == problems


@pytest.mark.parametrize(
    ("name", "target", "outside"), [("a/l", "../x", False), ("a/b/l", "../../../x", True)]
)
def test_a_symlink_resolves_from_its_own_folder(name: str, target: str, outside: bool) -> None:
    listing = tar_listing(b.tar_gz(b.link(name, target)))
    assert listing.problems == (
        (f"symlink '{name}' points outside the archive ('{target}')",) if outside else ()
    )


class _Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek back in: it writes data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        chunk = bytes(b)  # type: ignore[call-overload]
        self.data += chunk
        return len(chunk)


def _streamed_zip() -> bytes:
    out = _Unseekable()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AOT_BUILD_INFO.txt", b"mode=aot\n")
    return bytes(out.data)


def _zip64_zip(extra: bytes = b"") -> bytes:
    """Sizes in a zip64 extra field, after the `extra` fields given."""
    raw = io.BytesIO()
    info = zipfile.ZipInfo("AOT_BUILD_INFO.txt")
    info.extra = extra
    with zipfile.ZipFile(raw, "w") as archive, archive.open(info, "w", force_zip64=True) as f:
        f.write(b"mode=aot\n")
    return raw.getvalue()


NTFS_TIMES = struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 1, 24, 1, 2, 3)  # 32 bytes: not sizes, not zip64


def _utf8_zip() -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("café/AOT_BUILD_INFO.txt", b"mode=aot\n")
    return raw.getvalue()


@pytest.mark.parametrize(
    ("blob", "name"),
    [
        (_streamed_zip(), "AOT_BUILD_INFO.txt"),  # local header: crc and sizes 0, a data descriptor
        (_zip64_zip(), "AOT_BUILD_INFO.txt"),  # local header: sizes 0xFFFFFFFF, a zip64 extra field
        (_zip64_zip(b"UT\x05\x00\x01\x00\x00\x00\x00"), "AOT_BUILD_INFO.txt"),  # after a timestamp field
        (_zip64_zip(b"\x99\x99\x00\x00"), "AOT_BUILD_INFO.txt"),  # after an empty field
        (_zip64_zip(NTFS_TIMES), "AOT_BUILD_INFO.txt"),  # after a field as long as the sizes
        (_utf8_zip(), "café/AOT_BUILD_INFO.txt"),  # the UTF-8 name flag
    ],
    ids=[
        "data-descriptor",
        "zip64-sizes",
        "zip64-after-a-field",
        "zip64-after-an-empty-field",
        "zip64-after-ntfs-times",
        "utf8-name",
    ],
)
def test_a_local_header_written_the_ways_zip_allows_agrees_with_the_central_directory(
    blob: bytes, name: str
) -> None:
    listing = read_zip(io.BytesIO(blob), LIMITS, frozenset({name})).listing
    assert listing is not None and (listing.error, listing.problems) == ("", ())
    assert listing.texts == {name: "mode=aot\n"}


@pytest.mark.parametrize("length", [15, 13], ids=["one-byte-short", "three-bytes-short"])
def test_a_zip64_field_too_short_for_both_sizes_leaves_the_local_sizes_unread(length: int) -> None:
    """A local header whose sizes say 0xFFFFFFFF and whose zip64 field declares fewer than the
    16 bytes of its two sizes (the bytes after it would complete them): an extractor reads no
    sizes from it, so the local header disagrees with the central directory, a finding; not
    sizes read past the field's end, nor an unreadable archive for the bytes left after it."""
    blob = bytearray(_zip64_zip())
    extra = 30 + len("AOT_BUILD_INFO.txt")  # the local extra field: zip64 alone, 4 + 16 bytes
    assert struct.unpack_from("<HH", blob, extra) == (0x0001, 16)
    struct.pack_into("<H", blob, extra + 2, length)
    listing = read_zip(io.BytesIO(bytes(blob)), LIMITS, WANT).listing
    assert listing is not None and not listing.error
    said = "member 'AOT_BUILD_INFO.txt': its local header gives another {}: extractors disagree"
    assert listing.problems == (
        said.format("compressed size '4294967295' (central directory: '9')"),
        said.format("size '4294967295' (central directory: '9')"),
    )


@pytest.mark.parametrize(("padding", "truncated"), [(0, False), (1, True)])
def test_a_central_directory_of_4_kib_per_member_of_the_limit_is_parsed(
    padding: int, truncated: bool
) -> None:
    """The central directory may take 4096 bytes per member of the limit (40,960 for 10): a
    member with a long extra field that fills it exactly is read, one byte more is not parsed."""
    fill = 10 * 4096 - 46 - len("AOT_BUILD_INFO.txt") - 4 + padding  # record, name, field header
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        info = zipfile.ZipInfo("AOT_BUILD_INFO.txt")
        info.extra = struct.pack("<HH", 0x9999, fill) + bytes(fill)
        archive.writestr(info, b"mode=aot\n")
    blob = raw.getvalue()
    assert struct.unpack_from("<I", blob, len(blob) - 10)[0] == 10 * 4096 + padding
    listing = read_zip(io.BytesIO(blob), LIMITS, WANT).listing
    assert listing is not None and listing.truncated is truncated and not listing.error
    if truncated:
        assert listing.problems == (
            "archive has a central directory of 40961 bytes, more than 10 members need",
        )
    else:
        assert (listing.problems, listing.texts) == ((), {"AOT_BUILD_INFO.txt": "mode=aot\n"})


def test_a_local_header_flagged_encrypted_is_still_compared_field_by_field() -> None:
    """Only the data-descriptor flag (bit 3) excuses the local CRC and sizes, and only the
    UTF-8 flag (bit 11) makes the local name UTF-8: the encryption flag (bit 0) does neither.
    Every disagreement is said before the flag makes the member unreadable."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("a.txt", b"abc")
    blob = bytearray(raw.getvalue())
    struct.pack_into("<H", blob, 6, struct.unpack_from("<H", blob, 6)[0] | 0x1)  # local flags
    struct.pack_into("<I", blob, 22, 4)  # local uncompressed size
    blob[30:35] = b"\x82.txt"  # local name: cp437 for 'é.txt'
    listing = read_zip(io.BytesIO(bytes(blob)), LIMITS, WANT).listing
    assert listing is not None
    said = "member 'a.txt': its local header gives another {}: extractors disagree"
    assert listing.problems == (
        said.format("name 'é.txt' (central directory: 'a.txt')"),
        said.format("encryption flags '0x1' (central directory: '0x0')"),
        said.format("size '4' (central directory: '3')"),
    )
    assert listing.error == (
        "cannot read member 'a.txt': its local header flags it encrypted (flag bit 0): "
        "a bundle must unpack without a password"
    )


def test_a_listing_cut_short_still_hashes_every_byte() -> None:
    """More than one read's worth of bytes after the listing stopped: the hash covers them."""
    noise = random.Random(7).randbytes(3 * 1024 * 1024)  # does not compress
    blob = tar_gz(*[(f"f{i}", tarfile.REGTYPE, b"") for i in range(11)], ("big", tarfile.REGTYPE, noise))
    result = read_tar_gz(io.BytesIO(blob), BIG, WANT)
    assert result.listing is not None and result.listing.truncated
    assert (result.size, result.sha256) == (len(blob), hashlib.sha256(blob).hexdigest())


def test_a_zip_members_unix_mode_is_kept() -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        info = zipfile.ZipInfo("fuse")
        info.external_attr = 0o100755 << 16
        archive.writestr(info, b"x")
    listing = read_zip(io.BytesIO(raw.getvalue()), LIMITS, WANT).listing
    assert listing is not None and [(m.kind, m.mode) for m in listing.members] == [("file", 0o755)]


@pytest.mark.parametrize(("size", "read"), [(64 * 1024, True), (64 * 1024 + 1, False)])
def test_a_zip_symlinks_target_is_read_up_to_64_kib(size: int, read: bool) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        info = zipfile.ZipInfo("fuse")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, b"t" * size)
    listing = read_zip(io.BytesIO(raw.getvalue()), BIG, WANT).listing
    assert listing is not None
    if read:
        assert listing.members[0].link == "t" * size and not listing.problems
    else:  # a longer target is a finding, not a link read in part
        assert listing.problems == (f"archive symlink 'fuse' has a target of {size} bytes",)


@pytest.mark.parametrize(("length", "stopped"), [(64 * 1024 - 1, False), (64 * 1024, True)])
def test_a_long_name_header_is_held_up_to_64_kib(length: int, stopped: bool) -> None:
    """GNU tar writes a long name as a header of its bytes plus a NUL."""
    name = "d/" * (length // 2) + "f" * (length % 2)
    listing = tar_listing(tar_gz((name, tarfile.REGTYPE, b"x")), BIG)
    assert listing.truncated is stopped
    assert [m.name for m in listing.members] == ([] if stopped else [name])


@pytest.mark.parametrize(("digits", "error"), [(20, False), (21, True)])
def test_a_pax_size_of_up_to_20_digits_is_read(digits: int, error: bool) -> None:
    """2**64 - 1 has 20 digits: a longer size is no byte count a tar reader takes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("fuse")
        info.size, info.pax_headers = 3, {"size": "3".rjust(digits, "0")}
        tar.addfile(info, io.BytesIO(b"abc"))
    listing = tar_listing(gzip.compress(raw.getvalue()))
    assert bool(listing.error) is error
    assert [(m.name, m.size) for m in listing.members] == ([] if error else [("fuse", 3)])


@pytest.mark.parametrize(
    ("records", "words"),
    [
        (b"0 path=evil\n", "does not end in a newline at its length (0 bytes)"),
        (b"x path=evil\n", "does not start with its length in decimal digits and a space"),
    ],
    ids=["zero", "not-digits"],
)
def test_a_pax_record_without_a_length_is_malformed_and_does_not_hang(records: bytes, words: str) -> None:
    """GNU tar refuses both (exit 2); tarfile raises on the first and stopped reading
    records at the second, keeping the member: they disagree, so the archive is malformed."""
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type, pax.size = tarfile.XHDTYPE, len(records)
    fuse = tarfile.TarInfo("fuse")
    fuse.size = 3
    raw = pax.tobuf(tarfile.USTAR_FORMAT) + records.ljust(512, b"\0") + fuse.tobuf(tarfile.USTAR_FORMAT)
    listing = tar_listing(gzip.compress(raw + b"abc".ljust(512, b"\0") + bytes(1024)))
    assert listing.error == (
        f"not a readable tar.gz (malformed pax header: the record at byte 0 of '././@PaxHeader' {words})"
    )


def raw_tar(*members: tuple[str, bytes, bytes], end: bool = True) -> bytes:
    """An uncompressed tar, written header by header (with or without the end-of-archive blocks)."""
    out = b""
    for name, kind, data in members:
        info = tarfile.TarInfo(name)
        info.type, info.size = kind, len(data)
        out += info.tobuf(tarfile.GNU_FORMAT) + data.ljust(-(-len(data) // 512) * 512, b"\0")
    return out + (bytes(1024) if end else b"")


def test_a_tar_without_its_end_blocks_is_complete_and_one_cut_inside_a_header_is_not() -> None:
    whole = raw_tar(("fuse", tarfile.REGTYPE, b"abc"), end=False)
    listing = tar_listing(gzip.compress(whole))
    assert not listing.error and [m.name for m in listing.members] == ["fuse"]
    cut = tar_listing(gzip.compress(whole + raw_tar(("more", tarfile.REGTYPE, b""), end=False)[:100]))
    assert cut.error == "not a readable tar.gz (tar stream ends inside a member)"


def test_members_after_the_end_of_archive_blocks_are_not_read() -> None:
    blob = raw_tar(("fuse", tarfile.REGTYPE, b"abc")) + raw_tar(("hidden", tarfile.REGTYPE, b"x"))
    assert [m.name for m in tar_listing(gzip.compress(blob)).members] == ["fuse"]


@pytest.mark.parametrize("split", [1, 511, 512, 1023, 1024, 1025])
def test_where_a_read_ends_inside_the_tar_stream_changes_nothing(split: int) -> None:
    """Concatenated gzip members (pigz, appending tools) end a read anywhere: inside a header,
    one byte before a member's padded data ends (1023), on a header boundary."""
    tar = b.aot_members() + b.END
    listing = tar_listing(gzip.compress(tar[:split]) + gzip.compress(tar[split:]), BIG)
    whole = tar_listing(gzip.compress(tar), BIG)
    assert (listing.error, listing.problems, listing.members) == ("", (), whole.members)
    assert listing.texts == whole.texts and "AOT_BUILD_INFO.txt" in listing.texts


@pytest.mark.parametrize("tar", [b"", bytes(1024)], ids=["no-bytes", "end-blocks-only"])
def test_an_empty_tar_gz_is_an_archive_of_no_members_not_one_cut_short(tar: bytes) -> None:
    """GNU tar lists both and exits 0: no member is cut short before the first header."""
    listing = tar_listing(gzip.compress(tar))
    assert (listing.error, listing.truncated, listing.members) == ("", False, ())


def test_an_empty_gnu_long_name_names_the_member_right_after_it() -> None:
    """As tarfile reads it: the member after the header is named '', the next keeps its name."""
    blob = raw_tar(
        ("././@LongLink", tarfile.GNUTYPE_LONGNAME, b""),
        ("a", tarfile.REGTYPE, b"abc"),
        ("b", tarfile.REGTYPE, b""),
    )
    assert [m.name for m in tar_listing(gzip.compress(blob)).members] == ["", "b"]


def test_a_global_pax_header_is_skipped() -> None:
    raw = io.BytesIO()
    with tarfile.open(
        fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "c" * 600}
    ) as tar:
        info = tarfile.TarInfo("fuse")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    listing = tar_listing(gzip.compress(raw.getvalue()))
    assert not listing.error and [m.name for m in listing.members] == ["fuse"]


@pytest.mark.parametrize(
    ("value", "shown"), [("9" * 19 + "x", "9" * 19 + "x"), ("9" * 20 + "x", "9" * 20 + "...")]
)
def test_a_malformed_pax_size_is_shown_up_to_20_characters(value: str, shown: str) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("fuse")
        info.size, info.pax_headers = 3, {"size": value}
        tar.addfile(info, io.BytesIO(b"abc"))
    listing = tar_listing(gzip.compress(raw.getvalue()))
    assert (
        listing.error == f"not a readable tar.gz (malformed pax header: size '{shown}' is not a byte count)"
    )


def test_a_kept_member_larger_than_one_read_is_copied_exactly(tmp_path: Path) -> None:
    data = random.Random(3).randbytes(2 * 1024 * 1024 + 77)
    blob = tar_gz(("fuse-aot-demo", tarfile.REGTYPE, data), ("README.txt", tarfile.REGTYPE, b"r"))
    listing = read_tar_gz(
        io.BytesIO(blob), BIG, WANT, Keep(member="fuse-aot-demo", dest=tmp_path / "k")
    ).listing
    assert listing is not None and listing.kept == tmp_path / "k"
    assert (tmp_path / "k").read_bytes() == data


def test_a_zlib_stream_is_not_a_tar_gz() -> None:
    listing = tar_listing(zlib.compress(raw_tar(("fuse", tarfile.REGTYPE, b"abc"))))
    assert listing.error.startswith("not a readable tar.gz (")


def test_a_gzip_member_right_after_the_zero_padding_is_an_error() -> None:
    """The padding ends exactly where a read ends and a gzip member starts the next read."""
    first = tar_gz(("fuse", tarfile.REGTYPE, b"abc"))
    blob = first + bytes(1024 * 1024 - len(first)) + gzip.compress(bytes(1024))
    assert tar_listing(blob).error == (
        "not a readable tar.gz (data follows the zero padding after the compressed stream)"
    )


def test_a_stream_cut_inside_the_gzip_trailer_is_an_error() -> None:
    blob = tar_gz(("fuse", tarfile.REGTYPE, b"abc"))[:-4]  # the tar is whole; the gzip CRC and size are not
    assert tar_listing(blob).error == "not a readable tar.gz (compressed stream ended before its end marker)"


def test_a_second_gzip_member_gets_a_full_32_kib_window_and_must_be_gzip() -> None:
    part = random.Random(5).randbytes(20_000)
    tar = gzip.decompress(tar_gz(("fuse", tarfile.REGTYPE, part + part)))  # a match 20,000 bytes back
    listing = tar_listing(gzip.compress(tar[:700]) + gzip.compress(tar[700:]), BIG)
    assert not listing.error and [m.size for m in listing.members] == [40_000]
    assert tar_listing(gzip.compress(tar[:700]) + zlib.compress(tar[700:]), BIG).error.startswith(
        "not a readable tar.gz ("
    )


@pytest.mark.parametrize(("extra", "level"), [(1, 1), (5, 6), (5, 9), (6, 1)])
def test_a_deflated_zip_member_whose_last_bytes_outrun_the_last_step_is_whole(extra: int, level: int) -> None:
    """Raw deflate has no trailer: a member of 1 MiB and a few bytes of zeros leaves its last
    bytes in the inflater once all its input is taken. They were once never asked for, and a
    valid zip was refused as "compressed data ends before its end marker"."""
    data = bytes(1024 * 1024 + extra)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("fuse-aot-demo", data)
    listing = read_zip(io.BytesIO(raw.getvalue()), BIG, WANT).listing
    assert listing is not None and not listing.error
    assert [m.size for m in listing.members] == [len(data)]


def test_where_the_inflater_steps_end_never_changes_a_valid_zip_member(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same class at every step size: members of every length and compressibility, read in
    steps of a few hundred bytes, are all whole (one in 20 ended on a held-back step before)."""
    rng = random.Random(11)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(300):
            size = rng.randint(1, 5_000)
            data = (
                rng.randbytes(size // 10 + 1) * 10 if i % 2 else bytes(rng.choice(b"ab") for _ in range(size))
            )
            archive.writestr(f"m{i}", data, compresslevel=rng.choice([1, 6, 9]))
    monkeypatch.setattr("gates.reading.zipread.CHUNK", 257)
    monkeypatch.setattr("gates.reading.zipread.STEP", 100)
    limits = ArchiveLimits(max_members=300, max_unpacked_bytes=10_000_000, max_member_bytes=10_000_000)
    listing = read_zip(io.BytesIO(raw.getvalue()), limits, WANT).listing
    assert listing is not None and not listing.error and not listing.problems
    with zipfile.ZipFile(raw) as archive:
        assert [m.size for m in listing.members] == [i.file_size for i in archive.infolist()]


@pytest.mark.parametrize(("chunk", "step"), [(1, 1), (7, 3), (257, 100), (4096, 4096), (4096, 512)])
def test_where_the_gzip_reads_end_never_changes_a_valid_tar_gz(
    monkeypatch: pytest.MonkeyPatch, chunk: int, step: int
) -> None:
    """The gzip layer's counterpart: its trailer follows the deflate data, so no held-back
    step can end the stream early; read a byte at a time or in pages, the listing is the same."""
    rng = random.Random(chunk)
    members = [
        (f"m{i}", tarfile.REGTYPE, bytes(rng.choice(b"ab") for _ in range(rng.randint(0, 3_000))))
        for i in range(8)
    ]
    blob = tar_gz(*members)
    monkeypatch.setattr("gates.reading.gzipstream.CHUNK", chunk)
    monkeypatch.setattr("gates.reading.gzipstream.STEP", step)
    listing = tar_listing(blob, BIG)
    assert not listing.error and [m.size for m in listing.members] == [len(m[2]) for m in members]
