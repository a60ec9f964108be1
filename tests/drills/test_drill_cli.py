"""The `drill` CLI: validate, report, exit codes, one clear line on bad input."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from harness.drill_cli import drill as drill_cli
from tests.drills.conftest import drill, standard


def test_validate_the_standard_suite():
    result = CliRunner().invoke(drill_cli, ["validate", "--suite", "standard"])
    assert result.exit_code == 0
    assert result.output.count("\nok ") + result.output.startswith("ok ") == 11


def test_validate_bad_file_is_exit_2_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nfault: {id: meteor}\nexpect: {fallback: true}\n")
    result = CliRunner().invoke(drill_cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith("drill: error: ") and result.output.count("\n") == 1


def test_report_rebuilds_outputs_and_maps_verdicts_to_exit_codes(fake, tmp_path):
    drill(fake, tmp_path / "green", standard("crash"))
    ok = CliRunner().invoke(drill_cli, ["report", str(tmp_path / "green" / "journal.jsonl"),
                                        "--out", str(tmp_path / "out")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "out" / "report.html").is_file()
    fake.behaviours["fake/fallback-native-broken"] = fake.behaviours["fake/fallback-native"]
    drill(fake, tmp_path / "red", standard("broken-fallback"))
    red = CliRunner().invoke(drill_cli, ["report", str(tmp_path / "red" / "journal.jsonl")])
    assert red.exit_code == 1
    assert "failed   broken-fallback drill.verdict" in red.output


def test_report_on_a_missing_journal_is_exit_2(tmp_path):
    result = CliRunner().invoke(drill_cli, ["report", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "no such journal" in result.output


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from harness.drill_cli import drill; "
            "heavy = [m for m in ('docker', 'drills.runner', 'jsonschema', 'requests') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
