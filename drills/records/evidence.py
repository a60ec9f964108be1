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
import re
from pathlib import Path

from drills.engine.images import AOT_NAME
from drills.playbook.phases import Drill, Step, deploy
from drills.records.journal import aside
from harness.errors import HarnessError, InfraError
from harness.formats import find_fatals
from harness.results import Outcome

AOT_PATH = f"/app/{AOT_NAME}"
BUILD_INFO_WAIT_S = 5.0
RUN_FILE = "run-id.txt"  # the run whose evidence the folder holds
RUN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_fresh(d: Drill) -> None:
    """This run's folder for the scenario, naming the run (RUN_FILE) from the start, so a run
    that stops or is killed before its diagnostics still leaves a folder a later run moves
    aside under its run id; an earlier run's folder is moved aside first."""
    folder = d.evidence_dir / d.scenario.name
    if folder.exists():
        _set_aside(d, folder)
    d.act("evidence-start", folder=str(folder), run_id=d.run_id)
    try:
        folder.mkdir(parents=True)
        _write(folder, RUN_FILE, f"{d.run_id}\n")
    except OSError as exc:
        raise InfraError(
            f"{folder}: cannot create the evidence folder ({exc.strerror}); choose a writable --out"
        ) from exc


def _set_aside(d: Drill, folder: Path) -> None:
    kept = aside(folder, _owner(folder))
    d.act("evidence-aside", folder=str(folder), to=str(kept))
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


def _containers(d: Drill, folder: Path) -> list[str]:
    kept = []
    for role, cid in d.containers.items():
        kept.append(
            _write(folder, f"{role}.inspect.json", json.dumps(d.seam.inspect_raw(cid), indent=2, default=str))
        )
        kept.append(_write(folder, f"{role}.log", d.seam.logs(cid)))
    return kept


def _fatals(d: Drill, folder: Path) -> tuple[str, int]:
    envelopes = find_fatals(d.seam.logs(d.containers["candidate-aot"]))
    rows = [
        {"class": e.klass, "pid": e.pid, "message": e.message, "line": e.line, "build": e.build_info.__dict__}
        for e in envelopes
    ]
    return _write(folder, "fatal-lines.json", json.dumps(rows, indent=2)), len(rows)


def _build_info(d: Drill, folder: Path) -> str:
    """Run the failing AOT image once with FUSE_AOT_BUILD_INFO=1 and keep what it prints.

    Once per image and run: tags are content-addressed, so an image's build info cannot
    change, and the scenarios that share an image share its output (a timeout is not kept).
    """
    assert d.images is not None
    image = str(
        d.seam.inspect_raw(d.containers["candidate-aot"])
        .get("Config", {})
        .get("Image", d.images.candidate_aot)
    )
    text = d.build_info.get(image)
    if text is None:
        cid = deploy(d, "fault-helper", image, env={"FUSE_AOT_BUILD_INFO": "1"})
        info = d.seam.wait_exit(cid, d.deadline.clip(BUILD_INFO_WAIT_S))
        text = f"# exit code {info.exit_code if info else 'timeout'}\n{d.seam.logs(cid)}"
        if info is not None:
            d.build_info[image] = text
    else:
        d.act("build-info-cached", image=image)
    return _write(folder, "build-info.txt", text)


def preserve(d: Drill) -> Step:
    if "candidate-aot" not in d.containers:
        return Step(outcome=Outcome.SKIPPED, summary="no AOT deployment to keep evidence of")
    folder = d.evidence_dir / d.scenario.name
    d.act("preserve", folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)  # made at preflight; recovery-gates/ may be there
    kept = [_write(folder, RUN_FILE, f"{d.run_id}\n"), *_containers(d, folder)]
    name, count = _fatals(d, folder)
    kept.append(name)
    try:
        kept.append(_write(folder, AOT_NAME, d.seam.get_file(d.containers["candidate-aot"], AOT_PATH)))
        kept.append(_build_info(d, folder))
    except HarnessError as exc:  # a container that never started has no file to copy
        kept.append(_write(folder, "binary-unavailable.txt", f"{exc}\n"))
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{len(kept)} files in {folder} ({count} fatal lines)",
        data={"folder": str(folder), "files": kept},
    )
