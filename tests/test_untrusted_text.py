"""Names, tags and paths from untrusted places are read as their formats mean them: a
pattern's `$` ends the text (Python's also matches before a final newline), a digit is 0-9
(Python's `\\d` matches any Unicode digit), and no config string carries a NUL. Each was a
way past a check: a scenario named "crash\\n", a health path that adds an HTTP header, a tag
folder "v0.7.1\\n" or "v0.7.\\u0661" taken as a release of v0.7.x, a tag of 5,000 digits that
ended `gate contract` in an internal error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.drill import drill as drill_cli
from drills.standard.releases import write_line
from gates.sources.release import LINE_RE, TAG_RE, version_key
from harness.config import _ecma
from tests.gates.conftest import run_gate

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ("gates/data/release-contract.schema.json", "drills/scenario/scenario.schema.json")


def patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in patterns(value)]
    return []


ALL_PATTERNS = sorted({p for schema in SCHEMAS for p in patterns(json.loads((ROOT / schema).read_text()))})


def test_the_schemas_patterns_are_all_found() -> None:
    assert len(ALL_PATTERNS) >= 12
    assert "^[a-z0-9][a-z0-9-]{0,62}$" in ALL_PATTERNS


@pytest.mark.parametrize("pattern", [p for p in ALL_PATTERNS if p.endswith("$")])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_schema_pattern_lets_a_final_newline_through(pattern: str, data: st.DataObject) -> None:
    # drawn from the pattern as the schema's ECMA dialect reads it (Python's own reading of
    # `[^\s]` lets through a no-break space, which ECMA's `\s` holds)
    text = data.draw(st.from_regex(_ecma(pattern), fullmatch=True).filter(lambda t: "\n" not in t))
    assert not _ecma(pattern).search(text + "\n")


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^[a-z]+$", "crash", True),
        ("^[a-z]+$", "crash\n", False),
        (r"^v\d+$", "v7", True),
        (r"^v\d+$", "v\u0667", False),  # an Arabic-Indic seven
        (r"^[A-Z][0-9]{3}$|^[a-z][a-z0-9-]*$", "P001\n", False),
        (r"^[A-Z][0-9]{3}$|^[a-z][a-z0-9-]*$", "waiver-1", True),
        (r"^a\$", "a$", True),  # an escaped dollar is a dollar
        (r"\{platform\}", "fuse-aot-{platform}.tar.gz", True),
        (r"^[^/\s]+/[^/\s]+$", "owner/repo", True),
        (r"^[^/\s]+/[^/\s]+$", "own\u00a0er/repo", False),  # \s is Unicode whitespace in ECMA too
        (r"^[\d.]+$", "1.2", True),  # \d inside a class
        (r"^[\d.]+$", "1.\u0662", False),
        (r"^[$]+$", "$$", True),  # a dollar in a class is a dollar
    ],
)
def test_a_pattern_reads_as_ecma_reads_it(pattern: str, text: str, matches: bool) -> None:
    assert bool(_ecma(pattern).search(text)) is matches


@pytest.mark.parametrize(
    "tag",
    [
        "v0.7.1\n",
        "v0.7.\u0661",
        "v\u0660.7.1",
        "v" + "9" * 5000 + ".0.0",
        "v1234567890.0.0",
        "v0.7.1-rc.1\n",
        " v0.7.1",
    ],
)
def test_a_tag_is_ascii_digits_to_its_very_end(tag: str) -> None:
    assert TAG_RE.match(tag) is None
    assert version_key(tag)[0] == -1


def test_real_tags_and_lines_still_read() -> None:
    assert [version_key(t)[:3] for t in ("v0.7.0", "v1.1.0", "v0.10.12", "v123456789.0.0")] == [
        (0, 7, 0),
        (1, 1, 0),
        (0, 10, 12),
        (123456789, 0, 0),
    ]
    assert TAG_RE.match("v0.9.4-rc.1") and LINE_RE.match("v0.7.x")
    assert not LINE_RE.match("v0.7.x\n") and not LINE_RE.match("v0.\u0667.x")


def test_a_folder_named_like_a_tag_with_a_newline_is_no_release(tmp_path: Path) -> None:
    """Bug: a folder "v0.7.1\\n" was checked as a release of v0.7.x."""
    line = write_line(tmp_path / "line")
    (line / "v0.7.1").rename(line / "v0.7.1\n")
    reports = tmp_path / "reports"
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(line), "--report-dir", str(reports))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    scopes = {r["scope"] for r in json.loads((reports / "report.json").read_text())["results"]}
    assert "v0.7.0" in scopes
    assert not [s for s in scopes if s.startswith("v0.7.1")]


@pytest.mark.parametrize("tag", ["v" + "9" * 5000 + ".0.0", "v1.1.0\n"])
def test_gate_contract_refuses_a_tag_that_is_none_in_one_line(tag: str) -> None:
    """Bug: 5,000 digits printed the contract, then `internal error: ValueError`, exit 3."""
    proc = run_gate("contract", "--release", tag)
    assert proc.returncode == 2
    assert proc.stdout == "" and proc.stderr.startswith("gate: error: --release: ")


@pytest.mark.parametrize(
    "stanza",
    [
        'name: "crash\\n"',
        'health_path: "/health\\r\\nX-Evil: 1"',
        'health_path: "/health\\u0000"',
        "aot_env: {'A=B': x}",
        'aot_env: {A: "x\\0y"}',
        'title: "a \\0 title"',
        'env: {"A\\nB": x}',
    ],
)
def test_a_scenario_with_a_name_or_path_no_tool_reads_alike_is_refused(tmp_path: Path, stanza: str) -> None:
    body = {"name": "crash", "fault": "{id: crash}", "expect": "{fallback: true}"}
    key = stanza.split(":", 1)[0].strip('"')
    lines = [f"{k}: {v}" for k, v in body.items() if k != key] + [stanza]
    scenario = tmp_path / "odd.yaml"
    scenario.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(drill_cli, ["validate", str(scenario)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("drill: error: ") and result.output.count("\n") == 1
