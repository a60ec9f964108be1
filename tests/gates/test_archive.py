"""The one-pass archive reader on real tar.gz and zip bytes."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zipfile

import pytest

from gates.contract import ArchiveLimits
from gates.reading.archive import read_tar_gz, read_zip, unsafe_name
from gates.reading.gzipstream import CHUNK
from gates.reading.tarstream import MAX_METADATA

LIMITS = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000, max_member_bytes=5_000)
WANT = frozenset({"AOT_BUILD_INFO.txt"})


def tar_gz(*members: tarfile.TarInfo, data: dict[str, bytes] | None = None) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for info in members:
            body = (data or {}).get(info.name, b"")
            info.size = len(body) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(body))
    return gzip.compress(raw.getvalue())


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o755
    return info


def test_hash_listing_and_text_in_one_pass() -> None:
    blob = tar_gz(
        member("fuse-aot-demo"),
        member("AOT_BUILD_INFO.txt"),
        data={"fuse-aot-demo": b"\x7fELF", "AOT_BUILD_INFO.txt": b"mode=aot\n"},
    )
    result = read_tar_gz(io.BytesIO(blob), LIMITS, WANT)
    assert result.sha256 == hashlib.sha256(blob).hexdigest() and result.size == len(blob)
    assert result.listing is not None
    assert [m.name for m in result.listing.members] == ["fuse-aot-demo", "AOT_BUILD_INFO.txt"]
    assert result.listing.members[0].executable
    assert result.listing.texts == {"AOT_BUILD_INFO.txt": "mode=aot\n"}
    assert not result.listing.problems and not result.listing.error


@pytest.mark.parametrize(
    ("info", "problem"),
    [
        (member("../evil"), "escapes the archive"),
        (member("/etc/passwd"), "absolute path"),
        (member("lib.so", tarfile.SYMTYPE, "../../lib/libc.so"), "points outside the archive"),
        (member("hard", tarfile.LNKTYPE, "/etc/shadow"), "hardlink 'hard' points outside"),
    ],
)
def test_unsafe_members_are_problems(info: tarfile.TarInfo, problem: str) -> None:
    listing = read_tar_gz(io.BytesIO(tar_gz(info)), LIMITS, WANT).listing
    assert listing is not None and any(problem in p for p in listing.problems)


def test_link_inside_the_archive_is_fine() -> None:
    listing = read_tar_gz(
        io.BytesIO(tar_gz(member("fuse"), member("alias", tarfile.SYMTYPE, "fuse"))), LIMITS, WANT
    ).listing
    assert listing is not None and listing.problems == ()


def test_member_count_limit_stops_listing_but_hash_completes() -> None:
    blob = tar_gz(*(member(f"f{i}") for i in range(20)))
    result = read_tar_gz(io.BytesIO(blob), LIMITS, WANT)
    assert result.listing is not None and result.listing.truncated
    assert "more than 10 members" in result.listing.problems[0]
    assert result.sha256 == hashlib.sha256(blob).hexdigest()


def test_unpacked_size_limit() -> None:
    blob = (
        tar_gz(
            member("a"),
            member("b"),
            data={"a": bytes(4_000), "b": bytes(4_000)},
        )
        + b""
    )
    ok = read_tar_gz(io.BytesIO(blob), LIMITS, WANT)
    assert ok.listing is not None and not ok.listing.problems
    big = tar_gz(*(member(n) for n in "abc"), data={n: bytes(4_000) for n in "abc"})
    listing = read_tar_gz(io.BytesIO(big), LIMITS, WANT).listing
    assert listing is not None and "unpacks to more than 10000 bytes" in listing.problems[0]


def test_not_a_tar_gz_is_an_archive_error_with_a_hash() -> None:
    result = read_tar_gz(io.BytesIO(b"PK\x03\x04 not gzip"), LIMITS, WANT)
    assert result.listing is not None and "not a readable tar.gz" in result.listing.error
    assert result.sha256 == hashlib.sha256(b"PK\x03\x04 not gzip").hexdigest()


def test_zip_symlink_out_and_text() -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        link = zipfile.ZipInfo("fuse.exe")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "C:/Windows/system32/cmd.exe")
        archive.writestr("AOT_BUILD_INFO.txt", "mode=aot\n")
    listing = read_zip(io.BytesIO(raw.getvalue()), LIMITS, WANT).listing
    assert listing is not None
    assert listing.texts["AOT_BUILD_INFO.txt"] == "mode=aot\n"
    assert any("symlink 'fuse.exe' points outside" in p for p in listing.problems)


@pytest.mark.parametrize("name", ["..\\..\\x.exe", "C:\\x.exe", "a/../../b"])
def test_windows_style_escapes(name: str) -> None:
    assert unsafe_name(name)


def test_relative_link_that_stays_inside_is_fine() -> None:
    listing = read_tar_gz(
        io.BytesIO(tar_gz(member("bin/fuse"), member("bin/x/alias", tarfile.SYMTYPE, "../fuse"))),
        LIMITS,
        WANT,
    ).listing
    assert listing is not None and listing.problems == ()


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_long_names_and_links_in_gnu_and_pax(fmt: int) -> None:
    long_name = "deep/" * 30 + "fuse"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        info = tarfile.TarInfo(long_name)
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
        link = tarfile.TarInfo("l")
        link.type, link.linkname = tarfile.SYMTYPE, "/" + "x" * 120
        tar.addfile(link)
        text = tarfile.TarInfo("AOT_BUILD_INFO.txt")
        text.size = 9
        tar.addfile(text, io.BytesIO(b"mode=aot\n"))
    listing = read_tar_gz(io.BytesIO(gzip.compress(raw.getvalue())), LIMITS, WANT).listing
    assert listing is not None and not listing.error
    assert [m.name for m in listing.members] == [long_name, "l", "AOT_BUILD_INFO.txt"]
    assert listing.members[1].link == "/" + "x" * 120
    assert listing.texts == {"AOT_BUILD_INFO.txt": "mode=aot\n"}


def test_truncated_tar_inside_member_is_an_error() -> None:
    blob = tar_gz(member("a"), data={"a": bytes(3000)})
    cut = gzip.compress(gzip.decompress(blob)[:1200])
    listing = read_tar_gz(io.BytesIO(cut), LIMITS, WANT).listing
    assert listing is not None and "ends inside a member" in listing.error


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("a/b/x", "../y"),  # hardlink targets are archive-root relative: `../y` leaves the root
        ("a/x", "a/../../etc/passwd"),
    ],
)
def test_hardlink_target_is_resolved_from_the_archive_root(name: str, link: str) -> None:
    listing = read_tar_gz(io.BytesIO(tar_gz(member(name, tarfile.LNKTYPE, link))), LIMITS, WANT).listing
    assert listing is not None
    assert any(f"hardlink '{name}' points outside" in p for p in listing.problems)


def test_hardlink_to_a_member_in_another_folder_is_fine() -> None:
    listing = read_tar_gz(
        io.BytesIO(tar_gz(member("bin/fuse"), member("lib/x/fuse", tarfile.LNKTYPE, "bin/fuse"))),
        LIMITS,
        WANT,
    ).listing
    assert listing is not None and listing.problems == ()


@pytest.mark.parametrize("kind", [tarfile.GNUTYPE_LONGNAME, tarfile.XHDTYPE])
def test_oversized_metadata_header_stops_listing(kind: bytes) -> None:
    limits = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000_000, max_member_bytes=5_000_000)
    header = tarfile.TarInfo("././@LongLink")
    header.type, header.size = kind, MAX_METADATA + 1
    raw = header.tobuf(tarfile.USTAR_FORMAT) + bytes(-(-header.size // 512) * 512)
    blob = gzip.compress(raw + tarfile.TarInfo("x").tobuf() + bytes(1024))
    result = read_tar_gz(io.BytesIO(blob), limits, WANT)
    assert result.listing is not None and result.listing.truncated
    assert f"metadata header of more than {MAX_METADATA} bytes" in result.listing.problems[0]
    assert result.sha256 == hashlib.sha256(blob).hexdigest()


def test_member_names_that_are_not_utf8_are_shown_as_escapes() -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        tar.addfile(member("café"), io.BytesIO(b""))
        tar.addfile(member("lien", tarfile.SYMTYPE, "../é"))
    listing = read_tar_gz(io.BytesIO(gzip.compress(raw.getvalue())), LIMITS, WANT).listing
    assert listing is not None and not listing.error
    assert [(m.name, m.link) for m in listing.members] == [("caf\\xe9", ""), ("lien", "../\\xe9")]
    assert listing.problems == ("symlink 'lien' points outside the archive ('../\\xe9')",)


def test_zip_name_flagged_utf8_that_is_not_is_an_archive_error() -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("café", b"x")  # a non-ASCII name sets the UTF-8 flag
    blob = raw.getvalue().replace("café".encode(), b"caf\xff\xfe")
    listing = read_zip(io.BytesIO(blob), LIMITS, WANT).listing
    assert listing is not None and "not a readable zip" in listing.error


def flag_encrypted(blob: bytes, name: str) -> bytes:
    """`blob` with the encryption flag set on member `name` (local and central headers)."""
    data = bytearray(blob)
    info = zipfile.ZipFile(io.BytesIO(blob)).getinfo(name)
    data[info.header_offset + 6] |= 0x1
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1
    return bytes(data)


@pytest.mark.parametrize("encrypted", ["AOT_BUILD_INFO.txt", "README.txt"])
def test_an_encrypted_zip_member_is_an_archive_error(encrypted: str) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AOT_BUILD_INFO.txt", "mode=aot\n")
        archive.writestr("README.txt", "read me\n")
    blob = flag_encrypted(raw.getvalue(), encrypted)
    result = read_zip(io.BytesIO(blob), LIMITS, WANT)
    assert result.listing is not None and result.sha256 == hashlib.sha256(blob).hexdigest()
    assert result.listing.error == (
        f"cannot read member '{encrypted}': its central directory entry flags it encrypted (flag bit 0): "
        "a bundle must unpack without a password"
    )


def two_member_tar_gz() -> bytes:
    return tar_gz(member("fuse"), member("AOT_BUILD_INFO.txt"), data={"AOT_BUILD_INFO.txt": b"mode=aot\n"})


@pytest.mark.parametrize("padding", [1, 512, CHUNK - 3, 2 * CHUNK + 7])  # within and across reads
def test_trailing_zero_padding_after_the_gzip_stream_is_ignored(padding: int) -> None:
    blob = two_member_tar_gz() + bytes(padding)
    result = read_tar_gz(io.BytesIO(blob), LIMITS, WANT)
    assert result.listing is not None and not result.listing.error
    assert [m.name for m in result.listing.members] == ["fuse", "AOT_BUILD_INFO.txt"]
    assert result.listing.texts == {"AOT_BUILD_INFO.txt": "mode=aot\n"}
    assert result.sha256 == hashlib.sha256(blob).hexdigest() and result.size == len(blob)


def test_concatenated_gzip_members_are_one_stream() -> None:
    tar = gzip.decompress(two_member_tar_gz())
    blob = gzip.compress(tar[:700]) + gzip.compress(tar[700:])
    listing = read_tar_gz(io.BytesIO(blob), LIMITS, WANT).listing
    assert listing is not None and not listing.error
    assert [m.name for m in listing.members] == ["fuse", "AOT_BUILD_INFO.txt"]


@pytest.mark.parametrize(
    "tail",
    [
        b"garbage",
        bytes(100) + b"garbage",
        bytes(2 * CHUNK) + b"\x01",
        bytes(CHUNK + 5) + gzip.compress(b"\0" * 1024),  # no gzip member after the padding
    ],
)
def test_trailing_data_that_is_not_zero_padding_is_an_error(tail: bytes) -> None:
    listing = read_tar_gz(io.BytesIO(two_member_tar_gz() + tail), LIMITS, WANT).listing
    assert listing is not None and "not a readable tar.gz" in listing.error
