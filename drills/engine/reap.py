"""Removal by label: a run's own cleanup and the reaper of stale leftovers.

Cleanup is by label (drills/engine/labels.py), so it is idempotent and works for leftovers of a
run that died: a resource is stale when it expired or its owner process is gone.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from drills.engine.labels import EXPIRES, HOST, PID, RUN_ID, SCENARIO

if TYPE_CHECKING:
    from drills.engine.containers import DockerSeam

MAX_REMOVALS = 8  # removals in flight at once


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # past the largest pid: no process
        return False
    except PermissionError:
        return True
    return True


def is_stale(found: Mapping[str, str], now: float, live_run: str | None = None) -> bool:
    """Expired, or its owner on this host is gone; never anything of the live run."""
    if live_run is not None and found.get(RUN_ID) == live_run:
        return False
    expires = _integer(found.get(EXPIRES, "0") or "0")
    if expires is not None and expires < now:
        return True
    if found.get(HOST) != socket.gethostname():
        return False
    pid = found.get(PID, "")
    owner = _integer(pid) if pid.isdigit() else None
    return owner is not None and not _pid_alive(owner)


def _integer(label: str) -> int | None:
    """A label's integer; None for one int() cannot read ("never", "1e400", 5,000 digits):
    such a label tells nothing, so it keeps the resource rather than stopping the reap."""
    try:
        return int(label)
    except ValueError:
        return None


def remove_labelled(
    seam: DockerSeam,
    keep: Callable[[Mapping[str, str]], bool],
    run_id: str | None = None,
    kinds: tuple[str, ...] = ("container", "image"),
) -> list[str]:
    """Remove containers before images; returns 'kind id' of what was removed."""
    found = seam.list_labelled(RUN_ID, run_id)
    removed: list[str] = []
    for kind in kinds:
        ids = [i for k, i, found_labels in found if k == kind and not keep(found_labels)]
        remove = seam.remove_container if kind == "container" else seam.remove_image
        _each_in_parallel(remove, ids)
        removed += [f"{kind} {item_id}" for item_id in ids]
    return removed


def _each_in_parallel(remove: Callable[[str], None], ids: list[str]) -> None:
    """Removals wait on the engine (a container's stop), not on us: a thread each. Every
    removal runs even when one fails; the first failure is raised afterwards."""
    if not ids:
        return
    with ThreadPoolExecutor(max_workers=min(len(ids), MAX_REMOVALS)) as pool:
        futures = [pool.submit(remove, item_id) for item_id in ids]
    for future in futures:
        future.result()


def reap(seam: DockerSeam, now: float, *, live_run: str | None = None, everything: bool = False) -> list[str]:
    """Remove stale leftovers (or, with everything=True, all labelled resources)."""
    if everything:
        return remove_labelled(seam, lambda _labels: False)
    return remove_labelled(seam, lambda found: not is_stale(found, now, live_run))


def cleanup_run(seam: DockerSeam, run_id: str, scenario: str | None = None) -> list[str]:
    """Everything of one run, or the containers of one scenario (the run's images serve
    every scenario and go when the run ends). Idempotent."""
    if scenario is None:
        return remove_labelled(seam, lambda _labels: False, run_id)
    return remove_labelled(seam, lambda found: found.get(SCENARIO) != scenario, run_id, kinds=("container",))
