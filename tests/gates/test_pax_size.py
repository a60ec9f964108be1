"""A pax `size` record is a byte count in ASCII digits; any other value is a malformed
archive (C008), on real tar.gz bytes and through the whole gate."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.standard.releases import PUBLISHED, integrity_files, write_release
from gates import contract, runner
from gates.contract import ArchiveLimits
from gates.reading.archive import read_tar_gz
from gates.sources.folder import FolderSource

LIMITS = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000, max_member_bytes=5_000)
WANT = frozenset({"AOT_BUILD_INFO.txt"})
NOT_A_BYTE_COUNT = [
    "\u00b2",  # superscript two: str.isdigit() says yes, int() says no
    "\u0663",  # Arabic-Indic three: int() would accept it, tar readers do not
    "\uff13",  # fullwidth three
    "3x",
    "-3",
    "",
    "9" * 5000,  # more digits than int() converts
]


def pax_sized_tar_gz(size: str, members: dict[str, bytes] | None = None) -> bytes:
    """A pax tar.gz whose first member carries the pax record `size=<size>`."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for n, (name, data) in enumerate((members or {"fuse": b"abc", "AOT_BUILD_INFO.txt": b"x\n"}).items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            info.pax_headers = {"size": size} if n == 0 else {}
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def test_a_pax_size_in_ascii_digits_overrides_the_header() -> None:
    listing = read_tar_gz(io.BytesIO(pax_sized_tar_gz("3")), LIMITS, WANT).listing
    assert listing is not None and not listing.error
    assert [(m.name, m.size) for m in listing.members] == [("fuse", 3), ("AOT_BUILD_INFO.txt", 2)]
    assert listing.texts == {"AOT_BUILD_INFO.txt": "x\n"}


@pytest.mark.parametrize("size", NOT_A_BYTE_COUNT)
def test_a_pax_size_that_is_not_a_byte_count_is_a_malformed_archive(size: str) -> None:
    blob = pax_sized_tar_gz(size)
    result = read_tar_gz(io.BytesIO(blob), LIMITS, WANT)
    assert result.listing is not None
    assert result.listing.error.startswith("not a readable tar.gz (malformed pax header: size ")
    assert len(result.listing.error) < 200  # a huge value is cut, not copied into reports
    assert result.sha256 == hashlib.sha256(blob).hexdigest() and result.size == len(blob)


def test_a_malformed_pax_size_in_a_bundle_fails_c008_not_a001(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.7.0", "v0.7.0")
    bundle = folder / "fuse-cli-linux-x64.tar.gz"
    with tarfile.open(bundle) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}  # type: ignore[union-attr]
    bundle.write_bytes(pax_sized_tar_gz("\u00b2", members))
    integrity_files(folder, PUBLISHED["v0.7.0"])
    when = datetime(2026, 3, 12, 12, tzinfo=UTC)
    report = runner.check(
        FolderSource(folder, single_tag="v0.7.0"), "v0.7.0", contract.load(None), lambda: when
    )
    outcomes = {r.check: r.outcome.value for r in report.results}
    assert outcomes["A001"] == "passed" and outcomes["C008"] == "failed"
    (c008,) = [r for r in report.results if r.check == "C008"]
    assert any("malformed pax header: size '\u00b2'" in f.line() for f in c008.findings)
