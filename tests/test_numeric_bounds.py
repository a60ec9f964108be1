"""Every number a release contract or a drill scenario sets is bounded on both sides by its
schema, so a finite but absurd value (a window of 10**14 days, a budget of 1e300 seconds)
is one clear error line (exit 2) where it is read, not an OverflowError deep in date or
wait arithmetic (exit 3, "internal error") or a run that never ends. NaN and infinities
are refused by the loaders' finite-number rule (tests/harness/test_config.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.standard.releases import write_line
from tests.gates.conftest import run_gate

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ("gates/data/release-contract.schema.json", "drills/scenario/scenario.schema.json")


def numbers(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node that admits a number, with where it sits."""
    if isinstance(node, dict):
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if {"number", "integer"} & set(kinds):
            yield path, node
        for key, value in node.items():
            yield from numbers(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from numbers(value, f"{path}[{i}]")


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_number_in_the_schemas_has_a_floor_and_a_ceiling(schema: str) -> None:
    found = list(numbers(json.loads((ROOT / schema).read_text())))
    assert len(found) > 10  # the walk reaches them
    unbounded = [
        path
        for path, node in found
        if not (
            {"maximum", "exclusiveMaximum"} & node.keys() and {"minimum", "exclusiveMinimum"} & node.keys()
        )
    ]
    assert unbounded == []


CONTRACT = "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\n"


@pytest.mark.parametrize(
    ("stanza", "said"),
    [
        (
            "retention: {default: {days_after_next_line: 100000000000000}}",
            "retention.default.days_after_next_line: 100000000000000 is greater than the maximum of 3650",
        ),
        ("signing: {signing_window_days: 99999999999}", "is greater than the maximum of 3650"),
        ("archive_limits: {max_members: 100000000000000000000000000}", "is greater than the maximum"),
        ("slo: {cold_start_p50_improvement_pct: 1.0e+300}", "is greater than the maximum of 100000"),
    ],
)
def test_an_absurd_number_in_a_contract_is_one_error_line(tmp_path: Path, stanza: str, said: str) -> None:
    """Bug: a window of 10**14 days was `gate: internal error: OverflowError`, exit 3."""
    line = write_line(tmp_path / "line")
    rules = tmp_path / "contract.yaml"
    rules.write_text(CONTRACT + stanza + "\n")
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(line), "--contract", str(rules))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"gate: error: {rules}: ") and proc.stderr.count("\n") == 1
    assert said in proc.stderr


def test_the_largest_window_a_contract_may_set_still_gives_a_verdict(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    rules = tmp_path / "contract.yaml"
    rules.write_text(CONTRACT + "retention: {default: {days_after_next_line: 3650}}\n")
    reports = tmp_path / "reports"
    check = ("check", "--release", "v0.7.x", "--source", str(line), "--contract", str(rules))
    proc = run_gate(*check, "--report-dir", str(reports))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "v0.7.x window closes on 2036-03-07 (3650 days after v0.8.0)" in (reports / "summary.md").read_text()
    )


@pytest.mark.parametrize(
    "stanza",
    [
        "budgets: {detect_s: 1.0e+300}",
        "budgets: {recover_s: 3601}",
        "tolerance: {latency_factor: 1.0e+12}",
        "tolerance: {latency_slack_ms: 1.0e+300}",
    ],
)
def test_an_absurd_number_in_a_scenario_is_one_error_line(tmp_path: Path, stanza: str) -> None:
    scenario = tmp_path / "absurd.yaml"
    scenario.write_text(f"name: absurd\nfault: {{id: crash}}\nexpect: {{fallback: true}}\n{stanza}\n")
    result = CliRunner().invoke(drill_cli, ["validate", str(scenario)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("drill: error: ") and result.output.count("\n") == 1
    assert "is greater than the maximum" in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--suite", "standard", "--deadline", "1e9"], "1<=x<=604800"),
        (["run", "--suite", "standard", "--tolerance", "1e300"], "0<=x<=100"),
        (["compare", "a.json", "b.json", "--tolerance", "101"], "0<=x<=100"),
    ],
)
def test_an_absurd_number_on_the_drill_command_line_is_refused_before_anything_runs(
    args: list[str], said: str
) -> None:
    result = CliRunner().invoke(drill_cli, args)
    assert result.exit_code == 2, result.output
    assert said in result.output
