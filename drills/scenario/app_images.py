"""Drill images for a scenario's app section: the user's AOT binaries, the fallback CLI from
a FUSE release's bundle, and the state the service needs (drills/scenario/app.py).

The state goes into every image as files of its layer, so the AOT deployments and the
fallback start from the same bytes: the app's data folder, then what its setup command
left. The setup runs once per image set, in the fallback image (`fuse` is on its PATH)
with the fallback's env; the files it leaves (`app.setup.keep`) are copied out of its
container. Every image stays one import (`FROM scratch`) or one small build context (a
base image): only the binary, its libraries, the package and the data, never a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from drills.engine import images
from drills.engine.containers import ContainerSpec, DockerSeam
from drills.engine.labels import ROLE, RUN_ID
from drills.scenario.aot_binary import binary_bytes
from drills.scenario.app import APP_DIR, App
from harness.errors import HarnessError, InfraError

if TYPE_CHECKING:
    from drills.scenario.model import Scenario

SETUP_ROLE = "app-setup"
DATA_LIMIT = 256 * 1024 * 1024  # bytes of state an app may bring into every image
LOG_TAIL = 5
PARALLEL = 6  # image builds at once (an image set has at most six)


def data_files(app: App) -> dict[str, bytes]:
    """The data folder's files by container path (`into` + their path in the folder)."""
    if app.data is None:
        return {}
    files: dict[str, bytes] = {}
    for path in sorted(app.data.path.rglob("*")):
        if path.is_file():
            files[f"{app.data.into.rstrip('/')}/{path.relative_to(app.data.path).as_posix()}"] = (
                path.read_bytes()
            )
    if sum(map(len, files.values())) > DATA_LIMIT:
        raise InfraError(f"{app.data.path}: more than {DATA_LIMIT // 2**20} MiB of data for every image")
    return files


def run_setup(
    seam: DockerSeam,
    scenario: Scenario,
    fuse: bytes,
    data: Mapping[str, bytes],
    labels: Mapping[str, str],
    namespace: str,
) -> dict[str, bytes]:
    """Run `app.setup.command` once in the fallback image; the files it kept, by path."""
    app = scenario.app
    assert app is not None and app.setup is not None
    setup = app.setup
    context = images.fallback_context(
        fuse, app.package, lib_dirs=app.lib_dirs, base=scenario.base_image, data=data, entry=setup.command
    )
    base, rootfs, _changes = images.layer_parts(context)
    # on a base image the files go straight into the setup's container: no image to commit
    image = base or images.ensure_image(seam, SETUP_ROLE, context, labels, namespace)
    spec = ContainerSpec(
        image=image,
        name=f"fh-{labels.get(RUN_ID, 'run')}-{scenario.name}-{SETUP_ROLE}",
        labels={**labels, ROLE: SETUP_ROLE},
        env={"PATH": images.FALLBACK_PATH, **scenario.native_env},
        entrypoint=setup.command,
        workdir=APP_DIR,
        files=None if base is None else rootfs,
    )
    info = seam.run(spec)
    done = seam.wait_exit(info.id, setup.timeout_s)
    command = " ".join(setup.command)
    if done is None or done.exit_code != 0:
        tail = " | ".join(seam.logs(info.id).strip().splitlines()[-LOG_TAIL:]) or "(no output)"
        what = f"did not finish within {setup.timeout_s:g} s" if done is None else f"exited {done.exit_code}"
        raise InfraError(f"{scenario.origin}: app.setup: `{command}` {what}: {tail}")
    kept: dict[str, bytes] = {}
    for path in setup.keep:
        try:
            kept[path] = seam.get_file(info.id, path)
        except HarnessError as exc:
            raise InfraError(
                f"{scenario.origin}: app.setup.keep: `{command}` exited 0 but left no file {path} "
                f"({exc}); name the files it writes in app.setup.keep"
            ) from exc
    seam.remove_container(info.id)
    return kept


def build_app_images(
    seam: DockerSeam,
    scenario: Scenario,
    labels: Mapping[str, str],
    namespace: str = "",
    drop_library: str | None = None,
) -> images.ImageSet:
    """Every image of an app scenario (the variants included), its state in each."""
    app = scenario.app
    assert app is not None
    base, dirs = scenario.base_image, app.dirs_for(app.candidate)
    aot = binary_bytes(app.candidate)
    fuse = images.archive_member(app.fallback_bundle, "fuse")
    data = data_files(app)
    if app.setup is not None:
        data |= run_setup(seam, scenario, fuse, data, labels, namespace)

    def build(role: str, context: bytes) -> str:
        return images.ensure_image(seam, role, context, labels, namespace)

    def aot_image(binary: bytes, drop: tuple[str, ...] = (), preload: bytes | None = None) -> str:
        context = images.aot_context(binary, lib_dirs=dirs, base=base, data=data, drop=drop, preload=preload)
        return build("candidate-aot", context)

    def fallback(broken: bool) -> str:
        context = images.fallback_context(
            fuse, app.package, lib_dirs=dirs, base=base, data=data, broken=broken
        )
        return build("fallback-native", context)

    ballast = images.ballast_library()
    jobs: dict[str, Callable[[], str]] = {
        "candidate_aot": lambda: aot_image(aot),
        "fallback_native": lambda: fallback(False),
        "fallback_broken": lambda: fallback(True),
    }
    if app.previous is not None:
        previous = app.previous
        jobs["previous_aot"] = lambda: build(
            "previous-aot",
            images.aot_context(binary_bytes(previous), lib_dirs=app.dirs_for(previous), base=base, data=data),
        )
    if drop_library:
        jobs["aot_missing_library"] = lambda: aot_image(aot, drop=(drop_library,))
    if ballast:
        jobs["aot_oom"] = lambda: aot_image(aot, preload=ballast)
    # independent images: on a base image each is a commit the engine spends about a second
    # on, so they are made side by side
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="app-image") as pool:
        futures = {role: pool.submit(job) for role, job in jobs.items()}
        tags = {role: future.result() for role, future in futures.items()}
    return images.ImageSet(**tags)
