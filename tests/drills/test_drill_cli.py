"""The `drill` CLI: validate, report, exit codes, one clear line on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.scenario.model import SUITES
from tests.drills.conftest import drill, standard


def test_validate_the_standard_suite():
    result = CliRunner().invoke(drill_cli, ["validate", "--suite", "standard"])
    assert result.exit_code == 0
    assert result.output.count("\nok ") + result.output.startswith("ok ") == 11


def _given_twice(tmp_path, how: str) -> list[str]:
    """crash.yaml named twice on one command line, in one of several spellings."""
    crash = SUITES["standard"] / "crash.yaml"
    if how == "the same path":
        return [str(crash), str(crash)]
    if how == "a relative and an absolute path":
        return [str(crash), os.path.relpath(crash)]
    if how == "its folder and the file":
        return [str(crash.parent), str(crash)]
    if how == "the file and its folder":
        return [str(crash), str(crash.parent)]
    if how == "a path through ..":
        return [str(crash), str(crash.parent / ".." / crash.parent.name / crash.name)]
    link = tmp_path / "link.yaml"
    link.symlink_to(crash)
    return [str(crash), str(link)]


@pytest.mark.parametrize(
    "how",
    [
        "the same path",
        "a relative and an absolute path",
        "its folder and the file",
        "the file and its folder",
        "a path through ..",
        "a symlink",
    ],
)
def test_validate_checks_a_file_given_twice_once_not_as_a_duplicate_name(tmp_path, how):
    result = CliRunner().invoke(drill_cli, ["validate", *_given_twice(tmp_path, how)])
    assert result.exit_code == 0, result.output
    assert "unique" not in result.output
    assert [line.split(": ")[-1].split(" ")[0] for line in result.output.splitlines()].count("crash") == 1


def test_two_files_of_one_name_are_still_refused(tmp_path):
    crash = SUITES["standard"] / "crash.yaml"
    copy = tmp_path / "copy.yaml"
    copy.write_text(crash.read_text())
    result = CliRunner().invoke(drill_cli, ["validate", str(crash), str(copy)])
    assert result.exit_code == 2, result.output
    assert "is also the name of" in result.output and "scenario names must be unique" in result.output


def test_validate_bad_file_is_exit_2_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nfault: {id: meteor}\nexpect: {fallback: true}\n")
    result = CliRunner().invoke(drill_cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith("drill: error: ") and result.output.count("\n") == 1


def test_report_rebuilds_outputs_and_maps_verdicts_to_exit_codes(fake, tmp_path):
    drill(fake, tmp_path / "green", standard("crash"))
    ok = CliRunner().invoke(
        drill_cli, ["report", str(tmp_path / "green" / "journal.jsonl"), "--out", str(tmp_path / "out")]
    )
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
    code = (
        "import sys; from cli.drill import drill; "
        "heavy = ('docker', 'drills.run.runner', 'drills.playbook.drill', 'jsonschema', 'requests'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _fake_tools(monkeypatch, fake):
    from drills.run import wiring  # noqa: PLC0415
    from tests.drills.conftest import tools_for  # noqa: PLC0415

    monkeypatch.setattr(wiring, "real_tools", lambda _work: tools_for(fake))


def test_a_second_run_on_the_same_out_leaves_the_live_journal_alone(fake, tmp_path, monkeypatch):
    from drills.run.lock import run_lock  # noqa: PLC0415

    _fake_tools(monkeypatch, fake)
    live = tmp_path / "journal.jsonl"
    live.write_text('{"seq": 1, "t": 1.0, "kind": "run.started", "run_id": "live"}\n')
    with run_lock(tmp_path / "drill.lock"):
        result = CliRunner().invoke(drill_cli, ["run", "--suite", "standard", "--out", str(tmp_path)])
    assert result.exit_code == 3, result.output
    assert result.output.startswith("drill: error: ") and result.output.count("\n") == 1
    assert "another drill run holds the lock" in result.output
    assert live.read_text().count("\n") == 1 and '"live"' in live.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drill.lock", "journal.jsonl"]


def test_run_writes_reports_even_when_the_run_dies_of_a_bug(fake, tmp_path, monkeypatch):
    _fake_tools(monkeypatch, fake)

    def broken(*_args: object) -> None:
        raise KeyError("Labels")

    fake.list_labelled = broken  # type: ignore[method-assign,assignment]
    result = CliRunner().invoke(
        drill_cli, ["run", str(SUITES["standard"] / "crash.yaml"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 3, result.output
    assert "internal error: KeyError" in result.output
    assert (tmp_path / "report.json").is_file() and (tmp_path / "report.html").is_file()
    assert "drill: ERROR" in result.output


def test_run_keeps_an_earlier_journal(fake, tmp_path, monkeypatch):
    _fake_tools(monkeypatch, fake)
    (tmp_path / "journal.jsonl").write_text("earlier\n")
    result = CliRunner().invoke(
        drill_cli, ["run", str(SUITES["standard"] / "none.yaml"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    kept = list(tmp_path.glob("journal.*.jsonl"))
    assert len(kept) == 1 and kept[0].read_text() == "earlier\n"


CRASH = "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"
BAD_SCENARIOS = {
    "fault.params.cpus": "name: x\nfault: {id: slow-start, params: {cpus: 5}}\nexpect: {fallback: true}\n",
    "release.path": CRASH + "release: {path: nowhere}\n",
    "release.previous": CRASH + 'release: {previous: "v0.7.0 (old)"}\n',
    "expect.fallback": "name: x\nfault: {id: broken-fallback}\nexpect: {fallback: false, verdict: failed}\n",
    "recover_to_aot.checkout": CRASH + "recover_to_aot: {checkout: no}\n",
    "load.requests": CRASH + "load: {requests: 0}\n",
    "budgets.contain_s": CRASH + "budgets: {contain_s: 20}\n",
}


@pytest.mark.parametrize("key", sorted(BAD_SCENARIOS))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_validate_and_run_refuse_the_same_scenarios_before_docker(tmp_path, monkeypatch, command, key):
    from drills.run import wiring  # noqa: PLC0415

    def no_docker(_work: object) -> None:
        raise AssertionError("the engine was contacted for an invalid scenario")

    monkeypatch.setattr(wiring, "real_tools", no_docker)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_SCENARIOS[key])
    args = [command, str(bad)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    result = CliRunner().invoke(drill_cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drill: error: {bad}: {key}: ") and result.output.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_run_refuses_a_base_image_the_engine_lacks_before_the_run(fake, tmp_path, monkeypatch):
    _fake_tools(monkeypatch, fake)
    scenario = tmp_path / "based.yaml"
    scenario.write_text(CRASH + "base_image: debian:12\n")
    result = CliRunner().invoke(drill_cli, ["run", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"drill: error: {scenario}: base_image: debian:12 is not in the local")
    assert fake.images == {} and not (tmp_path / "out" / "journal.jsonl").exists()
