"""Benchmark: the standard drill suite on the real engine, measured from its own journal.

Runs `drill run --suite standard` once through the installed script and prints, per scenario:
- detection latency (the fault in effect -> the incident seen) next to the probe interval:
  a crash is seen through the engine's wait, not at the next probe;
- container start (the engine's create + start, deploy -> deployed) and service start
  (deployed -> the first healthy answer), the costs a drill cannot avoid;
- the harness's own overhead: its CPU time (user + sys of the drill process, probes' HTTP
  client included) and the journal's fsync'd writes, per scenario, as a ratio to the
  container starts of the scenario's deployments plus the candidate's service start.
Then the suite's wall time (target: about a minute on 2 cores). Ratios, since machines differ.

Usage: python benchmarks/drill_bench.py [--out DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drills.records.journal import Event, Journal, read  # noqa: E402

DRILL = Path(sys.executable).parent / "drill"


@dataclass(frozen=True, kw_only=True)
class Row:
    scenario: str
    detect_ms: float | None
    kind: str
    interval_ms: float
    container_ms: float
    deploys: int
    service_ms: float
    events: int
    wall_s: float


def run_suite(out: Path) -> tuple[float, float, int]:
    """(wall s, harness CPU s, exit code) of one `drill run --suite standard`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(DRILL), "run", "--suite", "standard", "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
    return wall, cpu, done.returncode


def fsync_cost(folder: Path, records: int = 200) -> float:
    """Seconds per journal event on this file system (each one is fsync'd)."""
    journal = Journal(folder / "bench.jsonl", time.time, run_id="bench")
    start = time.perf_counter()
    for i in range(records):
        journal.record("sample", scenario="bench", ok=True, latency_ms=1.0 + i)
    journal.close()
    return (time.perf_counter() - start) / records


def container_starts(mine: list[Event]) -> list[float]:
    """deploy -> deployed per container; paired by role, since the shadow starts in the
    background and its events interleave with the rollout's."""
    asked: dict[str, float] = {}
    took = []
    for e in mine:
        if e.kind == "action" and e.get("action") == "deploy":
            asked[e.get("role")] = e.t
        elif e.kind == "action" and e.get("action") == "deployed" and e.get("role") in asked:
            took.append(e.t - asked.pop(e.get("role")))
    return took


def service_start(mine: list[Event]) -> float:
    """The candidate's first healthy answer after it was started, before any fault."""
    deployed = next(e.t for e in mine if e.kind == "action" and e.get("action") == "deployed")
    ready = next(e.t for e in mine if e.kind == "sample" and e.get("phase") == "ready" and e.get("ok"))
    return ready - deployed


def row(events: list[Event], name: str) -> Row:
    mine = [e for e in events if e.get("scenario") == name]
    start = next(e for e in mine if e.kind == "scenario.started")
    end = next(e for e in mine if e.kind == "scenario.finished")
    detect = next(e for e in mine if e.kind == "phase.finished" and e.get("phase") == "detect")
    data = detect.get("data") or {}
    latency = data.get("latency_s")
    return Row(
        scenario=name,
        detect_ms=None if latency is None else latency * 1000,
        kind=str(data.get("kind") or "-"),
        interval_ms=interval_ms(start),
        container_ms=statistics.median(container_starts(mine)) * 1000,
        deploys=len(container_starts(mine)),
        service_ms=service_start(mine) * 1000,
        events=len(mine),
        wall_s=end.t - start.t,
    )


def interval_ms(started: Event) -> float:
    from drills.scenario.model import load  # noqa: PLC0415

    return load(Path(str(started.get("origin")))).probing.interval_s * 1000


def print_table(rows: list[Row], fsync_s: float, cpu_s: float) -> None:
    cpu_each = cpu_s / len(rows)
    head = (
        f"{'scenario':<16} {'detect ms':>9} {'via':<9} {'probe ms':>8} {'det/probe':>9} "
        f"{'ctr start':>9} {'deploys':>7} {'svc start':>9} {'harness ms':>10} {'overhead':>8} "
        f"{'wall s':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        own = (cpu_each + r.events * fsync_s) * 1000
        base = r.container_ms * r.deploys + r.service_ms
        det = "-" if r.detect_ms is None else f"{r.detect_ms:9.1f}"
        ratio = "-" if r.detect_ms is None else f"{r.detect_ms / r.interval_ms:9.2f}"
        print(
            f"{r.scenario:<16} {det:>9} {r.kind:<9} {r.interval_ms:8.0f} {ratio:>9} "
            f"{r.container_ms:9.0f} {r.deploys:7d} {r.service_ms:9.0f} {own:10.0f} "
            f"{own / base:8.2f} "
            f"{r.wall_s:6.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the run's outputs here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="drill-bench-"))
    try:
        wall, cpu, code = run_suite(out)
        events = read(out / "journal.jsonl")
        names = list(events[0].get("scenarios") or [])
        fsync_s = fsync_cost(out)
        print_table([row(events, n) for n in names], fsync_s, cpu)
        print(
            f"\nstandard suite: {len(names)} scenarios, wall {wall:.1f} s (target ~60 s on "
            f"{os.cpu_count()} cores), exit {code}; harness CPU {cpu:.1f} s "
            f"({cpu / wall:.0%} of wall); journal {len(events)} events, "
            f"{fsync_s * 1000:.2f} ms per fsync'd event"
        )
        print(
            "overhead = (harness CPU per scenario + its journal writes) / (container starts "
            "of its deployments + the candidate's service start); det/probe = detection "
            "latency / probe interval (crash: the engine's wait; hang: probe timeouts)"
        )
        return code
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
