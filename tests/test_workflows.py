"""House rules for the workflows and action.yml that actionlint does not enforce:
pinned actions, least privilege, no persisted credentials, unskippable verdicts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from drills.standard.releases import write_release

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
PINNED = re.compile(r"^\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as True
    return data


def unpinned(text: str) -> list[str]:
    """`uses:` lines of third-party actions not pinned to a commit SHA with a version comment."""
    lines = [line for line in text.splitlines() if re.match(r"^\s*-?\s*uses:", line)]
    return [
        line.strip()
        for line in lines
        if "uses: ./" not in line and "docker://" not in line and not PINNED.match(line)
    ]


def steps(path: Path) -> list[dict[str, Any]]:
    data = load(path) if path.parent.name == "workflows" else yaml.safe_load(path.read_text())
    if "jobs" in data:
        return [s for job in data["jobs"].values() for s in job.get("steps", [])]
    return list(data["runs"]["steps"])


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_sha(path: Path) -> None:
    assert unpinned(path.read_text()) == []


def test_the_pin_rule_goes_red() -> None:
    text = (
        "    - uses: actions/checkout@v4\n"
        "    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
        "    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
        "    - uses: ./\n"
    )
    assert len(unpinned(text)) == 2


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_checkouts_do_not_persist_credentials(path: Path) -> None:
    for step in steps(path):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_declare_least_privilege(path: Path) -> None:
    data = load(path)
    assert "permissions" in data, "top-level permissions missing"
    top = data["permissions"]
    assert top in ({}, {"contents": "read"}), top
    for name, job in data["jobs"].items():
        granted = job.get("permissions", top)
        # gate-draft: only a token with push access lists draft releases (it writes nothing)
        allowed = name.startswith("publish") or (name == "gate-draft" and granted == {"contents": "write"})
        assert "write" not in str(granted) or allowed, (name, granted)


def test_ci_aggregator_fails_when_any_needed_job_did_not_succeed() -> None:
    data = load(ROOT / ".github" / "workflows" / "ci.yml")
    jobs = data["jobs"]
    gate = jobs["all-green"]
    assert gate["if"] == "${{ !cancelled() }}"
    assert set(gate["needs"]) == set(jobs) - {"all-green"}
    script = gate["steps"][-1]["run"]
    assert "toJSON(needs)" in gate["steps"][-1]["env"]["NEEDS"]
    assert '.result == "success"' in script


@pytest.mark.parametrize(
    ("results", "event", "green"),
    [
        ({"tests": "success", "mutation": "success"}, "push", True),
        ({"tests": "success", "mutation": "skipped"}, "pull_request", True),  # not run on PRs
        ({"tests": "success", "mutation": "skipped"}, "push", False),
        ({"tests": "skipped", "mutation": "success"}, "pull_request", False),
        ({"tests": "success", "mutation": "failure"}, "schedule", False),
    ],
)
def test_ci_aggregator_lets_only_the_mutation_job_skip_and_only_on_pull_requests(
    results: dict[str, str], event: str, green: bool
) -> None:
    gate = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["all-green"]
    needs = json.dumps({job: {"result": result, "outputs": {}} for job, result in results.items()})
    env = {"PATH": os.environ["PATH"], "NEEDS": needs, "EVENT": event}
    proc = subprocess.run(
        ["bash", "-e", "-c", gate["steps"][-1]["run"]], env=env, capture_output=True, text=True, check=False
    )
    assert (proc.returncode == 0) is green, proc.stdout + proc.stderr


def test_release_gate_runs_on_publish_and_on_demand_and_always_keeps_the_report() -> None:
    data = load(ROOT / ".github" / "workflows" / "release-gate.yml")
    assert data["on"]["release"]["types"] == ["published"]
    assert data["on"]["workflow_dispatch"]["inputs"]["release"]["required"] is True
    for name in ("gate", "gate-draft"):
        job = data["jobs"][name]
        gate = next(s for s in job["steps"] if s.get("uses") == "./")
        upload = next(s for s in job["steps"] if "upload-artifact" in str(s.get("uses")))
        assert upload["if"] == "${{ always() }}"
        assert upload["with"]["path"].rstrip("/") == gate["with"]["report-dir"]


def test_release_gate_runs_exactly_one_job_and_only_the_draft_job_sees_drafts() -> None:
    jobs = load(ROOT / ".github" / "workflows" / "release-gate.yml")["jobs"]
    assert set(jobs) == {"gate", "gate-draft"}
    # complementary conditions: a published release (no inputs) or a dispatch runs exactly one
    assert jobs["gate"]["if"] == "${{ !inputs.draft }}"
    assert jobs["gate-draft"]["if"] == "${{ inputs.draft }}"
    assert jobs["gate"]["permissions"] == {"contents": "read"}
    assert jobs["gate-draft"]["permissions"] == {"contents": "write"}


def test_action_sets_outputs_before_propagating_the_exit_code() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"release", "source", "contract", "report-dir", "python-version"} <= set(action["inputs"])
    assert action["inputs"]["source"]["default"] == "github:${{ github.repository }}"
    assert {"verdict", "report-path"} <= set(action["outputs"])
    runs = [s for s in action["runs"]["steps"] if "run" in s]
    assert all(s.get("shell") == "bash" for s in runs)
    script = next(s for s in runs if s.get("id") == "gate")["run"]
    assert script.index('>> "$GITHUB_OUTPUT"') < script.index('exit "$code"')
    assert "${{" not in script  # inputs reach the script through env, never inline


@pytest.mark.parametrize(
    ("defects", "code", "verdict"), [((), 0, "passed"), (("sums-missing",), 1, "failed")]
)
def test_action_gate_step_propagates_the_exit_code(
    tmp_path: Path, defects: tuple[str, ...], code: int, verdict: str
) -> None:
    """Run the action's gate script with bash, as the runner would."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "gate")["run"]
    folder = write_release(tmp_path / "v0.7.0", "v0.7.0", defects=defects)
    out, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        "PATH": os.environ["PATH"],
        "GATE": str(Path(sys.executable).with_name("gate")),
        "GATE_COMMAND": "check",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GATE_RELEASE": "v0.7.0",
        "GATE_SOURCE": str(folder),
        "GATE_CONTRACT": "",
        "GATE_REPORT_DIR": str(tmp_path / "reports"),
    }
    proc = subprocess.run(
        ["bash", "-e", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == code, proc.stderr
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert outputs["verdict"] == verdict
    assert outputs["exit-code"] == str(code)
    assert (tmp_path / "reports" / "report.json").exists()


@pytest.mark.parametrize(("report_written", "rebuilt"), [(True, False), (False, True)])
def test_nightly_rebuilds_reports_only_when_the_run_left_none(
    tmp_path: Path, report_written: bool, rebuilt: bool
) -> None:
    """A finished run already wrote its reports (and step summary): rebuilding would append
    the summary twice. Only a killed run, which leaves a journal but no report, needs it."""
    step = next(
        s
        for s in steps(ROOT / ".github" / "workflows" / "nightly-drill.yml")
        if str(s.get("name", "")).startswith("Rebuild reports")
    )
    assert step["if"] == "always()"
    out = tmp_path / "drill-out"
    out.mkdir()
    (out / "journal.jsonl").write_text("{}\n")
    if report_written:
        (out / "report.json").write_text("{}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    fake = bin_dir / "drill"  # records how the step calls `drill`
    fake.write_text(f'#!/usr/bin/env bash\necho "$*" >> {calls}\n')
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    expected = "report drill-out/journal.jsonl --baseline baseline/report.json\n" if rebuilt else None
    assert (calls.read_text() if calls.exists() else None) == expected


@pytest.mark.parametrize(("runs", "downloaded"), [("4711", True), ("", False)])
def test_nightly_fetches_the_previous_successful_nights_report_as_the_baseline(
    tmp_path: Path, runs: str, downloaded: bool
) -> None:
    """The fetch asks for the last successful nightly run and downloads its report artifact;
    with none (the first night) it downloads nothing and the run notes a missing baseline."""
    nightly = steps(ROOT / ".github" / "workflows" / "nightly-drill.yml")
    fetch = next(s for s in nightly if str(s.get("name", "")).startswith("Fetch the previous"))
    run = next(s for s in nightly if s.get("name") == "Run the drill")
    assert fetch["continue-on-error"] is True and "--baseline baseline/report.json" in run["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    fake = bin_dir / "gh"  # answers `gh run list` with `runs`, records every call
    fake.write_text(f'#!/usr/bin/env bash\necho "$*" >> {calls}\n[ "$2" = list ] && echo "{runs}"\ntrue\n')
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "REPO": "o/r", "GH_TOKEN": "t"}
    proc = subprocess.run(
        ["bash", "-e", "-c", fetch["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    said = calls.read_text().splitlines()
    assert said[0].startswith("run list --repo o/r --workflow nightly-drill.yml --status success")
    assert (said[1:] == ["run download 4711 --repo o/r --name drill-reports --dir baseline"]) == downloaded
    assert len(said) == (2 if downloaded else 1)
