"""The real tools for `drill run`: the Docker engine, images built from the scenario's
release (the fixture line by default, written into the run's work dir), HTTP probes and
the fault catalogue."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from drills.scenario.release_folders import release_folders
from harness.errors import ConfigError, InfraError

if TYPE_CHECKING:
    from drills.engine.containers import DockerSeam
    from drills.engine.images import ImageSet
    from drills.run.runner import ImageBuilder, Tools
    from drills.scenario.model import Scenario


def release_dirs(scenario: Scenario, work_dir: Path) -> tuple[Path, Path | None]:
    """(release folder, previous release folder or None) for a scenario."""
    rel = scenario.release
    root = rel.path
    if root is None:
        from drills.standard.releases import write_line  # noqa: PLC0415

        root = work_dir / "releases"
        if not (root / rel.tag).is_dir():
            write_line(root, runnable=True)
    return release_folders(root, rel, scenario.origin)


def check_base_images(seam: DockerSeam, scenarios: list[Scenario]) -> None:
    """A base image must already be in the engine: drills build locally and never pull.
    `drill run` asks before the run starts, so a missing one is a config error (exit 2)."""
    for scenario in scenarios:
        base = scenario.base_image
        if base is not None and not seam.image_exists(base):
            raise ConfigError(
                f"{scenario.origin}: base_image: {base} is not in the local Docker engine and drills "
                f"never pull; `docker pull {base}` (or build it) first, or drop base_image for FROM scratch"
            )


def image_builder(seam: DockerSeam, work_dir: Path) -> ImageBuilder:
    from drills.engine.images import build_images  # noqa: PLC0415
    from drills.engine.labels import RUN_ID  # noqa: PLC0415

    # One image set per release setting, shared by the run's scenarios. Tags are namespaced
    # by the run id, so two runs on one engine never share (and so never remove) an image;
    # the run's cleanup removes them: importing all six takes about a second.
    built: dict[object, ImageSet] = {}
    lock = threading.Lock()  # scenarios in parallel (--jobs) share one build per setting

    def build(scenario: Scenario, labels: Mapping[str, str]) -> ImageSet:
        with lock:
            return _build(scenario, labels)

    def _build(scenario: Scenario, labels: Mapping[str, str]) -> ImageSet:
        from drills.scenario.aot_binary import missing_library  # noqa: PLC0415
        from drills.scenario.app_images import build_app_images  # noqa: PLC0415

        drop = missing_library(scenario) if scenario.fault_id == "missing-library" else None
        # an app's images hold its setup's output, which its env decides (dicts: by repr)
        app = (
            None if scenario.app is None else (repr(scenario.app), tuple(sorted(scenario.native_env.items())))
        )
        key = (scenario.release, app, scenario.app_package, scenario.base_image, drop)
        if key not in built:
            check_base_images(seam, [scenario])
            namespace = labels.get(RUN_ID, "")
            if scenario.app is not None:
                built[key] = build_app_images(seam, scenario, labels, namespace, drop)
            else:
                built[key] = _release_images(scenario, labels, namespace, drop)
        return built[key]

    def _release_images(
        scenario: Scenario, labels: Mapping[str, str], namespace: str, drop: str | None
    ) -> ImageSet:
        from drills.scenario.aot_binary import lib_dirs  # noqa: PLC0415
        from drills.standard.toolchain import app_package  # noqa: PLC0415

        current, previous = release_dirs(scenario, work_dir)
        own, previous_own = lib_dirs(scenario)
        return build_images(
            seam,
            release=current,
            app_package=scenario.app_package or app_package(),
            labels=labels,
            previous=previous,
            lib_dirs=own,
            previous_lib_dirs=previous_own,
            base=scenario.base_image,
            namespace=namespace,
            drop_library=drop,
        )

    return build


def real_tools(work_dir: Path) -> Tools:
    from drills.run.runner import Tools  # noqa: PLC0415

    try:
        from drills.engine import seam  # noqa: PLC0415
        from drills.faults import catalogue as faults  # noqa: PLC0415
        from drills.playbook import probes  # noqa: PLC0415
    except ImportError as exc:
        raise InfraError(
            f"drill run needs {exc.name}, which this installation lacks; reinstall fuse-release-harness"
        ) from exc

    engine = seam.connect()
    return Tools(
        seam=engine, build_images=image_builder(engine, work_dir), probe=probes.probe, faults=faults.FAULTS
    )
