"""Extracting the AOT binary from release archives: exact member names, unreadable data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from gates import contract
from gates.reading import archive
from gates.reading.facts import AssetFacts
from gates.recovery import binsize
from gates.sources.release import AssetRef
from harness.errors import InfraError
from harness.results import Outcome
from tests.gates.test_archive import member, tar_gz

RULES = contract.load(None)


def read(blob: bytes, name: str, dest: Path) -> binsize.Binary:
    """One pass over an AOT archive, keeping its binary, as `gate check` does."""
    walk = archive.read_zip if name.endswith(".zip") else archive.read_tar_gz
    keep = archive.Keep(member="fuse-aot-demo", dest=dest)
    result = walk(io.BytesIO(blob), RULES.limits, frozenset(), keep)
    facts = AssetFacts(ref=AssetRef(name=name, size=len(blob), location=name), listing=result.listing)
    return binsize.binary_of("linux-x64", f"v0.7.0/{name}:fuse-aot-demo", facts, "fuse-aot-demo")


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("fuse-aot-demo", True),
        ("./fuse-aot-demo", True),
        ("..fuse-aot-demo", False),
        ("./.fuse-aot-demo", False),
    ],
)
def test_only_a_leading_dot_slash_is_ignored(name: str, found: bool, tmp_path: Path) -> None:
    blob = tar_gz(member(name), data={name: b"\x7fELF"})
    binary = read(blob, "fuse-aot-linux-x64.tar.gz", tmp_path / "out")
    assert (binary.path is not None) is found
    assert binary.problem == ("" if found else "fuse-aot-linux-x64.tar.gz has no fuse-aot-demo")
    if found:
        assert (tmp_path / "out").read_bytes() == b"\x7fELF"


def test_corrupt_deflate_data_in_a_zip_cannot_be_read(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fuse-aot-demo", bytes(range(256)) * 64)
    blob = bytearray(raw.getvalue())
    start = 30 + len("fuse-aot-demo")  # the local header, then the deflated data
    blob[start : start + 40] = b"\xff" * 40
    binary = read(bytes(blob), "fuse-aot-windows-x64.zip", tmp_path / "out")
    assert binary.path is None
    assert "cannot read the AOT archive (not a readable zip" in binary.problem


def test_a_strip_tool_that_cannot_start_is_an_infra_error(tmp_path: Path) -> None:
    binary = tmp_path / "program.aot"
    binary.write_bytes(b"\x7fELF")
    fake = tmp_path / "strip"
    fake.write_text("#!/bin/sh\n")  # not executable
    with pytest.raises(InfraError, match="not executable"):
        binsize.measure(binary, str(binary), str(fake))


def test_s002_is_skipped_with_its_reason_when_there_is_no_limit_or_no_binary() -> None:
    binary = binsize.Binary(scope="v0.7.1/linux-x64", where="x", path=None, problem="not found")
    no_limit = binsize.judge_all([binary], None)
    assert [(r.check, r.outcome) for r in no_limit] == [("S002", Outcome.SKIPPED)]
    assert no_limit[0].summary == "the contract sets no max_binary_bytes"
    nothing = binsize.judge_all([], 25 * 1024 * 1024)
    assert [(r.check, r.outcome) for r in nothing] == [("S002", Outcome.SKIPPED)]
    assert nothing[0].summary.startswith("no AOT binary to measure")
