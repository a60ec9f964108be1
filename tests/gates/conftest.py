"""Shared fixtures for the release gate tests: real release folders on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from drills.standard.releases import write_line, write_release

GATE = str(Path(sys.executable).with_name("gate.exe" if os.name == "nt" else "gate"))


@pytest.fixture
def release_line(tmp_path: Path) -> Path:
    return write_line(tmp_path / "line")


@pytest.fixture
def make_release(tmp_path: Path) -> Callable[..., Path]:
    def make(tag: str = "v0.7.0", *defects: str) -> Path:
        name = "-".join(defects) or "clean"
        return write_release(tmp_path / name / tag, tag, defects=defects)

    return make


def run_gate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, as CI runs it."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full_env.update(env or {})
    return subprocess.run(
        [GATE, *args], capture_output=True, text=True, env=full_env, timeout=120, check=False
    )
