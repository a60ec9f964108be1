"""The gate at its boundaries: the exact limit, the last entry, the expiry day, the first
release of the next line. Each test here fails on a plausible one-line bug (named in its
docstring) that the rest of the suite let through."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from fixtures.releases import build_info, integrity_files
from gates import contract, retention, runner, waivers
from gates.archive import (
    ArchiveListing,
    Keep,
    Member,
    read_plain,
    read_tar_gz,
    read_zip,
    unsafe_link,
    unsafe_name,
)
from gates.checks import CHECKS, CannotEvaluate, NotApplicable, integrity, title
from gates.contract import ArchiveLimits, Waiver, Window
from gates.facts import AssetFacts, ReleaseFacts, WindowState
from gates.folder import FolderSource
from gates.source import AssetRef, ReleaseRef
from harness.results import Finding, Report, Result

LIMITS = ArchiveLimits(max_members=10, max_unpacked_bytes=10_000, max_member_bytes=5_000)
WANT = frozenset({"AOT_BUILD_INFO.txt"})
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def tar_gz(*members: tuple[str, bytes, bytes]) -> bytes:
    """(name, tar type, data) triples as a real .tar.gz."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size = kind, 0o755, len(data)
            if kind == tarfile.SYMTYPE:
                info.linkname, info.size = "README.txt", 0
            tar.addfile(info, io.BytesIO(data) if data else None)
    return gzip.compress(raw.getvalue())


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
    assert not listing.error and not listing.problems
    assert [(m.name, m.kind, m.size) for m in listing.members] == [
        ("odd", "other", 700),
        ("AOT_BUILD_INFO.txt", "file", 9),
    ]
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


def test_a_name_or_link_that_stays_inside_is_no_problem() -> None:
    assert unsafe_name("bin/fuse") == ""
    assert unsafe_name("C:") == "member 'C:' has an absolute path"
    assert unsafe_link(Member(name="bin/fuse", kind="file", size=0, mode=0)) == ""
    assert unsafe_link(Member(name="bin/alias", kind="symlink", size=0, mode=0, link="fuse")) == ""


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_the_kept_member_is_copied_whole_and_closed(tmp_path: Path) -> None:
    blob = tar_gz(("README.txt", tarfile.REGTYPE, b"r"), ("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF" * 300))
    keep = Keep(member="fuse-aot-demo", dest=tmp_path / "kept")
    listing = read_tar_gz(io.BytesIO(blob), LIMITS, WANT, keep).listing
    assert listing is not None and listing.kept == tmp_path / "kept"
    assert (tmp_path / "kept").read_bytes() == b"\x7fELF" * 300


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
    assert listing is not None and listing.members[0].link == ("t" * size if read else "")


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


@pytest.mark.parametrize("records", [b"0 path=evil\n", b"x path=evil\n"], ids=["zero", "not-digits"])
def test_a_pax_record_without_a_length_ends_the_records_and_does_not_hang(records: bytes) -> None:
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type, pax.size = tarfile.XHDTYPE, len(records)
    fuse = tarfile.TarInfo("fuse")
    fuse.size = 3
    raw = pax.tobuf(tarfile.USTAR_FORMAT) + records.ljust(512, b"\0") + fuse.tobuf(tarfile.USTAR_FORMAT)
    listing = tar_listing(gzip.compress(raw + b"abc".ljust(512, b"\0") + bytes(1024)))
    assert not listing.error and [m.name for m in listing.members] == ["fuse"]


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


# -- C001/C003: only a regular file with the binary's name counts -------------------------


def check(folder: Path, tag: str = "v0.7.0") -> Report:
    return runner.check(FolderSource(folder), tag, contract.load(None), lambda: NOW)


def outcome(report: Report, check_id: str) -> Result:
    (result,) = [r for r in report.results if r.check == check_id]
    return result


INFO = (build_info("0.7.0") + "\n").encode()


def rewrite(folder: Path, name: str, *members: tuple[str, bytes, bytes]) -> None:
    """Replace one bundle of a fixture release, keeping its integrity files true."""
    replace_file(folder, name, tar_gz(*members))


def replace_file(folder: Path, name: str, blob: bytes) -> None:
    stamp = json.loads((folder / "release-artifacts.json").read_text())["generatedAtUtc"]
    (folder / name).write_bytes(blob)
    integrity_files(folder, stamp)


@pytest.mark.parametrize(
    ("bundle", "binary", "check_id", "others"),
    [
        ("fuse-cli-linux-x64.tar.gz", "fuse", "C001", ["fuse-lsp"]),
        ("fuse-aot-linux-x64.tar.gz", "fuse-aot-demo", "C003", ["AOT_BUILD_INFO.txt"]),
    ],
)
@pytest.mark.parametrize("kind", [tarfile.DIRTYPE, tarfile.SYMTYPE], ids=["dir", "symlink"])
def test_a_directory_or_symlink_with_the_binarys_name_is_not_the_binary(
    make_release: Callable[..., Path], bundle: str, binary: str, check_id: str, others: list[str], kind: bytes
) -> None:
    """Bug: C001/C003 counting any member kind as present."""
    folder = make_release("v0.7.0")
    rest = [(n, tarfile.REGTYPE, INFO if n == "AOT_BUILD_INFO.txt" else b"\x7fELF") for n in others]
    rewrite(folder, bundle, (binary, kind, b""), *rest, ("README.txt", tarfile.REGTYPE, b"readme\n"))
    result = outcome(check(folder), check_id)
    assert result.outcome.value == "failed"
    (finding,) = result.findings
    assert (finding.subject, finding.message) == (bundle, f"member '{binary}' is missing")


def only_fuse_zip() -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr(zipfile.ZipInfo("fuse"), b"\x7fELF")
    return raw.getvalue()


def test_a_bundle_with_the_wrong_extension_is_still_the_platforms_bundle(
    make_release: Callable[..., Path],
) -> None:
    """The one candidate (P003 reports its extension) is the one C001 looks into."""
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.tar.gz").unlink()
    (folder / "fuse-cli-linux-x64.zip").write_bytes(only_fuse_zip())
    (finding,) = outcome(check(folder), "C001").findings
    assert (finding.subject, finding.message) == ("fuse-cli-linux-x64.zip", "member 'fuse-lsp' is missing")


def test_beside_a_second_candidate_the_exact_name_is_the_platforms_bundle(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.zip").write_bytes(only_fuse_zip())
    rewrite(folder, "fuse-cli-linux-x64.tar.gz", ("fuse", tarfile.REGTYPE, b"\x7fELF"))
    (finding,) = outcome(check(folder), "C001").findings
    assert (finding.subject, finding.message) == ("fuse-cli-linux-x64.tar.gz", "member 'fuse-lsp' is missing")


def test_a_check_title_is_the_first_line_of_its_docstring() -> None:
    def two_lines() -> None:
        """The title.

        More about it."""

    assert title(two_lines) == "The title."


def test_a_windows_zip_without_unix_modes_needs_no_executable_bit(make_release: Callable[..., Path]) -> None:
    """Zips made on Windows carry no unix mode (external_attr 0): C002 is for unix bundles only."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for name in ("fuse.exe", "fuse-lsp.exe", "LICENSE", "README.txt"):
            archive.writestr(zipfile.ZipInfo(name), b"MZ")
    folder = make_release("v0.7.0")
    replace_file(folder, "fuse-cli-windows-x64.zip", raw.getvalue())
    report = check(folder)
    assert outcome(report, "C001").outcome.value == "passed"
    assert outcome(report, "C002").outcome.value == "passed"


def test_the_first_line_of_aot_build_info_is_the_one_judged(make_release: Callable[..., Path]) -> None:
    folder = make_release("v0.7.0")
    later = INFO.replace(b"cli=0.7.0", b"cli=9.9.9").replace(b"contract=aot-v1", b"contract=aot-v2")
    rewrite(
        folder,
        "fuse-aot-linux-x64.tar.gz",
        ("fuse-aot-demo", tarfile.REGTYPE, b"\x7fELF"),
        ("AOT_BUILD_INFO.txt", tarfile.REGTYPE, INFO + later),
    )
    report = check(folder)
    assert [outcome(report, c).outcome.value for c in ("C004", "C005", "C006")] == ["passed"] * 3


def test_an_unread_asset_is_judged_by_the_digest_its_source_publishes() -> None:
    ref = AssetRef(name="a.tar.gz", size=1, location="here", digest="sha256:" + "a" * 64)
    assert integrity.actual_sha(AssetFacts(ref=ref)) == "a" * 64
    assert integrity.actual_sha(AssetFacts(ref=ref, sha256="b" * 64)) == "b" * 64
    assert integrity.actual_sha(AssetFacts(ref=replace(ref, digest="md5:00"))) is None
    assert integrity.actual_sha(AssetFacts(ref=replace(ref, digest=None))) is None


def closed(rules: contract.Contract) -> contract.Contract:
    return replace(rules, line_windows={"v0.7.x": Window(closes=date(2026, 2, 1))})


def test_after_the_window_closed_a_pruned_bundle_is_allowed_and_a_duplicate_is_not(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    for gone in ("fuse-cli-linux-x64.tar.gz", "fuse-vscode-linux-x64.vsix"):
        (folder / gone).unlink()
    (folder / "fuse-aot-linux-x64.zip").write_bytes(only_fuse_zip())
    report = runner.check(FolderSource(folder), "v0.7.0", closed(contract.load(None)), lambda: NOW)
    assert outcome(report, "P002").outcome.value == "passed"
    (twice,) = outcome(report, "P001").findings
    assert twice.message == "2 primary AOT bundles for linux-x64; exactly one is allowed"
    assert twice.actual == "fuse-aot-linux-x64.tar.gz, fuse-aot-linux-x64.zip"
    # the integrity files may list a pair archive pruned after the window closed, nothing else
    for check_id in ("I002", "I004"):
        listed = [f.subject for f in outcome(report, check_id).findings if "does not have" in f.message]
        assert listed == ["fuse-vscode-linux-x64.vsix"], check_id


def test_while_the_window_is_open_a_listed_bundle_that_is_gone_fails_i002(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "fuse-cli-linux-x64.tar.gz").unlink()
    report = check(folder)
    (finding,) = outcome(report, "I002").findings
    assert (finding.subject, finding.actual) == ("fuse-cli-linux-x64.tar.gz", "absent")
    (none,) = outcome(report, "P002").findings
    assert (none.message, none.actual) == ("no fallback CLI bundle for linux-x64", "absent")


def facts(*assets: AssetFacts) -> ReleaseFacts:
    window = WindowState(open=True, closes=None, reason="")
    return ReleaseFacts(ref=ReleaseRef(tag="v0.7.0", location="here"), assets=assets, window=window)


def asset(name: str, digest: str | None = None, sha256: str | None = None) -> AssetFacts:
    return AssetFacts(ref=AssetRef(name=name, size=1, location=f"here/{name}", digest=digest), sha256=sha256)


@pytest.mark.parametrize(
    ("name", "checks"),
    [("SHA256SUMS", ("I001", "I002", "I003")), ("release-artifacts.json", ("I004", "I005"))],
)
def test_an_integrity_file_that_was_not_read_cannot_be_evaluated(name: str, checks: tuple[str, ...]) -> None:
    unread = facts(asset(name))
    for check_id in checks:
        with pytest.raises(CannotEvaluate, match=rf"^{re.escape(name)} was not read$"):
            CHECKS[check_id](unread, contract.load(None))


def test_metadata_whose_artifacts_are_not_objects_is_an_i004_finding(
    make_release: Callable[..., Path],
) -> None:
    folder = make_release("v0.7.0")
    (folder / "release-artifacts.json").write_text('{"artifacts": [1]}')
    report = check(folder)
    (finding,) = outcome(report, "I004").findings
    assert finding.message == "not FUSE release metadata (artifacts is not a list of objects)"
    assert outcome(report, "I005").outcome.value == "skipped"


def test_i006_compares_every_read_asset_with_a_published_digest() -> None:
    good, bad = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    release = facts(
        asset("same", digest=good, sha256="a" * 64),
        asset("differs", digest=bad, sha256="a" * 64),
        asset("not-read", digest=good),
        asset("no-digest", sha256="c" * 64),
    )
    (finding,) = CHECKS["I006"](release, contract.load(None))
    assert (finding.subject, finding.expected, finding.actual) == ("differs", bad, good)
    with pytest.raises(NotApplicable, match=r"^the source publishes no asset digests$"):
        CHECKS["I006"](facts(asset("no-digest", sha256="c" * 64)), contract.load(None))


# -- I003: every entry, the last of a repeated name included -------------------------------


def test_a_wrong_checksum_on_the_repeated_entry_of_a_name_fails_i003(
    make_release: Callable[..., Path],
) -> None:
    """Bug: a repeated SHA256SUMS entry skipped, so only the first line of a name is checked."""
    folder = make_release("v0.7.0")
    sums = folder / "SHA256SUMS"
    good = sums.read_text()
    sums.write_text(good + "0" * 64 + "  fuse-cli-linux-x64.tar.gz\n")
    last = len(good.splitlines()) + 1
    (mismatch,) = outcome(check(folder), "I003").findings
    assert (mismatch.subject, mismatch.expected, mismatch.where) == (
        "fuse-cli-linux-x64.tar.gz",
        "0" * 64,
        f"{sums}:{last}",
    )


# -- the release window counts from the next line's first release -------------------------


def ref(tag: str, day: str) -> ReleaseRef:
    return ReleaseRef(tag=tag, location=tag, published_at=datetime.fromisoformat(day + "T12:00:00+00:00"))


LINE = [
    ref("v0.8.2", "2026-05-01"),
    ref("v0.7.0", "2026-01-01"),
    ref("v0.8.0", "2026-03-10"),
    ref("v0.9.0", "2026-02-01"),  # a later line, first shipped earlier: not the next line
    ref("v0.8.1", "2026-04-01"),
]


@pytest.mark.parametrize(("today", "is_open"), [(date(2026, 6, 8), True), (date(2026, 6, 9), False)])
def test_the_window_closes_n_days_after_the_next_lines_first_release(today: date, is_open: bool) -> None:
    """Bug: the window counted from the next line's latest release (v0.8.2), not its first."""
    state = retention.window_state("v0.7.x", LINE, contract.load(None), today)
    assert (state.open, state.closes) == (is_open, date(2026, 6, 8))
    assert state.reason.endswith("on 2026-06-08 (90 days after v0.8.0)")


def test_the_next_lines_first_release_is_its_lowest_version() -> None:
    first = retention.next_line_first_release("v0.7.x", LINE)
    assert first is not None and first.tag == "v0.8.0"
    assert retention.next_line_first_release("v0.9.x", LINE) is None


def test_a_window_of_zero_days_closes_on_the_next_lines_first_release_day() -> None:
    rules = replace(contract.load(None), default_window=Window(days_after_next_line=0))
    state = retention.window_state("v0.7.x", LINE, rules, date(2026, 3, 11))
    assert (state.open, state.closes) == (False, date(2026, 3, 10))
    assert state.reason == "v0.7.x window closed on 2026-03-10 (0 days after v0.8.0)"


def test_a_window_stays_open_while_the_next_lines_release_date_is_unknown() -> None:
    undated = [ref("v0.7.0", "2026-01-01"), ReleaseRef(tag="v0.8.0", location="v0.8.0")]
    state = retention.window_state("v0.7.x", undated, contract.load(None), date(2030, 1, 1))
    assert (state.open, state.closes) == (True, None)
    assert state.reason == "v0.7.x window is open: v0.8.0's release date is unknown"


# -- W001: a waiver is live through its expiry day ------------------------------------------


def waiver(expires: date) -> Waiver:
    return Waiver(
        id="waiver-1", check="P002", scope="v0.7.0", reason="rebuilt", approver="lead", expires=expires
    )


def test_a_waiver_is_live_on_its_expiry_day_and_expired_the_day_after() -> None:
    """Bug: W001 reporting a waiver expired on its own expiry day."""
    w = (waiver(date(2026, 6, 1)),)
    assert waivers.expired(w, date(2026, 6, 1), "contract.yaml") == []
    (finding,) = waivers.expired(w, date(2026, 6, 2), "contract.yaml")
    assert (finding.expected, finding.actual) == ("expires >= 2026-06-02", "expired 2026-06-01")


def test_a_waiver_waives_on_its_expiry_day_and_not_the_day_after() -> None:
    w = (waiver(date(2026, 6, 1)),)
    release, missing = ref("v0.7.0", "2026-01-01"), Finding(subject="linux-x64", message="no fallback")
    used: set[str] = set()
    (kept,) = waivers.apply([missing], "P002", release, w, date(2026, 6, 1), used)
    assert kept.waived_by == "waiver-1 (rebuilt; approved by lead)" and used == {"waiver-1"}
    late: set[str] = set()
    assert waivers.apply([missing], "P002", release, w, date(2026, 6, 2), late) == [missing]
    assert late == set()


def test_an_unused_waiver_is_reported_through_its_expiry_day() -> None:
    """On its expiry day a waiver is live: unused, it is W002's (and not W001's) to report."""
    w = (waiver(date(2026, 6, 1)),)
    release = ref("v0.7.0", "2026-01-01")
    coverage = waivers.Coverage(
        releases=(release,), checked=frozenset({("P002", "v0.7.0")}), runnable=frozenset({"P002"})
    )
    (unused,) = waivers.unused(w, set(), date(2026, 6, 1), "contract.yaml", coverage)
    assert (unused.subject, unused.message) == (
        "waiver-1",
        "waiver for P002 in v0.7.0 covers no finding; remove it",
    )
    assert waivers.unused(w, set(), date(2026, 6, 2), "contract.yaml", coverage) == []
