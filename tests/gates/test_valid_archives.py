"""Valid archives that mainstream writers produce and every extractor unpacks alike: the
readers list them as written, with no problem and no error. Each case was once read as a
broken or unsafe archive (a false red)."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from drills.standard.releases import LICENSE, PUBLISHED, integrity_files, write_release
from gates.contract import ArchiveLimits
from gates.reading.archive import ArchiveListing, read_tar_gz, read_zip
from tests.gates.hostile.conftest import failed_checks

LIMITS = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000, max_member_bytes=5_000)
WANT = frozenset({"AOT_BUILD_INFO.txt"})


class _Pipe(io.RawIOBase):
    """An output zipfile cannot seek back in, as a pipe: every member gets a data descriptor."""

    def __init__(self) -> None:
        self.out = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return self.out.write(bytes(data))  # type: ignore[call-overload]


def zip_listing(blob: bytes) -> ArchiveListing:
    listing = read_zip(io.BytesIO(blob), LIMITS, WANT).listing
    assert listing is not None
    return listing


# -- zip64 data descriptors ----------------------------------------------------------------


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("data", [b"", b"mode=aot\n"], ids=["empty", "text"])
def test_a_zip64_data_descriptor_is_its_members_whole_whatever_the_size(method: int, data: bytes) -> None:
    """zipfile streaming with force_zip64 (and bsdtar's `zip:zip64`) gives a member a 24-byte
    descriptor, as its local header's zip64 field says. An empty member's also reads as a
    16-byte one with sizes of 0, and its last 8 bytes were reported as owned by no member."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=method) as archive:
        with archive.open(zipfile.ZipInfo("LICENSE"), "w", force_zip64=True) as member:
            member.write(data)
        archive.writestr("AOT_BUILD_INFO.txt", b"mode=aot\n")
    listing = zip_listing(pipe.out.getvalue())
    assert (listing.error, listing.problems) == ("", ())
    assert [(m.name, m.size) for m in listing.members] == [("LICENSE", len(data)), ("AOT_BUILD_INFO.txt", 9)]


# -- names and link targets that are not UTF-8 ---------------------------------------------


def tar_listing(*members: tuple[str, bytes, str]) -> ArchiveListing:
    """(name, tar type, link) triples, names holding bytes that are not UTF-8 as surrogates."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT, errors="surrogateescape") as tar:
        for name, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, link, 1 if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(b"x"))
    listing = read_tar_gz(io.BytesIO(gzip.compress(raw.getvalue())), LIMITS, WANT).listing
    assert listing is not None
    return listing


LATIN1_E = "\udce9"  # the byte 0xE9 ('é' in Latin-1) as surrogateescape decodes it
FILE, SYMLINK, HARDLINK = tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE


@pytest.mark.parametrize(
    "members",
    [
        pytest.param([(f"{LATIN1_E}t{LATIN1_E}.txt", FILE, "")], id="first-byte"),
        pytest.param([("x", FILE, ""), (f"x{LATIN1_E}y", FILE, "")], id="beside-a-file-named-like-its-start"),
        pytest.param([(LATIN1_E, FILE, ""), ("l", SYMLINK, LATIN1_E)], id="symlink-target"),
        pytest.param([(f"d{LATIN1_E}/f", FILE, ""), ("h", HARDLINK, f"d{LATIN1_E}/f")], id="hardlink-target"),
    ],
)
def test_a_tar_name_that_is_not_utf8_is_judged_as_extraction_writes_it(
    members: list[tuple[str, bytes, str]],
) -> None:
    """GNU tar, bsdtar and tarfile write such a name byte for byte; the listing shows its bytes
    as \\xNN. That backslash was judged as a root or a folder separator: 'é.txt' in Latin-1
    had "an absolute path", and `x\\xe9y` was written "through 'x', which is not a folder"."""
    listing = tar_listing(*members)
    assert (listing.error, listing.problems) == ("", ())
    assert listing.members[0].name == members[0][0].replace(LATIN1_E, "\\xe9")


def test_a_zip_symlink_target_that_is_not_utf8_stays_inside() -> None:
    """unzip and bsdtar write the target byte for byte ('é' in Latin-1, next to the link): it
    once read as `\\xe9`, an absolute Windows path pointing outside the archive."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("\u00e9", b"x")
        link = zipfile.ZipInfo("l")
        link.create_system, link.external_attr = 3, 0o120777 << 16
        archive.writestr(link, b"\xe9")
    listing = zip_listing(raw.getvalue())
    assert (listing.error, listing.problems) == ("", ())
    assert [(m.kind, m.link) for m in listing.members] == [("file", ""), ("symlink", "\\xe9")]


def test_problems_with_a_name_that_is_not_utf8_show_its_bytes_printable() -> None:
    """Judged by its real bytes, still reported as \\xNN (a report cannot encode a surrogate)."""
    listing = tar_listing((LATIN1_E, FILE, ""), (LATIN1_E, FILE, ""), ("up", SYMLINK, f"../{LATIN1_E}"))
    assert listing.problems == (
        "member '\\xe9' is in the archive more than once: extraction keeps the last copy",
        "symlink 'up' points outside the archive ('../\\xe9')",
    )


# -- zip modes extractors do not make ------------------------------------------------------


@pytest.mark.parametrize("mode", [0o010600, 0o140644], ids=["fifo", "socket"])
def test_a_zip_member_with_a_fifo_or_socket_mode_is_the_regular_file_extraction_writes(mode: int) -> None:
    """Info-ZIP's `zip` records stdin from a pipe with the pipe's mode (`cmd | zip out.zip -`);
    unzip, bsdtar, 7z and zipfile all write such a member, and a socket's, as a regular file
    (bsdtar does make character and block devices: those stay findings)."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        info = zipfile.ZipInfo("-")
        info.create_system, info.external_attr = 3, mode << 16
        archive.writestr(info, b"mode=aot\n")
    listing = zip_listing(raw.getvalue())
    assert (listing.error, listing.problems) == ("", ())
    assert [(m.kind, m.size, m.mode) for m in listing.members] == [("file", 9, mode & 0o7777)]


# -- hard links to a bundle's binaries -----------------------------------------------------


def _cli_bundle_with_hard_link(target_mode: int, link_mode: int) -> bytes:
    """The linux CLI bundle with `fuse-lsp` stored as a hard link to `fuse`, as GNU tar and
    bsdtar store a second name of one file (a multi-call binary)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, mode, data in [
            ("fuse", tarfile.REGTYPE, target_mode, b"\x7fELF multi-call"),
            ("fuse-lsp", tarfile.LNKTYPE, link_mode, b""),
            ("LICENSE", tarfile.REGTYPE, 0o644, LICENSE),
            ("README.txt", tarfile.REGTYPE, 0o644, b"FUSE CLI bundle\n"),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size = kind, mode, len(data)
            info.linkname = "fuse" if kind == tarfile.LNKTYPE else ""
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def _gate_on_cli_bundle(tmp_path: Path, bundle: bytes) -> dict[str, list[str]]:
    folder = write_release(tmp_path / "v0.7.0", "v0.7.0")
    (folder / "fuse-cli-linux-x64.tar.gz").write_bytes(bundle)
    integrity_files(folder, PUBLISHED["v0.7.0"])
    return failed_checks(folder)


def test_a_binary_stored_as_a_hard_link_is_the_file_it_links_to(tmp_path: Path) -> None:
    """Extraction makes `fuse-lsp` a second name of `fuse`, with its mode (the link header's
    own mode is not used); C001 once found `fuse-lsp` missing, being no "file" member."""
    assert _gate_on_cli_bundle(tmp_path, _cli_bundle_with_hard_link(0o755, 0o644)) == {}


def test_a_hard_link_to_a_binary_that_is_not_executable_is_not_executable(tmp_path: Path) -> None:
    failed = _gate_on_cli_bundle(tmp_path, _cli_bundle_with_hard_link(0o644, 0o755))
    assert set(failed) == {"C002"}
    assert [line.split(" (")[0] for line in failed["C002"]] == [
        "fuse-cli-linux-x64.tar.gz: 'fuse' is not executable",
        "fuse-cli-linux-x64.tar.gz: 'fuse-lsp' is not executable",
    ]
