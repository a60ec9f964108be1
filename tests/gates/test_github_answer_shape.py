"""An API that answers in another shape (a proxy, a wrong GITHUB_API_URL, a changed field) is
one clear infrastructure error line, exit 3, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.releases import write_release
from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, State, fake_github


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
