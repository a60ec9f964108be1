"""Preserve diagnostics: one evidence folder per drill, as the playbook asks.

The failing AOT binary, its `FUSE_AOT_BUILD_INFO=1` output, the fatal lines with pid and
build metadata, and for every container the drill started: inspect data and logs.

A folder holds one run's evidence only: a run starts each scenario's folder with only its
run id in it (run-id.txt) and moves an earlier run's aside to `<scenario>.<its run id>`
(never deletes it: it may be the only copy of an incident's diagnostics), as the journal
is rotated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from drills.engine.images import AOT_NAME
from drills.playbook.kit import Kit, Step, deploy
from drills.records.evidence_location import RUN_FILE, RUN_ID_RE
from drills.records.journal import aside
from harness.errors import HarnessError, InfraError
from harness.formats import find_fatals
from harness.results import Outcome

if TYPE_CHECKING:
    from drills.playbook.deploy import Deployment

AOT_PATH = f"/app/{AOT_NAME}"
BUILD_INFO_WAIT_S = 5.0


def start_fresh(k: Kit) -> None:
    """This run's folder for the scenario, naming the run (RUN_FILE) from the start, so a run
    that stops or is killed before its diagnostics still leaves a folder a later run moves
    aside under its run id; an earlier run's folder is moved aside first."""
    folder = k.evidence_dir / k.scenario.name
    if folder.exists():
        _set_aside(k, folder)
    k.act("evidence-start", folder=str(folder), run_id=k.run_id)
    try:
        folder.mkdir(parents=True)
        _write(folder, RUN_FILE, f"{k.run_id}\n")
    except OSError as exc:
        raise InfraError(
            f"{folder}: cannot create the evidence folder ({exc.strerror}); choose a writable --out"
        ) from exc


def _set_aside(k: Kit, folder: Path) -> None:
    kept = aside(folder, _owner(folder))
    k.act("evidence-aside", folder=str(folder), to=str(kept))
    try:
        folder.rename(kept)
    except OSError as exc:
        raise InfraError(
            f"{folder}: cannot move an earlier run's evidence aside to {kept.name} "
            f"({exc.strerror}); move or remove it, then rerun"
        ) from exc


def _owner(folder: Path) -> str:
    """The run id the folder names (RUN_FILE), else its modification time."""
    try:
        found = (folder / RUN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        found = ""
    return found if RUN_ID_RE.fullmatch(found) else str(int(folder.stat().st_mtime))


def _write(folder: Path, name: str, data: bytes | str) -> str:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return name


def _containers(k: Kit, folder: Path) -> list[str]:
    """Inspect data and logs of the latest container of every role the drill started."""
    kept = []
    for dep in k.deployments.latest():
        raw = k.seam.inspect_raw(dep.container_id)
        kept.append(_write(folder, f"{dep.role}.inspect.json", json.dumps(raw, indent=2, default=str)))
        kept.append(_write(folder, f"{dep.role}.log", k.seam.logs(dep.container_id)))
    return kept


def _fatals(k: Kit, candidate: Deployment, folder: Path) -> tuple[str, int]:
    envelopes = find_fatals(k.seam.logs(candidate.container_id))
    rows = [
        {"class": e.klass, "pid": e.pid, "message": e.message, "line": e.line, "build": e.build_info.__dict__}
        for e in envelopes
    ]
    return _write(folder, "fatal-lines.json", json.dumps(rows, indent=2)), len(rows)


def _build_info(k: Kit, candidate: Deployment, folder: Path) -> str:
    """Run the failing AOT image once with FUSE_AOT_BUILD_INFO=1 and keep what it prints.

    Once per image and run: tags are content-addressed, so an image's build info cannot
    change, and the scenarios that share an image share its output (a timeout is not kept).
    """
    raw = k.seam.inspect_raw(candidate.container_id)
    image = str(raw.get("Config", {}).get("Image", candidate.image))
    text = k.build_info.get(image)
    if text is None:
        cid = deploy(k, "fault-helper", image, env={"FUSE_AOT_BUILD_INFO": "1"}).container_id
        info = k.seam.wait_exit(cid, k.deadline.clip(BUILD_INFO_WAIT_S))
        text = f"# exit code {info.exit_code if info else 'timeout'}\n{k.seam.logs(cid)}"
        if info is not None:
            k.build_info[image] = text
    else:
        k.act("build-info-cached", image=image)
    return _write(folder, "build-info.txt", text)


def preserve(k: Kit) -> Step:
    """Keep the evidence of the containers in `k.deployments` (not of a stage: a phase that
    stopped midway leaves the containers it started on record there too)."""
    candidate = k.deployments.get("candidate-aot")
    if candidate is None:
        return Step(outcome=Outcome.SKIPPED, summary="no AOT deployment to keep evidence of")
    folder = k.evidence_dir / k.scenario.name
    k.act("preserve", folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)  # made at preflight; recovery-gates/ may be there
    kept = [_write(folder, RUN_FILE, f"{k.run_id}\n"), *_containers(k, folder)]
    name, count = _fatals(k, candidate, folder)
    kept.append(name)
    try:
        kept.append(_write(folder, AOT_NAME, k.seam.get_file(candidate.container_id, AOT_PATH)))
        kept.append(_build_info(k, candidate, folder))
    except HarnessError as exc:  # a container that never started has no file to copy
        kept.append(_write(folder, "binary-unavailable.txt", f"{exc}\n"))
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{len(kept)} files in {folder} ({count} fatal lines)",
        data={"folder": str(folder), "files": kept},
    )
