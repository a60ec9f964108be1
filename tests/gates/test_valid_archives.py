"""Valid archives that mainstream writers produce and every extractor unpacks alike: the
readers list them as written, with no problem and no error. Each case was once read as a
broken or unsafe archive (a false red)."""

from __future__ import annotations

import io
import zipfile

import pytest

from gates.contract import ArchiveLimits
from gates.reading.archive import ArchiveListing, read_zip

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
