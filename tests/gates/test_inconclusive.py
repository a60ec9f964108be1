"""Inconclusive runs still report: exit 3 writes every report, and GitHub retries and
rate-limit waits are progress lines on stderr, not silence."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, PUSH_TOKEN, Fault, State, fake_github, published_line


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    with fake_github(published_line(tmp_path / "line")) as state:
        yield state


def check(github: State, tmp_path: Path) -> tuple[int, str, str, Path]:
    out = tmp_path / "reports"
    env = {"GITHUB_API_URL": github.base, "GITHUB_TOKEN": PUSH_TOKEN, "GATE_CACHE_DIR": str(tmp_path / "c")}
    done = run_gate(
        "check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", "--report-dir", str(out), env=env
    )
    return done.returncode, done.stdout, done.stderr, out


def test_unreachable_source_exits_3_with_every_report(github: State, tmp_path: Path) -> None:
    limit = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3000)}
    github.faults.append(
        Fault("/releases", 403, headers=limit, body='{"message": "API rate limit exceeded"}')
    )
    code, stdout, stderr, out = check(github, tmp_path)
    assert code == 3, stdout + stderr
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.json", "summary.md"]
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "error" and report["exit_code"] == 3
    (result,) = report["results"]
    assert result["outcome"] == "error" and "rate limit reached" in result["summary"]
    assert any(n.startswith("not checked: every check of the contract") for n in report["notes"])
    assert report["platforms"] and report["release"] == "v0.7.x"
    assert "<error" in (out / "junit.xml").read_text()
    assert "error    source v0.7.x" in stdout and "gate check: ERROR" in stdout


def test_retries_are_progress_lines_on_stderr(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/releases", 502, times=1, body="<html>Bad gateway</html>"))
    code, stdout, stderr, _out = check(github, tmp_path)
    assert code == 0, stdout + stderr
    (line,) = [x for x in stderr.splitlines() if "retry" in x]
    assert line.startswith("gate: GET ") and "HTTP 502; waiting 1 s before retry 1 of 4" in line
    assert PUSH_TOKEN not in stderr
