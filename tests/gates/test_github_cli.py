"""The installed `gate` against the local fake GitHub, end to end."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, PUSH_TOKEN, State, env_for, fake_github, published_line


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    with fake_github(published_line(tmp_path / "line")) as state:
        yield state


def test_gate_check_reads_a_line_from_github(github: State, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    proc = run_gate(
        "check",
        "--release",
        "v0.7.x",
        "--source",
        f"github:{OWNER_REPO}",
        "--report-dir",
        str(reports),
        "--as-of",
        "2026-03-12",
        env=env_for(github, tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((reports / "report.json").read_text())
    stats = report["stats"]
    assert stats["source"] == "github"
    assert stats["api_calls"] > 0
    assert stats["not_modified"] == 0
    assert stats["rate_limit_remaining"] == github.budget
    written = [p.read_text() for p in reports.iterdir()]
    assert all(PUSH_TOKEN not in text for text in [proc.stdout, proc.stderr, *written])

    again = run_gate(
        "check",
        "--release",
        "v0.7.x",
        "--source",
        f"github:{OWNER_REPO}",
        "--report-dir",
        str(reports),
        "--as-of",
        "2026-03-12",
        env=env_for(github, tmp_path),
    )
    assert again.returncode == 0
    stats = json.loads((reports / "report.json").read_text())["stats"]
    assert stats["not_modified"] > 0  # the ETag cache answered the JSON GETs


def test_gate_check_unknown_tag_is_one_clear_line(github: State, tmp_path: Path) -> None:
    proc = run_gate(
        "check", "--release", "v0.9.0", "--source", f"github:{OWNER_REPO}", env=env_for(github, tmp_path)
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "no published release with that tag" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert PUSH_TOKEN not in proc.stderr


def test_gate_check_rejected_token_exits_2_without_showing_it(github: State, tmp_path: Path) -> None:
    bad = "ghp_NOTvalidNOTvalid0123456789"
    env = {**env_for(github, tmp_path), "GITHUB_TOKEN": bad}
    proc = run_gate("check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "GITHUB_TOKEN was rejected" in proc.stderr
    assert bad not in proc.stdout + proc.stderr


def prune_apply(github: State, tmp_path: Path, as_of: str) -> subprocess.CompletedProcess[str]:
    """`gate prune --apply` of the fake repository's v0.7.x line, as of a date."""
    args = ("prune", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", "--apply", "--as-of", as_of)
    return run_gate(*args, env=env_for(github, tmp_path))


@pytest.mark.slow
def test_gate_prune_apply_deletes_through_the_api(github: State, tmp_path: Path) -> None:
    refused = prune_apply(github, tmp_path, "2026-03-12")
    assert refused.returncode == 0, refused.stderr
    assert "refuse" in refused.stdout
    assert github.api_hits("DELETE") == []

    applied = prune_apply(github, tmp_path, "2026-07-01")
    assert applied.returncode == 0, applied.stderr
    assert "6 deleted" in applied.stdout
    assert len(github.api_hits("DELETE")) == 6


@pytest.mark.parametrize("token", [PUSH_TOKEN, ""])
def test_unknown_repository_is_one_config_line(github: State, tmp_path: Path, token: str) -> None:
    env = {**env_for(github, tmp_path), "GITHUB_TOKEN": token}
    proc = run_gate("check", "--release", "v0.7.x", "--source", "github:owner/rep0", env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"gate: error: --source github:owner/rep0: no such repository at {github.base}" in proc.stderr
    assert "check OWNER/REPO" in proc.stderr
    assert ("not visible to GITHUB_TOKEN" if token else "GITHUB_TOKEN is unset") in proc.stderr
    assert github.api_hits(fragment="/repos/owner/rep0/releases")  # asked the API, once answered 404


def test_gate_check_says_when_it_waits_to_retry(github: State, tmp_path: Path) -> None:
    from tests.gates.github_server import Fault  # noqa: PLC0415

    github.faults.append(Fault("/releases", 502, times=1, body="<html>Bad gateway</html>"))
    proc = run_gate(
        "check",
        "--release",
        "v0.7.x",
        "--source",
        f"github:{OWNER_REPO}",
        "--as-of",
        "2026-03-12",
        env=env_for(github, tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if "waiting" in line]
    assert line.startswith("gate: GET ") and "/releases" in line
    assert line.endswith(": HTTP 502; waiting 1 s before retry 1 of 4")


@pytest.mark.slow
def test_a_v1_release_is_judged_through_github_with_its_sidecars(tmp_path: Path) -> None:
    """Sidecars are release assets on GitHub too: their texts are read, the VSIX listed."""
    from drills.standard.releases import PUBLISHED, write_release  # noqa: PLC0415

    state = State(page_size=2)
    good = write_release(tmp_path / "good" / "v1.1.0", "v1.1.0")
    state.add_release(good, "v1.1.0", PUBLISHED["v1.1.0"])
    bad = write_release(tmp_path / "bad" / "v1.2.0", "v1.2.0", defects=("certificate-other-issuer",))
    state.add_release(bad, "v1.2.0", "2026-04-01T12:00:00Z")
    with fake_github(state) as github:
        env = env_for(github, tmp_path)
        passed = run_gate("check", "--release", "v1.1.0", "--source", f"github:{OWNER_REPO}", env=env)
        failed = run_gate("check", "--release", "v1.2.0", "--source", f"github:{OWNER_REPO}", "-v", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "passed   G001 v1.1.0" not in passed.stdout  # quiet by default: only failures show
    assert failed.returncode == 1, failed.stdout
    assert "failed   G002 v1.2.0" in failed.stdout
    assert "comes from another OIDC issuer" in failed.stdout
    for check in ("B002", "V002", "G001", "G003", "E002", "I008"):
        assert f"passed   {check} v1.2.0" in failed.stdout


def test_a_published_release_must_hold_what_a_folder_may_lack(tmp_path: Path) -> None:
    """The VSIX, signatures and provenance are required of a published release (GitHub)."""
    from drills.standard.releases import PUBLISHED, write_release  # noqa: PLC0415

    state = State(page_size=2)
    bare = write_release(tmp_path / "bare" / "v1.1.0", "v1.1.0", defects=("vsix-missing",))
    state.add_release(bare, "v1.1.0", PUBLISHED["v1.1.0"])
    with fake_github(state) as github:
        env = env_for(github, tmp_path)
        on_github = run_gate("check", "--release", "v1.1.0", "--source", f"github:{OWNER_REPO}", env=env)
    in_folder = run_gate("check", "--release", "v1.1.0", "--source", str(bare))
    assert on_github.returncode == 1, on_github.stdout
    assert "failed   E001 v1.1.0" in on_github.stdout
    assert in_folder.returncode == 0, in_folder.stdout
