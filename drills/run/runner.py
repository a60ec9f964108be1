"""The playbook runner: one drill per scenario (drills/playbook/drill.py) under the run's lock,
journal, deadline and signal handlers, with stale leftovers reaped first and the run's
resources removed on every exit path.

`run` takes its seams as `Tools` (drills/playbook/kit.py), so unit tests pass
`fixtures.fake_engine.FakeDocker` and the CLI passes the real engine. The journal is the
only output of a run: reports are derived from it (drills/records/outputs.py), exactly as
`drill report JOURNAL` derives them later.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drills.engine.reap import cleanup_run, reap
from drills.playbook.deadline import Deadline, DeadlineExceeded
from drills.playbook.drill import run_scenario
from drills.playbook.kit import ImageBuilder, Tools
from drills.playbook.signals import Interrupted, Signals
from drills.records.journal import Event, EventKind, Journal, rotate
from drills.run import parallel
from drills.run.lock import run_lock

if TYPE_CHECKING:
    from drills.scenario.model import Scenario

__all__ = ["ImageBuilder", "RunOptions", "Tools", "new_run_id", "run", "run_scenario"]


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    out_dir: Path
    deadline_s: float = 600.0
    run_id: str = ""
    lock_file: Path | None = None
    reap_first: bool = True
    on_event: Callable[[Event], None] | None = None  # live progress (drills/records/progress.py)
    jobs: int = 1  # scenarios run at once (drills/run/parallel.py)
    shard: str = ""  # K/N when this run is one shard of a suite (drills/scenario/shard.py)
    suite: tuple[str, ...] = ()  # every scenario of the whole suite, when sharded
    commit: str = ""  # the commit the drill tests ($GITHUB_SHA), for `drill merge`


def new_run_id() -> str:
    return uuid.uuid4().hex[:10]


def run(tools: Tools, scenarios: list[Scenario], opts: RunOptions) -> Path:
    """Run every scenario under the lock, the deadline and the signal handlers;
    returns the journal path. Raises Interrupted after cleanup on SIGINT/SIGTERM."""
    run_id = opts.run_id or new_run_id()
    lock = opts.lock_file or opts.out_dir / "drill.lock"
    deadline = Deadline(clock=tools.clock, at=tools.clock() + opts.deadline_s)
    signals = Signals()
    # the lock first: a refused second run must not touch the live run's journal
    with run_lock(lock):
        journal = Journal(
            rotate(opts.out_dir / "journal.jsonl", tools.clock()),
            tools.clock,
            on_event=opts.on_event,
            run_id=run_id,
            pid=os.getpid(),
            scenarios=[s.name for s in scenarios],
            deadline_s=opts.deadline_s,
            shard=opts.shard,
            suite=list(opts.suite),
            commit=opts.commit,
        )
        try:
            with signals.installed():
                _run_all(tools, scenarios, journal, run_id, deadline, signals, opts)
        finally:
            journal.close()
    return journal.path


def _run_all(
    tools: Tools,
    scenarios: list[Scenario],
    journal: Journal,
    run_id: str,
    deadline: Deadline,
    signals: Signals,
    opts: RunOptions,
) -> None:
    status = "finished"
    build_info: dict[str, str] = {}
    try:
        if opts.reap_first:
            journal.record(EventKind.ACTION, action="reap-stale")
            reaped = reap(tools.seam, tools.clock(), live_run=run_id)
            journal.record(EventKind.REAPED, removed=reaped)

        def one(scenario: Scenario) -> None:
            run_scenario(tools, scenario, journal, run_id, deadline, signals, opts.out_dir, build_info)

        try:
            if opts.jobs > 1:
                parallel.run_all(one, scenarios, opts.jobs, deadline, signals)
            else:
                for scenario in scenarios:
                    one(scenario)
        except DeadlineExceeded as exc:
            journal.record(EventKind.RUN_NOTE, note=str(exc))
            status = "deadline"
    except Interrupted as exc:
        status = "interrupted"
        journal.record_or_keep(EventKind.RUN_NOTE, note=str(exc))
        raise
    except Exception as exc:
        status = "error"
        journal.record_or_keep(EventKind.RUN_NOTE, note=f"the run stopped: {type(exc).__name__}: {exc}")
        raise
    finally:
        with signals.shield():
            _cleanup_run(tools, journal, run_id, status, signals)


def _cleanup_run(tools: Tools, journal: Journal, run_id: str, status: str, signals: Signals) -> None:
    """Remove the run's resources whatever the journal does: its writes here are best-effort,
    and one that failed (on this path or a scenario's) is raised once removal is done."""
    removed: list[str] = []
    journal.record_or_keep(EventKind.ACTION, action="cleanup-run", run_id=run_id)
    try:
        removed = cleanup_run(tools.seam, run_id)
    except Exception:
        status = "error"
        raise
    finally:
        status = "interrupted" if signals.pending else status
        # a write that failed earlier is named here, so a journal with a gap says why
        lost = {} if journal.failed is None else {"journal_error": str(journal.failed)}
        journal.record_or_keep(EventKind.RUN_FINISHED, status=status, removed=removed, **lost)
    journal.raise_failed()
