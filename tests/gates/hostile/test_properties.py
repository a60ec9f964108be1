"""Property-based tests of the tar, zip, SHA256SUMS and build-info readers: they agree with
tarfile, zipfile and `sha256sum -c` on well-formed input, and random damage never raises
anything but our own findings."""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gates.checks.buildinfo import read_build_info
from gates.checks.integrity import SUMS_LINE, sums_lines, well_formed_line
from gates.reading.extracted import normal
from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.conftest import tar_listing, zip_listing

pytestmark = pytest.mark.timeout(300)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAME = st.text(alphabet="abcdefgh-_.", min_size=1, max_size=12).filter(lambda n: n not in (".", ".."))
PATHS = st.lists(st.lists(NAME, min_size=1, max_size=3).map("/".join), min_size=1, max_size=12, unique=True)
FORMATS = st.sampled_from([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])


def _tar(paths: list[str], fmt: int, data: bytes) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for n, path in enumerate(paths):
            info = tarfile.TarInfo(path if fmt != tarfile.USTAR_FORMAT else path[:99])
            body = data[: n * 37 % (len(data) + 1)]
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return gzip.compress(raw.getvalue(), mtime=0)


@SETTINGS
@given(paths=PATHS, fmt=FORMATS, data=st.binary(max_size=3000))
def test_tar_listing_equals_tarfile(paths: list[str], fmt: int, data: bytes) -> None:
    blob = _tar(paths, fmt, data)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        expected = [(normal(m.name), m.size, m.isfile()) for m in tar.getmembers()]
    listing = tar_listing(blob)
    assert not listing.error and not listing.truncated
    assert [(m.path, m.size, m.kind == "file") for m in listing.members] == expected


@SETTINGS
@given(paths=PATHS, data=st.binary(max_size=3000))
def test_zip_listing_equals_zipfile(paths: list[str], data: bytes) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, path in enumerate(paths):
            archive.writestr(path, data[: n * 53 % (len(data) + 1)])
    listing = zip_listing(raw.getvalue())
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as archive:
        expected = [(i.filename, i.file_size) for i in archive.infolist()]
    assert not listing.error and [(m.name, m.size) for m in listing.members] == expected


CLEAN_TAR = gzip.decompress(
    b.tar_gz(b.aot_members(), b.link("l", "LICENSE"), b.gnu_long("x" * 150), b.file("p"))
)
CLEAN_ZIP = b.zip_bytes(b.aot_zip_entries())
MUTATIONS = st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8)


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in edits:
        out[pos % len(out)] = value
    return bytes(out)


@SETTINGS
@given(edits=MUTATIONS, cut=st.integers(min_value=0, max_value=len(CLEAN_TAR)))
def test_damaged_tar_never_raises(edits: list[tuple[int, int]], cut: int) -> None:
    listing = tar_listing(
        gzip.compress(_mutate(CLEAN_TAR, edits)[:cut] if cut else _mutate(CLEAN_TAR, edits))
    )
    assert isinstance(listing.problems, tuple)  # a listing, whatever the damage


@SETTINGS
@given(edits=MUTATIONS, cut=st.integers(min_value=0, max_value=len(CLEAN_ZIP)))
def test_damaged_zip_never_raises(edits: list[tuple[int, int]], cut: int) -> None:
    blob = _mutate(CLEAN_ZIP, edits)
    listing = zip_listing(blob[:cut] if cut else blob)
    assert isinstance(listing.problems, tuple)


@SETTINGS
@given(blob=st.binary(max_size=4000))
def test_random_bytes_never_raise(blob: bytes) -> None:
    assert isinstance(tar_listing(blob).error, str)
    assert isinstance(tar_listing(gzip.compress(blob)).error, str)
    assert isinstance(zip_listing(b"PK\x03\x04" + blob).error, str)


# SHA256SUMS: pieces a hostile file is made of, around two real files
FILES = {"a.tar.gz": b"alpha\n", "b.zip": b"beta\n"}
SHAS = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
PIECES = st.sampled_from(
    [
        f"{SHAS['a.tar.gz']}  a.tar.gz",
        f"{SHAS['b.zip']}  b.zip",
        f"{SHAS['b.zip']}  a.tar.gz",
        "\n",
        "\r\n",
        "\r",
        "\x0c",
        "\x1e",
        "\x0b",
        "\x85",
        "\u2028",
        " ",
        "\t",
        "*",
        "\\",
        "a",
        "\x00",
        "\x1b[1m",
        "é",
    ]
)


def _ours_passes(text: str) -> bool:
    lines = sums_lines(text)
    entries = [well_formed_line(line) for line in lines]
    if not lines or any(e is None for e in entries):
        return False
    names = [e["name"] for e in entries if e is not None]
    return len(set(names)) == len(names) and all(
        e is not None and SHAS.get(e["name"]) == e["sha"] for e in entries
    )


@settings(max_examples=80, deadline=None)
@given(pieces=st.lists(PIECES, min_size=1, max_size=8))
def test_sums_parser_is_at_least_as_strict_as_sha256sum(pieces: list[str]) -> None:
    text = "".join(pieces)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in FILES.items():
            (Path(tmp) / name).write_bytes(data)
        (Path(tmp) / "SHA256SUMS").write_bytes(text.encode())
        real = subprocess.run(
            ["sha256sum", "-c", "--strict", "--quiet", "SHA256SUMS"],
            cwd=tmp,
            capture_output=True,
            check=False,
        )
    if _ours_passes(text):
        assert real.returncode == 0, (text, real.stderr)


@SETTINGS
@given(text=st.text(max_size=300))
def test_sums_lines_are_the_newline_split(text: str) -> None:
    lines = sums_lines(text)
    assert "\n".join(lines).replace("\r", "") == text.removesuffix("\n").replace("\r", "")
    assert all("\n" not in line for line in lines)


FIELD = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="="), min_size=1
)


@SETTINGS
@given(mode=FIELD, target=FIELD, cli=FIELD, contract=FIELD, cache=st.integers(0, 10**6))
def test_build_info_round_trips(mode: str, target: str, cli: str, contract: str, cache: int) -> None:
    line = (
        f"mode={mode} profile=release target={target} rustc=rustc 1.85.0 (4d91de4e4 2025-02-17) "
        f"cli={cli} runtime_cache={cache} contract={contract}"
    )
    found = read_build_info(line + "\n")
    assert found.problem == "" and found.info is not None
    assert (found.info.mode, found.info.cli, found.info.contract) == (mode, cli, contract)


@SETTINGS
@given(text=st.text(max_size=400))
def test_build_info_never_raises_and_passes_only_one_clean_line(text: str) -> None:
    found = read_build_info(text)
    if not found.problem:
        body = text.removesuffix("\n")
        assert "\n" not in body and body.isprintable() and found.info is not None


@SETTINGS
@given(
    extra=st.text(min_size=1, max_size=40),
    sep=st.sampled_from(["\n", "\x0c", "\x1e", "\u2028", "\r", "\x00"]),
)
def test_anything_after_the_line_fails(extra: str, sep: str) -> None:
    good = b.build_info().decode().removesuffix("\n")
    assert read_build_info(good + sep + extra).problem


@SETTINGS
@given(name=st.text(min_size=1, max_size=20))
def test_a_sums_line_is_refused_exactly_when_a_character_is_a_control_or_format_one(name: str) -> None:
    line = f"{'a' * 64}  {name}"
    controls = any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in line)
    assert (well_formed_line(line) is None) == (controls or SUMS_LINE.fullmatch(line) is None)
