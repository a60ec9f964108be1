"""Downloads once: assets cached by their published digest, verified on every read, through
the installed `gate` against the local fake GitHub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, PUSH_TOKEN, State, fake_github, published_line


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    with fake_github(published_line(tmp_path / "line")) as state:
        yield state


def check(github: State, tmp_path: Path, name: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / name
    env = {
        "GITHUB_API_URL": github.base,
        "GITHUB_TOKEN": PUSH_TOKEN,
        "GATE_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = run_gate(
        "check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", "--report-dir", str(out), env=env
    )
    return done.returncode, json.loads((out / "report.json").read_text())


def downloads(github: State) -> int:
    return len(github.api_hits(fragment="/releases/assets/"))


def test_a_second_check_downloads_nothing(github: State, tmp_path: Path) -> None:
    code, first = check(github, tmp_path, "first")
    assert code == 0
    fetched = downloads(github)
    read = first["stats"]["downloaded_bytes"] + first["stats"]["cached_bytes"]  # releases share bytes
    assert first["stats"]["downloaded_bytes"] > 0
    code, second = check(github, tmp_path, "second")
    assert code == 0 and second["verdict"] == "passed"
    assert downloads(github) == fetched  # no asset was asked for again
    assert second["stats"]["downloaded_bytes"] == 0
    assert second["stats"]["cached_bytes"] == read


def test_a_corrupt_cache_entry_is_an_error_never_a_finding_then_downloaded_again(
    github: State, tmp_path: Path
) -> None:
    check(github, tmp_path, "first")
    entries = sorted((tmp_path / "cache" / "assets" / "sha256").glob("*/*"))
    assert entries
    victim = entries[0]
    size = victim.stat().st_size
    victim.write_bytes(b"\0" * size)  # same size, other bytes
    code, second = check(github, tmp_path, "second")
    assert code == 3 and second["verdict"] == "error"  # could not evaluate: not the release's fault
    a001 = next(r for r in second["results"] if r["check"] == "A001" and r["outcome"] == "error")
    assert "the cached copy no longer matches its digest" in json.dumps(a001)
    assert not any(r["outcome"] == "failed" for r in second["results"])
    assert second["stats"]["cache_corrupt"] == 1 and not victim.exists()
    code, third = check(github, tmp_path, "third")
    assert code == 0 and third["stats"]["downloaded_bytes"] == size
    assert victim.read_bytes() != b"\0" * size  # stored again, good this time


def test_bytes_that_disagree_with_the_digest_never_enter_the_cache(github: State, tmp_path: Path) -> None:
    asset = next(a for r in github.releases for a in r.assets if a.name == "fuse-cli-linux-x64.tar.gz")
    asset.digest = "sha256:" + "0" * 64
    for name in ("first", "second"):
        code, report = check(github, tmp_path, name)
        assert code == 1
        assert any(r["check"] == "I006" and r["outcome"] == "failed" for r in report["results"])
    assert report["stats"]["downloaded_bytes"] > 0  # downloaded again: it was never cached
    assert not (tmp_path / "cache" / "assets" / "sha256" / "00").exists()
