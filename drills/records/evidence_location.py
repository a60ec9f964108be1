"""Where a journal's evidence is now.

A run keeps a scenario's evidence in <evidence>/<scenario>, its run id in run-id.txt there;
a later run moves that folder aside to <scenario>.<run id> (drills/playbook/evidence.py). A report
rebuilt from an earlier run's journal (journal.<t>.jsonl) must point at the folder that holds
*that* run's evidence, not at the later run's: `relocate` finds it and rewrites the paths the
journal's phases recorded. It reads run-id.txt files and changes none.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import Any

from drills.records.events import Action, RunStarted
from drills.records.journal import Event, EventKind, aside_names

RUN_FILE = "run-id.txt"  # in an evidence folder: the run whose evidence the folder holds
RUN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# actions that name a scenario's evidence folder: action -> (field, whether it names a
# sub-folder of it)
NAMED_BY = {"preserve": ("folder", False), "recovery-gates": ("report_dir", True)}


def relocate(events: list[Event], evidence_dir: Path) -> tuple[list[Event], list[str]]:
    """The events, with the evidence paths their phases recorded pointing at the folder in
    `evidence_dir` that holds this run's evidence now; and a note per scenario whose
    evidence is gone (its folder holds another run's, and this run's is not beside it)."""
    run_id = str(RunStarted.of(events[0]).run_id)
    notes: list[str] = []
    for name, journalled in _journalled(events).items():
        folder = evidence_dir / name
        found = _holder(folder, run_id)
        if found is None:
            notes.append(
                f"{name}: {journalled} now holds the evidence of run {_run_of(folder)}, and this "
                f"run's is not beside it ({name}.{run_id} is missing): it was moved or removed"
            )
        elif found != folder:
            events = _rewritten(events, name, journalled, str(Path(journalled).with_name(found.name)))
    return events, notes


def _journalled(events: list[Event]) -> dict[str, str]:
    """Scenario -> its evidence folder as the journal names it (only scenarios it names)."""
    named: dict[str, str] = {}
    for ev in events:
        if ev.kind != EventKind.ACTION or not (act := Action.of(ev)).scenario:
            continue
        name = act.scenario
        field, below = NAMED_BY.get(act.action, ("", False))
        path = act.path(field) if field else None
        if path is not None:
            folder = Path(path).parent if below else Path(path)
            if folder.name == name:
                named.setdefault(name, str(folder))
    return named


def _run_of(folder: Path) -> str:
    """The run id the folder's RUN_FILE names ('' when there is none)."""
    try:
        found = (folder / RUN_FILE).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return found if RUN_ID_RE.fullmatch(found) else ""


def _holder(folder: Path, run_id: str) -> Path | None:
    """The folder that holds run_id's evidence: `folder` when it names that run; else the
    folder it was moved aside to; else `folder` when it names no run (not written yet, or a
    killed run's) or does not exist; None when that run's evidence is gone."""
    owner = _run_of(folder)
    if owner == run_id:
        return folder
    if RUN_ID_RE.fullmatch(run_id):
        for kept in itertools.takewhile(Path.exists, aside_names(folder, run_id)):
            if _run_of(kept) == run_id:
                return kept
    return folder if owner == "" or not folder.exists() else None


def _rewritten(events: list[Event], name: str, old: str, new: str) -> list[Event]:
    """The scenario's phase results with `old` (a whole path or its start) replaced by `new`."""
    pattern = re.compile(re.escape(old) + r"(?![\w.-])")  # not crash-loop for crash

    def moved(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda _match: new, value)
        if isinstance(value, list):
            return [moved(item) for item in value]
        if isinstance(value, dict):
            return {key: moved(item) for key, item in value.items()}
        return value

    return [
        dataclasses.replace(ev, fields=moved(dict(ev.fields)))
        if ev.kind == EventKind.PHASE_FINISHED and ev.scenario == name
        else ev
        for ev in events
    ]
