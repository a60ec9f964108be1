"""Extracting the AOT binary from release archives: exact member names, unreadable data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from gates import binsize, contract
from harness.errors import InfraError
from tests.gates.test_archive import member, tar_gz

RULES = contract.load(None)


def read(blob: bytes, archive: str, dest: Path) -> bool:
    return binsize._read_member(io.BytesIO(blob), archive, "fuse-aot-demo", dest,
                                contract=RULES, where=f"v0.7.0/{archive}")


@pytest.mark.parametrize(("name", "found"), [("fuse-aot-demo", True), ("./fuse-aot-demo", True),
                                             ("..fuse-aot-demo", False),
                                             ("./.fuse-aot-demo", False)])
def test_only_a_leading_dot_slash_is_ignored(name: str, found: bool, tmp_path: Path) -> None:
    blob = tar_gz(member(name), data={name: b"\x7fELF"})
    assert read(blob, "fuse-aot-linux-x64.tar.gz", tmp_path / "out") is found


def test_corrupt_deflate_data_in_a_zip_is_an_infra_error(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fuse-aot-demo", bytes(range(256)) * 64)
    blob = bytearray(raw.getvalue())
    start = 30 + len("fuse-aot-demo")  # the local header, then the deflated data
    blob[start:start + 40] = b"\xff" * 40
    with pytest.raises(InfraError, match="cannot read the AOT archive"):
        read(bytes(blob), "fuse-aot-windows-x64.zip", tmp_path / "out")


def test_a_strip_tool_that_cannot_start_is_an_infra_error(tmp_path: Path) -> None:
    binary = tmp_path / "program.aot"
    binary.write_bytes(b"\x7fELF")
    fake = tmp_path / "strip"
    fake.write_text("#!/bin/sh\n")  # not executable
    with pytest.raises(InfraError, match="not executable"):
        binsize.measure(binary, str(binary), str(fake))
