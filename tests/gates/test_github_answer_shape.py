"""An API that answers in another shape (a proxy, a wrong GITHUB_API_URL, a changed field) is
one clear infrastructure error line, exit 3, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.standard.releases import write_release
from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, READ_TOKEN, Fault, State, fake_github


@pytest.mark.parametrize("selector", ["v0.7.0", "v0.7.x"])
def test_a_release_with_an_unreadable_date_is_one_infra_line(tmp_path: Path, selector: str) -> None:
    folder = write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0")
    state = State(page_size=5)
    state.add_release(folder, "v0.7.0", "yesterday")  # not GitHub's ISO 8601 timestamp
    with fake_github(state):
        env = {"GITHUB_API_URL": state.base, "GATE_CACHE_DIR": str(tmp_path / "cache")}
        proc = run_gate("check", "--release", selector, "--source", f"github:{OWNER_REPO}", env=env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0]
    assert "not the answer of a GitHub REST API (ValueError" in lines[0]
    assert lines[0].endswith("check GITHUB_API_URL")


HTML = "<!DOCTYPE html><html><body>Sign in to continue</body></html>"


def check_on(state: State, tmp_path: Path, selector: str, token: str = "") -> list[str]:
    """`gate check` against the fake; the stderr lines of a run that must exit 3."""
    env = {"GITHUB_API_URL": state.base, "GATE_CACHE_DIR": str(tmp_path / "cache"), "GITHUB_TOKEN": token}
    proc = run_gate("check", "--release", selector, "--source", f"github:{OWNER_REPO}", env=env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    return proc.stderr.strip().splitlines()


def test_a_release_by_tag_answered_with_html_is_one_infra_line(tmp_path: Path) -> None:
    state = State(page_size=5)
    state.add_release(write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0"), "v0.7.0", "2026-03-01T00:00:00Z")
    state.faults.append(Fault("/releases/tags/", 200, headers={"Content-Type": "text/html"}, body=HTML))
    with fake_github(state):
        (line,) = check_on(state, tmp_path, "v0.7.0")
    assert line.startswith(f"gate: error: GET {state.base}/repos/{OWNER_REPO}/releases/tags/v0.7.0: ")
    assert "not the answer of a GitHub REST API (JSONDecodeError" in line
    assert line.endswith("check GITHUB_API_URL")


@pytest.mark.parametrize("body", [HTML, "[]", '{"permissions": ["push"]}'], ids=["html", "list", "odd"])
def test_a_repository_answer_of_another_shape_is_one_infra_line(tmp_path: Path, body: str) -> None:
    # An unknown tag asks the repository whether the token could see drafts.
    state = State(page_size=5)
    state.add_release(write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0"), "v0.7.0", "2026-03-01T00:00:00Z")
    state.faults.append(Fault(f"/repos/{OWNER_REPO}", 200, body=body, exact=True))
    with fake_github(state):
        (line,) = check_on(state, tmp_path, "v0.9.0", token=READ_TOKEN)
    assert line.startswith(f"gate: error: GET {state.base}/repos/{OWNER_REPO}: ")
    assert "not the answer of a GitHub REST API (" in line
    assert line.endswith("check GITHUB_API_URL")
    assert READ_TOKEN not in line
