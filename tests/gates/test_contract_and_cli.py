"""Contract loading, usage errors and `gate contract`: one clear line, distinct exit codes."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import click
import pytest
import yaml

from cli.gate_options import Day
from gates import contract
from harness.config import validate
from harness.errors import ConfigError
from tests.gates.conftest import run_gate


def test_embedded_contract_is_fuse_v07() -> None:
    rules = contract.load(None)
    assert rules.platforms == ("linux-x64", "macos-arm64", "windows-x64")
    assert rules.slo.cold_start_p50_improvement_pct == 30
    assert rules.slo.cold_start_p95_improvement_pct == 20
    assert rules.slo.max_binary_bytes == 25 * 1024 * 1024
    assert contract.asset_name(rules.assets.fallback, "windows-x64") == "fuse-cli-windows-x64.zip"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("schema_version: 1\nplatforms: [linux-x64, linux-arm]\n", "platforms[1]: 'linux-arm' is not one of"),
        (
            "schema_version: 1\nplatforms: [linux-x64]\nslo: {cold_start_p50_improvement_pct: fast}\n",
            "slo.cold_start_p50_improvement_pct: 'fast' is not of type 'number'",
        ),
        (
            "schema_version: 1\nplatforms: [linux-x64]\nwaivers: [{check: P002}]\n",
            "waivers[0]: 'scope' is a required property",
        ),
        ("schema_version: 1\nplatforms: [linux-x64\n", "release-contract.yaml:3:1:"),
        (
            "schema_version: 1\nplatforms: [linux-x64]\nwaivers:\n"
            "  - {check: P002, scope: v0.7.0, reason: r, approver: a, expires: 2026-02-30}\n",
            "release-contract.yaml:4:67: '2026-02-30' is not a valid date (day is out of range for month);"
            " write a real calendar date as YYYY-MM-DD",
        ),
        (
            "schema_version: 1\nplatforms: [linux-x64]\nretention: {lines: {v0.7.x: {closes: 2026-13-01}}}\n",
            "release-contract.yaml:3:38: '2026-13-01' is not a valid date (month must be in 1..12)",
        ),
        (
            "schema_version: 1\nplatforms: [linux-x64]\n"
            "retention: {lines: {1: {x: 1}, v0.7.x: {closes: nope}}}\n",
            "retention.lines: '1' does not match",
        ),
        (
            "schema_version: 1\nplatforms: [linux-x64]\nretention: {lines: {1: {closes: '2027-01-01'}}}\n",
            "retention.lines: '1' does not match",
        ),
    ],
)
def test_invalid_contract_is_one_line_exit_2(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text(body)
    proc = run_gate("contract", "--contract", str(path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{path}" in proc.stderr and message in proc.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text("schema_version: 2\nplatforms: [linux-x64]\n")
    proc = run_gate("--debug", "contract", "--contract", str(path))
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_gate_contract_prints_effective_contract(tmp_path: Path) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text(
        "schema_version: 1\nplatforms: [linux-x64]\nretention: {lines: {v0.7.x: {closes: '2027-01-31'}}}\n"
    )
    proc = run_gate("contract", "--contract", str(path))
    assert proc.returncode == 0, proc.stderr
    printed = yaml.safe_load(proc.stdout)
    assert printed["platforms"] == ["linux-x64"]
    assert printed["retention"]["lines"] == {"v0.7.x": {"closes": "2027-01-31"}}
    assert printed["retention"]["default"] == {"days_after_next_line": 90}  # merged default
    assert printed["slo"]["cold_start_p95_improvement_pct"] == 20


def test_bad_waiver_date_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "schema_version: 1\nplatforms: [linux-x64]\nwaivers:\n"
        "  - {check: P002, scope: v0.7.0, reason: r, approver: a, expires: '2026-13-01'}\n"
    )
    with pytest.raises(ConfigError, match=r"waivers\[0\]\.expires: '2026-13-01' is not a date"):
        contract.load(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--release", "0.7", "--source", "."], "neither a tag like v0.7.0 nor a line"),
        (["check", "--release", "v0.7.0", "--source", "/nonexistent/dist"], "is not a folder"),
        (["prune", "--release", "v0.7.0", "--source", "."], "is not a line like v0.7.x"),
        (
            ["check", "--release", "v0.7.0", "--source", ".", "--contract", "/nonexistent.yaml"],
            "no such file",
        ),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    proc = run_gate(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_release_names_what_exists(release_line: Path) -> None:
    proc = run_gate("check", "--release", "v0.9.x", "--source", str(release_line))
    assert proc.returncode == 2
    assert "no such release" in proc.stderr and "v0.7.0, v0.7.1, v0.8.0" in proc.stderr


def test_single_release_folder_needs_a_tag(tmp_path: Path, release_line: Path) -> None:
    dist = tmp_path / "dist"
    (release_line / "v0.7.1").rename(dist)
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(dist))
    assert proc.returncode == 2 and "pass --release with a tag" in proc.stderr
    proc = run_gate("check", "--release", "v0.7.1", "--source", str(dist))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_error_paths_mixing_keys_and_indices_sort() -> None:
    document = {
        "schema_version": 1,
        "platforms": ["linux-x64"],
        "retention": {"lines": {1: {"x": 1}, "v0.7.x": {"closes": "nope"}}},
    }
    with pytest.raises(ConfigError, match=r"^c\.yaml: retention\.lines.*\(and \d+ more problems\)$"):
        validate(document, contract.schema(), "c.yaml")


def test_embedded_default_contract_is_valid_against_its_schema() -> None:
    validate(contract.default_document(), contract.schema(), contract.DEFAULT_NAME)


def test_the_embedded_json_is_the_parse_of_the_default_yaml() -> None:
    assert contract.default_document() == contract.default_yaml_document(), (
        f"gates/data/{contract.DEFAULT_JSON} is not the parse of {contract.DEFAULT_NAME}: "
        "run `python -m gates.contract` to write it anew"
    )


def test_the_embedded_default_loads_as_a_user_copy_of_it_would(tmp_path: Path) -> None:
    copy = tmp_path / "release-contract.yaml"
    copy.write_bytes((Path(contract.__file__).parent / "data" / contract.DEFAULT_NAME).read_bytes())
    embedded, user = contract.load(None), contract.load(copy)
    assert replace(embedded, origin=str(copy)) == user


def test_a_folder_check_loads_only_what_it_runs(release_line: Path) -> None:
    args = ["check", "--release", "v0.7.x", "--source", str(release_line), "--as-of", "2026-03-08"]
    # no YAML file, no schema, no HTTP, no unpadded date, no report written; the package data
    # read beside its module, no temp folder, no GitHub Actions token, no thread pool, no
    # logging (only GitHub's waits are logged), no other command nor the recovery gates' half,
    # no drill line format
    heavy = (
        "yaml",
        "jsonschema",
        "requests",
        "_strptime",
        "xml.etree.ElementTree",
        "importlib.resources",
        "tempfile",
        "secrets",
        "concurrent.futures",
        "logging",
        "cli.merge",
        "cli.recover",
        "cli.drill_commands",
        "re2",
        "cryptography",
    )
    code = (
        "import sys\n"
        "from cli.gate import gate\n"
        "try:\n"
        f"    gate({args!r})\n"
        "except SystemExit as done:\n"
        f"    loaded = [m for m in {heavy!r} if m in sys.modules]\n"
        "    print(done.code, loaded, sys.modules['harness.formats'].compiled.cache_info().currsize)\n"
    )
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.splitlines()[-1] == "0 [] 0"


@pytest.mark.parametrize(
    "text", ["2026-03-08", "2026-3-8", "2026-02-30", "20260308", "2026-W10-1", "2026-03-08T10:00", "soon"]
)
def test_as_of_reads_a_day_as_click_datetime_does(text: str) -> None:
    def read(kind: click.ParamType) -> object:
        try:
            return kind.convert(text, None, None)
        except click.BadParameter as exc:
            return exc.message

    assert read(Day()) == read(click.DateTime(formats=["%Y-%m-%d"]))


@pytest.mark.parametrize("quote", ["", "'"])
def test_dates_load_quoted_or_not(tmp_path: Path, quote: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "schema_version: 1\nplatforms: [linux-x64]\n"
        f"retention: {{lines: {{v0.7.x: {{closes: {quote}2027-01-31{quote}}}}}}}\n"
        "waivers:\n  - {check: P002, scope: v0.7.0, reason: r, approver: a, "
        f"expires: {quote}2030-01-01{quote}}}\n"
    )
    rules = contract.load(path)
    assert rules.waivers[0].expires.isoformat() == "2030-01-01"
    closes = rules.window_for("v0.7.x").closes
    assert closes is not None and closes.isoformat() == "2027-01-31"
    assert rules.raw["waivers"][0]["expires"] == "2030-01-01"
