"""Hostile tar.gz bundles, built byte by byte: judged by what extraction yields.

Each case is a class of input that got a false pass (or a hang) before the reader modelled
extraction: the listing now carries the C007 problem or the C008 error, in bounded time."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.conftest import has_problem, tar_listing

pytestmark = pytest.mark.timeout(20)

OUT = "outside the archive"

# (id, tar blocks after the four clean AOT members, text of the C007 problem)
ESCAPING_LINKS = [
    ("dot-then-dotdot", [b.link("x", "."), b.link("y", "x/.."), b.file("y/escape.txt", b"pwn")], OUT),
    ("dot-then-dotdot-link-itself", [b.link("x", "."), b.link("y", "x/..")], "symlink 'y' points outside"),
    ("two-hop-chain", [b.link("a", "b"), b.link("b", ".."), b.file("a/x", b"")], OUT),
    ("reversed-order", [b.link("y", "x/.."), b.link("x", ".")], "symlink 'y' points outside"),
    ("folder-up-then-up", [b.header("d/", b"5"), b.link("d/up", ".."), b.link("d/up2", "up/..")], OUT),
    ("deep-self-links", [b.link("x", "."), b.link("x/x/x/y", "../..")], OUT),
    ("hardlink-through-symlink", [b.link("x", "."), b.link("h", "x/../etc/passwd", b"1")], OUT),
    ("write-through-linked-folder", [b.link("x", "."), b.link("d", "x/.."), b.file("d/cron", b"*")], OUT),
    ("link-to-absolute-via-chain", [b.link("a", "/etc"), b.file("a/passwd", b"")], OUT),
    ("symlink-loop", [b.link("a", "b"), b.link("b", "a"), b.file("a/x", b"")], "a symlink loop"),
    ("self-loop", [b.link("a", "a/b"), b.file("a/x", b"")], "a symlink loop"),
    ("file-then-member-inside", [b.file("f", b"x"), b.file("f/g", b"y")], "which is not a folder"),
    ("hardlink-to-later-member", [b.link("h", "later", b"1"), b.file("later", b"x")], "not an earlier file"),
    ("hardlink-to-missing", [b.link("h", "nowhere", b"1")], "not an earlier file"),
    ("hardlink-to-folder", [b.header("d/", b"5"), b.link("h", "d", b"1")], "not an earlier file"),
    ("backslash-link-up", [b.link("x", "."), b.link("y", "x\\..")], "symlink 'y' points outside"),
]

GLOBAL_HEADERS = [
    (
        "global-path-escapes",
        [b.pax({"path": "../../x"}, b"g"), b.file("LICENSE2", b"x")],
        "escapes the archive",
    ),
    ("global-path-noted", [b.pax({"path": "../../x"}, b"g"), b.file("LICENSE2", b"x")], "every later member"),
    (
        "global-path-renames-into-duplicates",
        [b.pax({"path": "AOT_BUILD_INFO.txt"}, b"g"), b.file("a", b"x"), b.file("b", b"y")],
        "more than once",
    ),
    (
        "global-linkpath",
        [b.pax({"linkpath": "/etc/shadow"}, b"g"), b.link("l", "inside")],
        "points outside",
    ),
    (
        "global-then-extended-absolute",
        [b.pax({"comment": "x"}, b"g"), b.pax({"path": "/etc/cron.d/x"}), b.file("ok", b"")],
        "absolute path",
    ),
    ("solaris-extended-header", [b.pax({"path": "../evil"}, b"X"), b.file("ok", b"")], "escapes the archive"),
]


EVIL_PATH = b" path=../../evil\n"


def _padded_record(width: int, text: bytes = EVIL_PATH) -> bytes:
    """A pax record (`path=../../evil`) with its length zero-padded to `width` digits."""
    return str(width + len(text)).zfill(width).encode() + text


# a record's length is read zero-padded up to tarfile's 20 digits, as GNU tar and tarfile read
# it (each names the member '../../evil'); a 20-byte window missed the `path` of a record padded
# past it: a false pass
PAX_LENGTHS = [
    ("length-zero-padded", [b.pax_raw(_padded_record(20)), b.file("ok", b"")], "escapes the archive"),
    (
        "path-after-a-zero-padded-length",  # the padded record ends where its length says
        [b.pax_raw(_padded_record(20, b" comment=x\n") + _padded_record(2)), b.file("ok", b"")],
        "escapes the archive",
    ),
]

DUPLICATES = [
    ("same-file-twice", [b.file("LICENSE", b"other")], "more than once"),
    ("dot-slash-spelling", [b.file("./LICENSE", b"other")], "more than once"),
    ("double-slash-spelling", [b.header("d/", b"5"), b.file("d/a"), b.file("d//a")], "more than once"),
    ("file-replaced-by-symlink", [b.link("README.txt", "/etc/passwd")], "more than once"),
    ("folder-then-file", [b.header("d/", b"5"), b.file("d", b"x")], "more than once"),
    ("implied-folder-then-file", [b.file("d/a"), b.file("d", b"x")], "a folder of other members"),
    ("binary-twice", [b.file("fuse-aot-demo", b"\x7fELF other", 0o755)], "more than once"),
    ("case-collision", [b.file("license", b"x")], "case-insensitive"),
    ("unicode-normalisation", [b.file("caf\u00e9"), b.file("cafe\u0301")], "case-insensitive"),
    ("long-name-duplicate", [b.gnu_long("LICENSE"), b.file("placeholder", b"x")], "more than once"),
    ("pax-path-duplicate", [b.pax({"path": "README.txt"}), b.file("placeholder", b"x")], "more than once"),
]

KINDS = [
    ("char-device", [b.header("null", b"3")], "a character device"),
    ("block-device", [b.header("sda", b"4")], "a block device"),
    ("fifo", [b.header("pipe", b"6")], "a FIFO"),
    ("volume-label", [b.header("label", b"V")], "tar type 'V'"),
    ("gnu-dumpdir", [b.header("d", b"D")], "tar type 'D'"),
    ("multivolume", [b.header("m", b"M")], "tar type 'M'"),
    ("unknown-letter", [b.file("z", b"data", kind=b"Z")], "tar type 'Z'"),
    ("empty-name", [b.file("", b"x")], "empty name"),
]


def _blob(blocks: list[bytes]) -> bytes:
    return b.tar_gz(b.aot_members(), *blocks)


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        pytest.param(blocks, problem, id=i)
        for i, blocks, problem in ESCAPING_LINKS + GLOBAL_HEADERS + PAX_LENGTHS + DUPLICATES + KINDS
    ],
)
def test_extraction_is_modelled(blocks: list[bytes], problem: str) -> None:
    listing = tar_listing(_blob(blocks))
    assert has_problem(listing, problem), listing.problems
    assert not listing.error


# (id, blocks, text of the C008 error): readers disagree, or the stream would step backwards
MALFORMED = [
    ("negative-size-file", [b.header("f", size_field=b.base256(-512))], "negative size"),
    ("negative-size-small", [b.header("f", size_field=b.base256(-1))], "negative size"),
    (
        "negative-size-long-name",
        [b.header("././@LongLink", b"L", size_field=b.base256(-1024))],
        "negative size",
    ),
    ("negative-size-pax", [b.header("PaxHeader", b"x", size_field=b.base256(-512))], "negative size"),
    ("negative-size-global", [b.header("PaxHeader", b"g", size_field=b.base256(-2048))], "negative size"),
    ("negative-size-symlink", [b.header("l", b"2", size_field=b.base256(-512), link="x")], "negative size"),
    ("size-on-symlink", [b.header("l", b"2", size=512, link="LICENSE"), bytes(512)], "not a regular file"),
    ("size-on-folder", [b.header("d/", b"5", size=512), bytes(512)], "not a regular file"),
    ("size-on-device", [b.header("c", b"3", size=100), bytes(512)], "not a regular file"),
    ("sparse-member", [b.header("s", b"S", size=0)], "sparse"),
    ("sparse-pax", [b.pax({"GNU.sparse.major": "1", "GNU.sparse.minor": "0"}), b.file("s")], "sparse"),
    ("global-size", [b.pax({"size": "0"}, b"g"), b.file("f", b"data")], "size of every later member"),
    ("long-name-and-pax-path", [b.gnu_long("a"), b.pax({"path": "b"}), b.file("c")], "set twice"),
    ("two-long-names", [b.gnu_long("a"), b.gnu_long("b"), b.file("c")], "set twice"),
    ("pax-key-twice", [b.pax([("path", "a"), ("path", "../b")]), b.file("c")], "given twice"),
    ("bad-checksum", [b.header("f")[:148] + b"000000\0 " + b.header("f")[156:]], "not a readable tar.gz"),
]


@pytest.mark.parametrize(
    ("blocks", "error"), [pytest.param(blocks, error, id=i) for i, blocks, error in MALFORMED]
)
def test_headers_extractors_disagree_on_are_malformed(blocks: list[bytes], error: str) -> None:
    listing = tar_listing(_blob(blocks))
    assert error in listing.error, listing.error


def test_a_long_pax_key_given_twice_is_named_by_its_first_64_characters() -> None:
    """The key is the archive's text: the error names enough of it, not all of it."""
    key = "k" * 63 + "xy" + "z" * 500
    listing = tar_listing(_blob([b.pax([(key, "1"), (key, "2")]), b.file("c")]))
    assert f"malformed pax header: '{'k' * 63}x' given twice" in listing.error, listing.error


def test_a_huge_positive_base256_size_stops_at_the_member_limit() -> None:
    listing = tar_listing(b.tar_gz(b.header("f", size_field=b.base256(1 << 80))))
    assert listing.truncated and has_problem(listing, "bytes (limit")


def test_many_metadata_headers_hit_the_header_limit() -> None:
    blob = b.tar_gz(*(b.pax({"comment": "x"}, b"g") for _ in range(5000)))
    listing = tar_listing(blob)
    assert listing.truncated and has_problem(listing, "tar headers")


def test_the_last_copy_of_a_kept_binary_is_the_one_kept(tmp_path: Path) -> None:
    from gates.reading.archive import Keep, read_tar_gz  # noqa: PLC0415
    from tests.gates.hostile.conftest import RULES, WANT  # noqa: PLC0415

    blob = _blob([b.file("fuse-aot-demo", b"second copy", 0o755)])
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "bin")
    listing = read_tar_gz(io.BytesIO(blob), RULES.limits, WANT, keep).listing
    assert listing is not None and listing.kept == tmp_path / "bin"
    assert (tmp_path / "bin").read_bytes() == b"second copy"


def test_the_text_checks_read_is_the_last_copy() -> None:
    listing = tar_listing(_blob([b.file("./AOT_BUILD_INFO.txt", b.build_info("0.6.9"))]))
    assert "cli=0.6.9" in listing.texts["AOT_BUILD_INFO.txt"]


def test_extraction_really_escapes_for_the_dot_chain(tmp_path: Path) -> None:
    """The model is not paranoia: tarfile without a filter writes outside the root."""
    root = tmp_path / "root"
    root.mkdir()
    blob = _blob(ESCAPING_LINKS[0][1])
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(root, filter="fully_trusted")
    assert (tmp_path / "escape.txt").read_bytes() == b"pwn"


def _deep(prefix: str, folders: int = 32_000) -> str:
    """A name just under the 64 KiB long-name limit: `prefix/d/d/.../d/f`."""
    return prefix + "/d" * folders + "/f"


def test_deep_names_cost_time_in_proportion_to_their_length() -> None:
    """Twelve members of 32,000 folders each: a lookup per folder that re-read the path so far
    cost a minute per member (the tree's paths were tuples, hashed and sliced at every
    depth); within the 20 s limit only when the cost of a name is linear in its length."""
    names = [_deep(f"p{i}") for i in range(12)]
    listing = tar_listing(
        b.tar_gz(b.aot_members(), *(blk for n in names for blk in (b.gnu_long(n), b.file(n))))
    )
    assert [m.name for m in listing.members][-12:] == names and not listing.problems


def test_deep_symlinks_are_resolved_in_linear_time_and_still_judged() -> None:
    """Links into a deep folder, judged as they come and again against the finished tree,
    and one out of it that climbs past the root: only that one is a finding."""
    deep = _deep("a", 16_000)
    folder = deep.rsplit("/", 1)[0]  # 16,001 components
    blocks = [b.gnu_long(deep), b.file(deep, b"x")]
    for i in range(20):
        blocks += [b.gnu_long(deep, b"K"), b.link(f"l{i}", "placeholder")]
    out, climbs_out = folder + "/up", "../" * 16_002 + "etc"
    blocks += [b.gnu_long(out), b.gnu_long(climbs_out, b"K"), b.link("up", "placeholder")]
    listing = tar_listing(b.tar_gz(b.aot_members(), *blocks))
    outside = {p for p in listing.problems if "outside the archive" in p}
    assert outside == {f"symlink '{out}' points outside the archive ('{climbs_out}')"}, listing.problems[:3]
    assert len(listing.problems) == len([p for p in listing.problems if p in outside])


@pytest.mark.parametrize(
    ("blocks", "outside"),
    [
        # a link three folders down climbs three to the root, or four to outside it
        ([b.file("a/b/c/f"), b.link("a/b/c/l", "../../../LICENSE")], []),
        ([b.file("a/b/c/f"), b.link("a/b/c/m", "../../../../x")], ["a/b/c/m"]),
        # `..` after a folder the tree does not hold undoes that folder, not one it holds
        ([b.link("n", "nope/../LICENSE")], []),
        ([b.link("o", "nope/../../x")], ["o"]),
        ([b.file("d/f"), b.link("d/p", "nope/more/../../../../x")], ["d/p"]),
    ],
    ids=["deep-inside", "deep-outside", "missing-then-up", "missing-then-out", "two-missing-then-out"],
)
def test_links_resolve_from_their_own_folder_through_folders_that_do_not_exist(
    blocks: list[bytes], outside: list[str]
) -> None:
    listing = tar_listing(_blob(blocks))
    named = sorted({p.split("'")[1] for p in listing.problems if "outside the archive" in p})
    assert named == outside, listing.problems


def test_a_case_collision_deep_in_folders_names_both_whole_paths() -> None:
    listing = tar_listing(_blob([b.file("A/b/c/x"), b.file("a/B/c/X")]))
    assert (
        "members 'A/b/c/x' and 'a/B/c/X' are the same file on case-insensitive file systems (macOS, Windows)"
        in listing.problems
    ), listing.problems


REC = b"16 path=a/b.txt\n"  # a well-formed record of 16 bytes

# (id, the body of a pax header, the words of the C008 error): GNU tar refuses each
# ("Malformed extended header", exit 2), or reads it otherwise than tarfile (a newer tarfile
# refuses lengths of more than 20 digits and a blank after the last record); none of them is
# written by GNU tar, bsdtar or tarfile
MALFORMED_PAX = [
    ("no-length", b"garbage no length\n", "at byte 0 of 'PaxHeader' does not start with its length"),
    ("length-zero", b"0 path=evil\n", "does not end in a newline at its length (0 bytes)"),
    ("length-not-digits", b"x path=evil\n", "does not start with its length in decimal digits and a space"),
    ("length-signed", b"+16 path=a/b.txt\n", "does not start with its length"),
    ("blank-before-length", b" " + REC, "does not start with its length"),
    ("tab-after-length", b"16\tpath=a/b.txt\n", "does not start with its length"),
    ("no-blank-after-length", b"15path=a/b.txt\n", "does not start with its length"),
    ("two-blanks-after-length", b"17  path=a/b.txt\n", "has more than one blank after its length"),
    ("tab-before-keyword", b"17 \tpath=a/b.txt\n", "has more than one blank after its length"),
    ("length-short-of-newline", b"15 path=a/b.txt\n", "does not end in a newline at its length (15 bytes)"),
    ("length-past-the-newline", b"17 path=a/b.txt\nX", "does not end in a newline at its length (17 bytes)"),
    ("length-too-short-for-a-record", b"3 a=\n", "does not end in a newline at its length (3 bytes)"),
    ("length-past-the-header", b"99 path=a/b.txt\n", "declares 99 bytes, past the header's end (16 bytes)"),
    ("length-of-21-digits", _padded_record(21), "has a length of more than 20 digits"),
    ("length-of-5000-digits", b"9" * 5000 + EVIL_PATH, "has a length of more than 20 digits"),
    ("no-newline-at-the-end", b"16 path=a/b.txtX", "does not end in a newline at its length (16 bytes)"),
    ("no-equals", b"13 pathabcde\n", "has no '=' between its keyword and its value"),
    ("empty-keyword", b"7 =abc\n", "has an empty keyword"),
    ("nul-in-keyword", b"17 pa\0th=a/b.txt\n", "has a NUL byte in its keyword"),
    ("nul-in-path", b"17 path=a/b\0.txt\n", "has a NUL byte in its path"),
    ("nul-in-linkpath", b"21 linkpath=a/b\0.txt\n", "has a NUL byte in its linkpath"),
    ("garbage-after-the-last-record", REC + b"garbage", "at byte 16 of 'PaxHeader' does not start"),
    ("newline-after-the-last-record", REC + b"\n", "at byte 16 of 'PaxHeader' does not start"),
    ("blank-after-the-last-record", REC + b" ", "at byte 16 of 'PaxHeader' does not start"),
    ("bytes-after-the-nul-padding", REC + b"\0garbage", "at byte 16 of 'PaxHeader' is followed by 8 bytes"),
    ("second-record-no-length", REC + b"garbage no length\n", "at byte 16 of 'PaxHeader' does not start"),
    ("third-record-past-the-header", REC + b"12 comment=\n" + b"40 mtime=1\n", "at byte 28 of 'PaxHeader'"),
]


@pytest.mark.parametrize("kind", [b"x", b"g", b"X"], ids=["extended", "global", "solaris"])
@pytest.mark.parametrize(
    ("body", "words"), [pytest.param(body, words, id=i) for i, body, words in MALFORMED_PAX]
)
def test_a_pax_record_gnu_tar_refuses_is_malformed(body: bytes, words: str, kind: bytes) -> None:
    """Before a normal member, as the sweep found it: the gate passed `garbage no length`,
    where GNU tar says `Malformed extended header: missing length` and exits 2."""
    listing = tar_listing(_blob([b.pax_raw(body, kind), b.file("ok", b"")]))
    assert "not a readable tar.gz (malformed pax header: the record at byte " in listing.error, listing.error
    assert words in listing.error, listing.error


def _record(key: bytes, value: bytes) -> bytes:
    """A well-formed record, its length counting its own digits."""
    text = b" " + key + b"=" + value + b"\n"
    length = len(text) + 1
    while len(text) + len(str(length)) != length:
        length = len(text) + len(str(length))
    return str(length).encode() + text


# well-formed records as GNU tar, bsdtar and tarfile write them: read, and applied
WELL_FORMED_PAX = [
    ("one-record", REC, "a/b.txt"),
    ("nul-padding-after-the-records", REC + b"\0" * 40, "a/b.txt"),
    ("length-padded-to-20-digits", b"00000000000000000034 path=a/b.txt\n", "a/b.txt"),
    ("empty-value", b"12 comment=\n" + REC, "a/b.txt"),
    ("shortest-record", b"5 k=\n" + REC, "a/b.txt"),  # a one-letter keyword, no value: 5 bytes
    ("value-with-newline-and-equals", _record(b"comment", b"a=\nb=c") + REC, "a/b.txt"),
    ("binary-xattr-value", _record(b"SCHILY.xattr.user.k", b"\0\x01\xff\n") + REC, "a/b.txt"),
    ("blank-value", _record(b"LIBARCHIVE.xattr.a", b" ") + REC, "a/b.txt"),
    ("record-of-99-bytes", _record(b"comment", b"c" * 87) + REC, "a/b.txt"),  # the last of 2 digits
    ("record-of-101-bytes", _record(b"comment", b"c" * 88) + REC, "a/b.txt"),  # 3 digits: 100 fits none
    ("path-of-1000-bytes", _record(b"path", b"d/" * 500 + b"f"), "d/" * 500 + "f"),
]


@pytest.mark.parametrize(
    ("body", "name"), [pytest.param(body, name, id=i) for i, body, name in WELL_FORMED_PAX]
)
def test_a_well_formed_pax_header_is_read(body: bytes, name: str) -> None:
    listing = tar_listing(_blob([b.pax_raw(body), b.file("ok", b"")]))
    assert not listing.error and [m.name for m in listing.members][-1] == name, listing.error
