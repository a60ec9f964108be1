"""Untrusted input reaches every report and the terminal safely: control characters in names
shown visibly, bytes that are not UTF-8 shown as \\xNN, archives we cannot read reported as
findings; every report is written and the exit code follows the verdict."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from drills.standard.defects import DEFECTS
from drills.standard.releases import PUBLISHED, Bundle, Member, integrity_files
from tests.gates.conftest import run_gate
from tests.gates.test_archive import flag_encrypted

REPORTS = ("report.json", "junit.xml", "summary.md")


def gate_check(folder: Path, reports: Path) -> tuple[int, str, str]:
    proc = run_gate("check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports))
    return proc.returncode, proc.stdout, proc.stderr


def failed_checks(reports: Path) -> set[str]:
    report = json.loads((reports / "report.json").read_text())
    return {r["check"] for r in report["results"] if r["outcome"] == "failed"}


def assert_all_reports_written(reports: Path) -> None:
    assert sorted(p.name for p in reports.iterdir()) == sorted(REPORTS)
    ET.parse(reports / "junit.xml")
    assert (reports / "summary.md").read_text(encoding="utf-8").startswith("## gate check: ❌ FAILED")


def release_with_cli_member(
    make_release: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, name: str
) -> Path:
    """A v0.7.0 fixture release whose linux CLI bundle also holds an empty member `name`."""

    def extra(bundles: list[Bundle], dest: Path, phase: str) -> None:
        if phase == "before":
            next(b for b in bundles if b.name == "fuse-cli-linux-x64.tar.gz").members.append(Member(name))

    monkeypatch.setitem(DEFECTS, "extra-member", extra)
    return make_release("v0.7.0", "extra-member")


def test_control_characters_in_a_member_name_are_shown_visibly(
    make_release: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = release_with_cli_member(make_release, monkeypatch, "../bad\x01ctl\x1b[31mred\x07\x7f")
    reports = tmp_path / "reports"
    code, out, err = gate_check(folder, reports)
    assert code == 1, out + err
    assert failed_checks(reports) == {"C007"}
    assert_all_reports_written(reports)
    failure = next(ET.parse(reports / "junit.xml").iter("failure"))
    assert "../bad\\x01ctl\\x1b[31mred\\x07\\x7f" in (failure.text or "")
    assert "../bad\\x01ctl\\x1b[31mred\\x07\\x7f" in out
    assert not any(c in out + err for c in "\x01\x1b\x07\x7f")


def assert_strict_utf8_json(reports: Path) -> str:
    """report.json holds no lone surrogates (strict JSON consumers reject them)."""
    text = json.dumps(json.loads((reports / "report.json").read_text()), ensure_ascii=False)
    text.encode("utf-8")
    return text


def latin1_member(folder: Path, bundle: str, old: str, new: str) -> None:
    """Rewrite `bundle` with member `old` renamed to `new`, names encoded as latin-1."""
    with tarfile.open(folder / bundle) as src:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as out:
            for info in src.getmembers():
                data = src.extractfile(info)
                info.name = new if info.name == old else info.name
                out.addfile(info, data)
    (folder / bundle).write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    integrity_files(folder, PUBLISHED["v0.7.0"])


def test_a_member_name_that_is_not_utf8_is_reported_not_a_crash(
    make_release: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_release("v0.7.0")
    latin1_member(folder, "fuse-cli-linux-x64.tar.gz", "fuse-lsp", "café")
    reports = tmp_path / "reports"
    code, out, err = gate_check(folder, reports)
    assert code == 1, out + err
    assert failed_checks(reports) == {"C001"}
    assert_all_reports_written(reports)
    assert_strict_utf8_json(reports)
    (c001,) = [
        r for r in json.loads((reports / "report.json").read_text())["results"] if r["check"] == "C001"
    ]
    assert c001["findings"][0]["actual"] == "LICENSE, README.txt, caf\\xe9, fuse"
    assert "caf\\xe9" in out and "internal error" not in err


def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(
    make_release: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_release("v0.7.0")
    (Path(os.fsdecode(bytes(folder) + b"/fuse-vscode-\xff.vsix"))).write_bytes(b"PK")
    reports = tmp_path / "reports"
    code, out, err = gate_check(folder, reports)
    assert code == 1, out + err
    assert failed_checks(reports) == {"I002", "I004"}
    assert_all_reports_written(reports)
    assert '"subject": "fuse-vscode-\\\\xff.vsix"' in assert_strict_utf8_json(reports)
    assert "fuse-vscode-\\xff.vsix: payload is not listed in SHA256SUMS" in out


def test_an_encrypted_zip_member_is_a_finding_with_reports(
    make_release: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_release("v0.7.0")
    aot = folder / "fuse-aot-windows-x64.zip"
    aot.write_bytes(flag_encrypted(aot.read_bytes(), "AOT_BUILD_INFO.txt"))
    integrity_files(folder, PUBLISHED["v0.7.0"])
    reports = tmp_path / "reports"
    code, out, err = gate_check(folder, reports)
    assert code == 1, out + err
    assert failed_checks(reports) == {"C008"}
    assert_all_reports_written(reports)
    said = "cannot read member 'AOT_BUILD_INFO.txt': its central directory entry flags it encrypted"
    assert f"fuse-aot-windows-x64.zip: {said}" in out
