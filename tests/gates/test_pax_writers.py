"""The pax record parser refuses what GNU tar refuses, and reads what real writers write:
GNU tar --format=pax, Python's tarfile (PAX_FORMAT) and records as bsdtar writes them.

The GNU tar tests run where `tar` is GNU tar (skipped elsewhere, e.g. macOS's bsdtar)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.conftest import tar_listing
from tests.gates.hostile.test_tar_hostile import MALFORMED_PAX, REC, WELL_FORMED_PAX, _record

TAR = shutil.which("tar")


def _is_gnu_tar(tar: str | None) -> bool:
    if tar is None:
        return False
    return b"GNU tar" in subprocess.run([tar, "--version"], capture_output=True, check=False).stdout


GNU_TAR = _is_gnu_tar(TAR)
needs_gnu_tar = pytest.mark.skipif(not GNU_TAR, reason="needs GNU tar")

# refused though GNU tar and this tarfile (3.11.7) read them alike: a newer tarfile (3.12.6+,
# 3.11.10+) refuses the first three, and no reader reads bytes after the NUL padding (a hiding
# place no writer makes); the linkpath of a regular file is not read at all
STRICTER = {
    "length-of-21-digits",
    "empty-keyword",
    "blank-after-the-last-record",
    "bytes-after-the-nul-padding",
    "nul-in-linkpath",
}


def _gnu_and_tarfile(raw: bytes, tmp_path: Path) -> tuple[int, list[str], list[str]]:
    path = tmp_path / "t.tar"
    path.write_bytes(raw)
    done = subprocess.run([TAR or "tar", "-tf", str(path)], capture_output=True, check=False)
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        names = archive.getnames()
    return done.returncode, done.stdout.decode("utf-8", "surrogateescape").splitlines(), names


@needs_gnu_tar
@pytest.mark.parametrize(
    "body", [pytest.param(body, id=i) for i, body, _ in MALFORMED_PAX if i not in STRICTER]
)
def test_gnu_tar_refuses_each_malformed_record_or_reads_it_otherwise_than_tarfile(
    body: bytes, tmp_path: Path
) -> None:
    raw = b.pax_raw(body) + b.file("ok.txt", b"hi") + b.END
    try:
        code, gnu, python = _gnu_and_tarfile(raw, tmp_path)
    except (tarfile.TarError, ValueError):  # ValueError: int() of 5,000 digits
        return  # tarfile refuses it: readers disagree, or both refuse
    assert code == 2 or gnu != python, (code, gnu, python)


@needs_gnu_tar
@pytest.mark.parametrize(
    ("body", "name"), [pytest.param(body, name, id=i) for i, body, name in WELL_FORMED_PAX]
)
def test_gnu_tar_and_tarfile_read_each_well_formed_record_alike(
    body: bytes, name: str, tmp_path: Path
) -> None:
    code, gnu, python = _gnu_and_tarfile(b.pax_raw(body) + b.file("ok.txt", b"hi") + b.END, tmp_path)
    assert (code, gnu, python) == (0, [name], [name])


def _tree(root: Path) -> list[str]:
    """Files GNU tar and tarfile both need pax records for: long names, non-ASCII names, a long
    link target, sub-second times."""
    long_folder = "d" * 120
    (root / long_folder).mkdir(parents=True)
    (root / long_folder / ("f" * 150)).write_bytes(b"long\n")
    (root / "caf\u00e9-\u00fcber.txt").write_bytes(b"utf8\n")
    (root / "AOT_BUILD_INFO.txt").write_bytes(b"mode=aot\n")
    (root / "link").symlink_to("t" * 200)
    os.utime(root / "AOT_BUILD_INFO.txt", ns=(1_772_236_800_123_456_789, 1_772_236_800_123_456_789))
    return ["AOT_BUILD_INFO.txt", "caf\u00e9-\u00fcber.txt", "link", long_folder]


@needs_gnu_tar
@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--pax-option=exthdr.name=%d/PaxHeaders/%f,comment=built by GNU tar"],
        ["--pax-option=globexthdr.name=g,x=y"],
    ],
    ids=["default", "with-a-comment", "with-a-global-header"],
)
def test_a_gnu_tar_pax_archive_is_read_whole(options: list[str], tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    names = _tree(root)
    out = tmp_path / "gnu.tar.gz"
    subprocess.run(
        [TAR or "tar", "--format=pax", *options, "-czf", str(out), "-C", str(root), *names], check=True
    )
    listing = tar_listing(out.read_bytes())
    assert (listing.error, listing.problems) == ("", ()), (listing.error, listing.problems)
    assert sorted(m.name.rstrip("/") for m in listing.members) == sorted([*names, f"{names[-1]}/{'f' * 150}"])


def test_a_tarfile_pax_archive_is_read_whole(tmp_path: Path) -> None:
    """Long, non-ASCII and non-UTF-8 names (hdrcharset=BINARY), a long link, a binary xattr,
    sub-second times, ids too large for ustar, and a global header."""
    raw = io.BytesIO()
    names = ["d" * 120 + "/" + "f" * 150, "caf\u00e9.txt", "raw-\udcff.bin", "link"]
    with tarfile.open(
        fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": "global = header\n"}
    ) as archive:
        for name in names[:3]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.uid = 2, 1_772_236_800.25, 1 << 30
            info.pax_headers = {"SCHILY.xattr.user.k": "\0\x01=\n"}
            archive.addfile(info, io.BytesIO(b"x\n"))
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "t" * 200
        archive.addfile(info)
    listing = tar_listing(raw.getvalue())
    assert (listing.error, listing.problems) == ("", ()), (listing.error, listing.problems)
    assert [m.name for m in listing.members] == [
        "d" * 120 + "/" + "f" * 150,
        "caf\u00e9.txt",
        "raw-\\xff.bin",
        "link",
    ]
    assert listing.members[-1].link == "t" * 200


# the records libarchive's pax writer (bsdtar --format=pax) puts in an extended header
BSDTAR_RECORDS = (
    _record(b"LIBARCHIVE.creationtime", b"1772236800.5")
    + _record(b"SCHILY.dev", b"2049")
    + _record(b"SCHILY.ino", b"1835010")
    + _record(b"SCHILY.nlink", b"1")
    + _record(b"SCHILY.fflags", b"nodump")
    + _record(b"LIBARCHIVE.xattr.user.k", b"AAEC/w")
    + _record(b"SCHILY.xattr.user.k", b"\0\x01\x02\xff")
    + _record(b"atime", b"1772236800.123456789")
    + _record(b"ctime", b"1772236800.123456789")
    + _record(b"mtime", b"1772236800.123456789")
    + _record(b"path", "caf\u00e9/".encode() + b"f" * 120)
)


def test_records_as_bsdtar_writes_them_are_read() -> None:
    listing = tar_listing(b.tar_gz(b.pax_raw(BSDTAR_RECORDS), b.file("placeholder", b"x")))
    assert (listing.error, listing.problems) == ("", ())
    assert [m.name for m in listing.members] == ["caf\u00e9/" + "f" * 120]


def test_a_record_is_at_most_the_header_and_its_padding_is_nul() -> None:
    """A header's size counts its records; the block's NUL padding after them is not read."""
    listing = tar_listing(b.tar_gz(b.pax_raw(REC), b.file("ok", b"")))
    assert not listing.error and [m.name for m in listing.members] == ["a/b.txt"]
