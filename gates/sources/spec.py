"""Turn a --source spec into a release source: a folder path, or `github:owner/repo`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gates.sources.folder import FolderSource
from gates.sources.release import ReleaseSource, is_line

GITHUB_PREFIX = "github:"


def open_source(spec: str, selector: str, env: Mapping[str, str]) -> ReleaseSource:
    """The source a user named; GitHub needs network, a folder needs only the disk."""
    if spec.startswith(GITHUB_PREFIX):
        # imported lazily: its HTTP clients are slow to import and folder runs never need them
        from gates.sources.github import open_github  # noqa: PLC0415

        return open_github(spec.removeprefix(GITHUB_PREFIX), env, selector)
    return FolderSource(Path(spec), single_tag=None if is_line(selector) else selector)
