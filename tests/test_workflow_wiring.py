"""The release pipeline's wiring, read from the workflows: the reusable gate covers the
contract's platforms on their own runners, keeps every report, merges into one verdict; the
README's example makes publishing need it; the nightly drill's shards all reach the merge;
CI tests on the three runners; the action works on Windows runners."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from gates import contract
from tests.test_workflows import load

ROOT = Path(__file__).resolve().parents[1]
FLOWS = ROOT / ".github" / "workflows"
RUNNERS = {
    "linux-x64": "ubuntu-24.04",
    "macos-arm64": "macos-14",
    "windows-x64": "windows-2022",
}  # contract 1.1


def reusable() -> dict[str, Any]:
    return load(FLOWS / "release-gate-reusable.yml")


def step(job: dict[str, Any], name_part: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if name_part in str(s.get("name", "")) + str(s.get("uses", "")))


def test_reusable_gate_is_called_with_the_release_and_the_pinned_gate() -> None:
    call = reusable()["on"]["workflow_call"]
    assert {"release", "harness-repository", "harness-ref"} <= {
        k for k, v in call["inputs"].items() if v.get("required")
    }
    assert call["outputs"]["verdict"]["value"] == "${{ jobs.verdict.outputs.verdict }}"


def test_recovery_matrix_covers_every_contract_platform_on_its_own_runner() -> None:
    job = reusable()["jobs"]["recover"]
    include = job["strategy"]["matrix"]["include"]
    assert {m["platform"]: m["runner"] for m in include} == {
        p: RUNNERS[p] for p in contract.load(None).platforms
    }
    assert job["runs-on"] == "${{ matrix.runner }}" and job["strategy"]["fail-fast"] is False
    gate = step(job, "Recovery gates")
    assert gate["uses"].startswith("./.fuse-release-harness")
    assert gate["with"]["command"] == "recover" and gate["with"]["platform"] == "${{ matrix.platform }}"
    bundles = step(job, "download-artifact")
    assert bundles["with"]["name"] == "${{ inputs.bundle-prefix }}${{ matrix.platform }}"
    assert gate["with"]["source"] == bundles["with"]["path"]
    upload = step(job, "upload-artifact")
    assert upload["if"] == "${{ always() }}"
    assert upload["with"]["path"].rstrip("/") == gate["with"]["report-dir"]
    # S004 times the platform's released CLI, out of the same bundles, in FUSE's extension
    assert gate["with"]["cli-bundle"] == (
        f"{bundles['with']['path']}/fuse-cli-${{{{ matrix.platform }}}}"
        "${{ runner.os == 'Windows' && '.zip' || '.tar.gz' }}"
    )


def test_verdict_job_checks_dist_and_merges_every_platform_even_after_a_red_one() -> None:
    job = reusable()["jobs"]["verdict"]
    assert job["needs"] == ["recover"] and job["if"] == "${{ !cancelled() }}"
    merge = step(job, "gate merge")["run"]
    assert '--expect "gate check" --expect "gate recover"' in merge
    assert ".fuse-gate/check/report.json" in merge and ".fuse-gate/recover/*/report.json" in merge
    assert 'exit "$code"' in merge
    assert step(job, "upload-artifact")["if"] == "${{ always() }}"
    reports = step(job, "recovery reports")["with"]["pattern"]
    assert re.fullmatch(reports.replace("*", ".*"), "release-gate-recover-windows-x64")


def readme_example() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "release-gate-reusable.yml@" in b)
    data: dict[str, Any] = yaml.safe_load(block)
    return data


def test_readme_example_publishes_only_after_the_gate() -> None:
    jobs = readme_example()["jobs"]
    gate = next(name for name, job in jobs.items() if "release-gate-reusable.yml@" in str(job.get("uses")))
    assert {"package", "aggregate"} <= set(jobs[gate]["needs"])
    for name in ("publish", "publish-container"):
        assert gate in jobs[name]["needs"], name
        assert "always()" not in str(jobs[name].get("if", ""))  # a red gate skips publishing
    assert jobs[gate]["permissions"] == {"contents": "read"}


def test_nightly_drill_shards_cover_the_matrix_and_reach_the_merge() -> None:
    data = load(FLOWS / "nightly-drill.yml")
    shards = data["jobs"]["drill"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(data["env"]["SHARDS"]) + 1))
    run = step(data["jobs"]["drill"], "Run the drill")["run"]
    assert '--shard "${SHARD}/${SHARDS}"' in run
    merge = data["jobs"]["merge"]
    assert merge["needs"] == ["drill"] and merge["if"] == "${{ !cancelled() }}"
    assert "drill merge" in step(merge, "drill merge")["run"]
    for job in data["jobs"].values():
        assert step(job, "upload-artifact")["if"] == "always()"


def test_ci_tests_on_the_three_runners_docker_on_linux_only() -> None:
    jobs = load(FLOWS / "ci.yml")["jobs"]
    assert set(jobs["tests"]["strategy"]["matrix"]["os"]) == set(RUNNERS.values())
    markers = step(jobs["tests"], "pytest")["env"]["MARKERS"]
    assert "runner.os == 'Windows' && 'not docker and not posix'" in markers
    assert jobs["docker"]["runs-on"].startswith("ubuntu")
    assert "zizmor --offline" in step(jobs["lint"], "zizmor")["run"]


def test_action_installs_into_scripts_exe_on_windows(tmp_path: Path) -> None:
    """The install step as a Windows runner runs it, with a fake `python` that makes a
    Windows-shaped venv (Scripts\\python.exe) and records how it is called."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "install")["run"]
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    fake = f"""#!/usr/bin/env bash
echo "python $*" >> {calls}
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/Scripts"
  printf '#!/usr/bin/env bash\\necho "venv-python $*" >> {calls}\\n' > "$3/Scripts/python.exe"
  chmod +x "$3/Scripts/python.exe"
fi
"""
    (bin_dir / "python").write_text(fake)
    (bin_dir / "python").chmod(0o755)
    out = tmp_path / "output"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "RUNNER_OS": "Windows",
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    proc = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == f"gate={tmp_path / 'temp'}/fuse-gate/Scripts/gate.exe\n"
    assert f"venv-python -m pip install --quiet {ROOT}" in calls.read_text()


def test_action_recover_passes_platform_tag_and_bundles(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "gate")["run"]
    fake, calls = tmp_path / "gate", tmp_path / "calls"
    fake.write_text(f'#!/usr/bin/env bash\necho "$*" > {calls}\nexit 1\n')
    fake.chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "GATE": str(fake),
        "GATE_COMMAND": "recover",
        "GATE_RELEASE": "v0.7.1",
        "GATE_SOURCE": "bundles",
        "GATE_CHECKOUT": ".",
        "GATE_PLATFORM": "windows-x64",
        "GATE_CONTRACT": "",
        "GATE_REPORT_DIR": "r",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    proc = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert calls.read_text().split() == [
        "recover", "--checkout", ".", "--tag", "v0.7.1", "--release", "v0.7.1", "--source", "bundles",
        "--platform", "windows-x64", "--report-dir", "r",
    ]  # fmt: skip
    assert "verdict=failed" in (tmp_path / "out").read_text()
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        env={**env, "GATE_CLI_BUNDLE": "bundles/fuse-cli-windows-x64.zip"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert calls.read_text().split()[11:13] == ["--cli-bundle", "bundles/fuse-cli-windows-x64.zip"]
