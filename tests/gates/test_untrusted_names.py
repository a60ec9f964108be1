"""Untrusted names (archive members, file names) reach every report and the terminal safely:
control characters shown visibly, bytes that are not UTF-8 shown as \\xNN, every report written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from fixtures.defects import DEFECTS
from fixtures.releases import Bundle, Member
from tests.gates.conftest import run_gate

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
