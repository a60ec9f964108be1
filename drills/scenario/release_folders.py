"""The release folders a scenario's `release` section names: a line (one sub-folder per
tag) or one release folder, checked for the tags it must hold; without a path, the tags of
the fixture line the drill builds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from harness import bounded_read
from harness.errors import ConfigError

if TYPE_CHECKING:
    from drills.scenario.model import Release

AOT_BUNDLE = "fuse-aot-linux-x64.tar.gz"  # what makes a folder a release (the one platform drilled)
TAG_RE = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")  # the schema's tag pattern


def release_folders(root: Path, rel: Release, origin: str) -> tuple[Path, Path | None]:
    """(release folder, previous release folder or None) in `root`, a release line (one
    sub-folder per tag) or one release folder; a ConfigError naming the key if absent."""
    current = root / rel.tag if (root / rel.tag).is_dir() else root
    if not (current / AOT_BUNDLE).is_file():
        raise ConfigError(
            f"{origin}: release.tag: {root} holds no {rel.tag} bundle (expected "
            f"{root / rel.tag / AOT_BUNDLE}, or {AOT_BUNDLE} in {root} itself)"
        )
    held = _held_tag(root) if current == root else None
    if held is not None and held[0] != rel.tag:
        raise ConfigError(
            f"{origin}: release.tag: {rel.tag} is not the release in {root}, a single release folder "
            f"of {held[0]} ({held[1]}); set tag: {held[0]}, or point release.path at a release line "
            f"holding {rel.tag}"
        )
    if rel.previous is None:
        return current, None
    previous = root / rel.previous
    if not (previous / AOT_BUNDLE).is_file():
        raise ConfigError(
            f"{origin}: release.previous: {root} holds no {rel.previous} bundle (expected "
            f"{previous / AOT_BUNDLE}); name the previous known-good release, or set previous: null "
            "to skip containment"
        )
    return current, previous


def _held_tag(folder: Path) -> tuple[str, str] | None:
    """The tag a single release folder says it holds, and what says so: its name, else the
    `version` of its release-artifacts.json; None when neither does (a dist/ folder)."""
    if TAG_RE.fullmatch(folder.name):
        return folder.name, "its name"
    try:
        text = bounded_read.read_bytes(folder / "release-artifacts.json", 16 * bounded_read.MiB)
        version = bounded_read.parse_json(text)["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    tag = f"v{str(version).removeprefix('v')}"
    return (tag, "the version in its release-artifacts.json") if TAG_RE.fullmatch(tag) else None


def check_fixture_tags(rel: Release, origin: str) -> None:
    """Without release.path the drill builds the fixture line: only its tags exist."""
    from drills.standard.releases import DEFAULT_LINE  # noqa: PLC0415 - the fixture release only

    for key, tag in (("tag", rel.tag), ("previous", rel.previous)):
        if tag is not None and tag not in DEFAULT_LINE:
            raise ConfigError(
                f"{origin}: release.{key}: {tag} is not a release of the fixture line "
                f"({', '.join(DEFAULT_LINE)}); name one of them, or set release.path"
            )
