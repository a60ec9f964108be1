"""The scenario's candidate AOT binary, wherever it comes from (an app section's file or
archive member, a release folder's bundle, the fixture toolchain), and what the
missing-library fault leaves out of its image: one function for `drill validate` and the
image builder of `drill run`, so both refuse the same scenarios with the same words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from drills.engine.closure import library_to_drop
from drills.engine.images import AOT_NAME, archive_member, binary_closure
from harness.errors import ConfigError, InfraError

if TYPE_CHECKING:
    from drills.scenario.app import Binary
    from drills.scenario.model import Scenario


def lib_dirs(scenario: Scenario) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(candidate's, previous's) library folders: the scenario's `release.lib_dirs`, or for
    the fixture release the stand-in toolchain's build folder of each version."""
    rel = scenario.release
    if rel.lib_dirs or rel.path is not None:
        return rel.lib_dirs, rel.lib_dirs
    from drills.standard.toolchain import ToolchainBuildError, build_toolchain  # noqa: PLC0415

    def of(tag: str | None) -> tuple[Path, ...]:
        try:
            return (build_toolchain(tag.lstrip("v")).runtime_lib.parent,) if tag else ()
        except (ToolchainBuildError, OSError) as exc:
            raise InfraError(
                f"{scenario.origin}: cannot build the stand-in toolchain {tag} "
                f"for the fixture release ({str(exc).splitlines()[0]}); is a C "
                "compiler installed (CC)?"
            ) from exc

    return of(rel.tag), of(rel.previous)


def candidate_binary(scenario: Scenario) -> tuple[bytes, tuple[Path, ...]]:
    """The scenario's candidate AOT binary and the folders holding its own libraries."""
    if scenario.app is not None:
        return binary_bytes(scenario.app.candidate), scenario.app.dirs_for(scenario.app.candidate)
    own, _previous = lib_dirs(scenario)
    if scenario.release.path is None:
        from drills.standard.toolchain import build_toolchain  # noqa: PLC0415 - the fixture release

        return build_toolchain(scenario.release.tag.lstrip("v")).aot_binary.read_bytes(), own
    from drills.scenario.release_folders import release_folders  # noqa: PLC0415

    current, _ = release_folders(scenario.release.path, scenario.release, scenario.origin)
    return archive_member(current / "fuse-aot-linux-x64.tar.gz", AOT_NAME), own


def missing_library(scenario: Scenario) -> str:
    """What the missing-library fault leaves out of the scenario's AOT image (a ConfigError
    when nothing can be: drills.engine.closure.library_to_drop says why)."""
    binary, dirs = candidate_binary(scenario)
    requested = scenario.fault_params.get("library")
    return library_to_drop(binary_closure(AOT_NAME, binary, dirs), requested, scenario.base_image)


def binary_bytes(binary: Binary) -> bytes:
    """A drills.scenario.app.Binary's bytes: the file, or its member of a release archive."""
    if binary.member is not None:
        return archive_member(binary.path, binary.member)
    try:
        return bytes(binary.path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{binary.path}: cannot read the binary ({exc.strerror})") from exc
