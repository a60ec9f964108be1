"""A payload whose file name is not UTF-8, listed correctly in SHA256SUMS and
release-artifacts.json, is matched and checksummed: the integrity files are decoded as
names are (surrogateescape, then shown as \\xNN), so both spell it `fuse-vscode-\\xff.vsix`.
SHA256SUMS names it in its bytes, as `sha256sum -c` reads them; JSON must be UTF-8, so
release-artifacts.json spells the byte as JSON can (`\\udcff`), and the raw byte is a finding."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from tests.gates.conftest import run_gate

NAME = b"fuse-vscode-\xff.vsix"
SHOWN = "fuse-vscode-\\xff.vsix"
BYTES = b"PK\x05\x06" + bytes(18)  # an empty zip, as a stand-in extension


def release_with_vsix(root: Path, listed_sha: str, json_name: bytes | None = None) -> Path:
    """v0.7.1 plus NAME, listed in both integrity files with `listed_sha` and its real size;
    release-artifacts.json spells it `json_name` (else as JSON escapes it, `\\udcff`)."""
    folder = write_release(root / "v0.7.1", "v0.7.1")
    (folder / os.fsdecode(NAME)).write_bytes(BYTES)
    with (folder / "SHA256SUMS").open("ab") as sums:
        sums.write(listed_sha.encode() + b"  " + NAME + b"\n")
    meta = folder / "release-artifacts.json"
    spelled = json_name or json.dumps(os.fsdecode(NAME)).encode()
    entry = b'{"name": %s, "sha256": "%s", "size": %d}, ' % (spelled, listed_sha.encode(), len(BYTES))
    meta.write_bytes(meta.read_bytes().replace(b'"artifacts": [', b'"artifacts": [' + entry, 1))
    return folder


def outcomes(folder: Path, reports: Path) -> tuple[int, dict[str, dict[str, object]]]:
    proc = run_gate(
        "check",
        "--release",
        "v0.7.1",
        "--source",
        str(folder),
        "--report-dir",
        str(reports),
        "--as-of",
        "2026-05-01",
    )
    results = json.loads((reports / "report.json").read_text(encoding="utf-8"))["results"]
    return proc.returncode, {r["check"]: r for r in results if r["check"].startswith("I")}


def test_a_correctly_listed_name_that_is_not_utf8_passes_every_integrity_check(tmp_path: Path) -> None:
    folder = release_with_vsix(tmp_path, hashlib.sha256(BYTES).hexdigest())
    code, checks = outcomes(folder, tmp_path / "reports")
    # I006 needs a source digest, I007/I008 a v0.9.4+ release: both skipped here
    assert {c: r["outcome"] for c, r in checks.items() if c not in ("I006", "I007", "I008")} == dict.fromkeys(
        ("I001", "I002", "I003", "I004", "I005"), "passed"
    )
    assert code == 0


@pytest.mark.parametrize("check", ["I003", "I005"])
def test_a_wrong_checksum_of_a_name_that_is_not_utf8_is_found(tmp_path: Path, check: str) -> None:
    folder = release_with_vsix(tmp_path, "0" * 64)
    code, checks = outcomes(folder, tmp_path / "reports")
    assert code == 1
    assert [f["subject"] for f in checks[check]["findings"]] == [SHOWN]  # type: ignore[union-attr]
    assert checks["I002"]["outcome"] == checks["I004"]["outcome"] == "passed"


def test_the_raw_bytes_of_a_name_that_is_not_utf8_in_the_metadata_are_a_finding(tmp_path: Path) -> None:
    """Node (FUSE's verifier) and Go read the byte as U+FFFD, Python refuses it: JSON must be UTF-8."""
    folder = release_with_vsix(tmp_path, hashlib.sha256(BYTES).hexdigest(), json_name=b'"%s"' % NAME)
    code, checks = outcomes(folder, tmp_path / "reports")
    assert code == 1
    (finding,) = checks["I004"]["findings"]  # type: ignore[misc]
    assert finding["subject"] == "release-artifacts.json"
    assert "not FUSE release metadata (not UTF-8: byte 0xff at offset" in finding["message"]
    assert checks["I005"]["outcome"] == "skipped"  # I004 reports it
    assert checks["I003"]["outcome"] == "passed"  # SHA256SUMS may name any bytes
