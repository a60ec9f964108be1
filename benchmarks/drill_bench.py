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

With `--jobs N` it runs the suite with `--jobs 1` and with `--jobs N` instead, `--repeat`
times each (default 3), interleaved, and shows the median wall-time ratio (target <= 0.6 for
N=2), how many cores the machine was busy on average in each (the engine's daemons and the
services included), and per scenario the medians of the detection and restore times (target:
within 20 %, or within 50 ms for figures a probe interval of 100 ms cannot resolve more
finely): parallel scenarios must not absorb each other's waits. Some figures are noisy even
between sequential runs (a rollout whose AOT fails to start is seen when the engine has
cleaned the failed start up: about 10 ms or about 150 ms), so the table also says whether the
parallel median lies inside the sequential runs' own spread.

Usage: python benchmarks/drill_bench.py [--out DIR] [--jobs N [--repeat R]]
"""

from __future__ import annotations

import argparse
import json
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

from drills.records.events import Action, PhaseFinished, RunStarted, Sample, ScenarioStarted  # noqa: E402
from drills.records.journal import Event, EventKind, Journal, read  # noqa: E402

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


def run_suite(out: Path, *extra: str) -> tuple[float, float, int]:
    """(wall s, harness CPU s, exit code) of one `drill run --suite standard`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(DRILL),
            "run",
            "--suite",
            "standard",
            "--out",
            str(out),
            "--lock-file",
            str(out / "lock"),
            *extra,
        ],
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
        journal.record(EventKind.SAMPLE, scenario="bench", ok=True, latency_ms=1.0 + i)
    journal.close()
    return (time.perf_counter() - start) / records


def container_starts(mine: list[Event]) -> list[float]:
    """deploy -> deployed per container; paired by role, since the shadow starts in the
    background and its events interleave with the rollout's."""
    asked: dict[str, float] = {}
    took = []
    for act in (Action.of(e) for e in mine if e.kind == EventKind.ACTION):
        if act.action == "deploy":
            asked[act.role] = act.t
        elif act.action == "deployed" and act.role in asked:
            took.append(act.t - asked.pop(act.role))
    return took


def service_start(mine: list[Event]) -> float:
    """The candidate's first healthy answer after it was started, before any fault."""
    deployed = next(e.t for e in mine if e.kind == EventKind.ACTION and Action.of(e).action == "deployed")
    samples = (Sample.of(e) for e in mine if e.kind == EventKind.SAMPLE)
    ready = next(s.t for s in samples if s.phase == "ready" and s.ok)
    return ready - deployed


def row(events: list[Event], name: str) -> Row:
    mine = [e for e in events if e.scenario == name]
    start = next(e for e in mine if e.kind == "scenario.started")
    end = next(e for e in mine if e.kind == "scenario.finished")
    phases = (PhaseFinished.of(e) for e in mine if e.kind == EventKind.PHASE_FINISHED)
    data = next(p for p in phases if p.phase == "detect").data
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

    return load(Path(ScenarioStarted.of(started).origin)).probing.interval_s * 1000


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


def figures(out: Path) -> dict[str, tuple[float | None, float | None]]:
    """scenario -> (detection s, restore s) as the run's report.json has them."""
    doc = json.loads((out / "report.json").read_text())
    return {n: (r.get("detect_s"), r.get("restore_s")) for n, r in doc["drill"]["scenarios"].items()}


def close(a: float | None, b: float | None) -> bool:
    """Within 20 % (or 50 ms); measured in one run only is a difference too."""
    if a is None or b is None:
        return a is None and b is None
    return abs(b - a) <= max(0.2 * a, 0.05)


def busy_cores() -> float | None:
    """CPU seconds the whole machine has spent busy so far (every process: the engine's
    daemons and the services too, not only the harness); None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, kw_only=True)
class Run:
    wall_s: float
    busy: float | None  # mean busy cores over the run
    code: int
    figures: dict[str, tuple[float | None, float | None]]


def one_run(out: Path, jobs: int) -> Run:
    before = busy_cores()
    wall, _cpu, code = run_suite(out, "--jobs", str(jobs))
    after = busy_cores()
    busy = None if before is None or after is None else (after - before) / wall
    return Run(wall_s=wall, busy=busy, code=code, figures=figures(out))


def _median(values: list[float | None]) -> float | None:
    """The median of the runs that measured it; None when any did not (a difference too)."""
    return None if not values or None in values else statistics.median(v for v in values if v is not None)


def _spread(values: list[float | None]) -> tuple[float, float] | None:
    got = [v for v in values if v is not None]
    return (min(got), max(got)) if got and len(got) == len(values) else None


def _same(seq: list[float | None], par: list[float | None]) -> tuple[bool, bool]:
    """(medians within 20 % or 50 ms, parallel median inside the sequential runs' own range)."""
    m1, m_n = _median(seq), _median(par)
    span = _spread(seq)
    inside = m_n is not None and span is not None and span[0] <= m_n <= span[1]
    return close(m1, m_n), inside or (m1 is None and m_n is None)


def _cell(values: list[float | None]) -> str:
    m = _median(values)
    return "-" if m is None else f"{m:.3f}"


def compare_jobs(out: Path, jobs: int, repeat: int) -> int:
    """The suite with --jobs 1 and --jobs N, `repeat` times each, interleaved (so a change
    in the machine's load falls on both): median wall ratio, per scenario the medians of
    detection and restore time, and whether the parallel median is within 20 % (or 50 ms)
    of the sequential one or inside the sequential runs' own spread."""
    seq: list[Run] = []
    par: list[Run] = []
    for i in range(repeat):
        seq.append(one_run(out / f"jobs1-{i}", 1))
        par.append(one_run(out / f"jobs{jobs}-{i}", jobs))
    print(
        f"{'scenario':<16} {'detect 1':>9} {f'detect {jobs}':>9} {'restore 1':>9} "
        f"{f'restore {jobs}':>9} {'20 %':>5} {'spread':>7}"
    )
    within = inside = 0
    names = list(seq[0].figures)
    for name in names:
        col = [[r.figures.get(name, (None, None))[k] for r in runs] for k in (0, 1) for runs in (seq, par)]
        d_close, d_in = _same(col[0], col[1])
        r_close, r_in = _same(col[2], col[3])
        ok20, ok_spread = d_close and r_close, (d_close or d_in) and (r_close or r_in)
        within += ok20
        inside += ok_spread
        print(
            f"{name:<16} {_cell(col[0]):>9} {_cell(col[1]):>9} {_cell(col[2]):>9} {_cell(col[3]):>9} "
            f"{'yes' if ok20 else 'NO':>5} {'yes' if ok_spread else 'NO':>7}"
        )
    wall1 = statistics.median(r.wall_s for r in seq)
    wall_n = statistics.median(r.wall_s for r in par)
    ratio = wall_n / wall1
    busy = [statistics.mean(r.busy for r in runs if r.busy is not None) for runs in (seq, par)]
    codes = sorted({r.code for r in (*seq, *par)})
    print(
        f"\nwall (median of {repeat}): --jobs 1 {wall1:.1f} s, --jobs {jobs} {wall_n:.1f} s, ratio "
        f"{ratio:.2f} (target <= 0.6); busy cores (of {os.cpu_count()}): {busy[0]:.2f} and {busy[1]:.2f}\n"
        f"{within} of {len(names)} scenarios within 20 % (or 50 ms) of the sequential medians; "
        f"{inside} of {len(names)} within that or inside the sequential runs' own spread; "
        f"exit codes {codes}"
    )
    return 0 if codes == [0] and ratio <= 0.6 and inside == len(names) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the run's outputs here")
    parser.add_argument("--jobs", type=int, default=1, help="compare --jobs 1 with --jobs N")
    parser.add_argument("--repeat", type=int, default=3, help="with --jobs: runs of each, interleaved")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="drill-bench-"))
    try:
        if args.jobs > 1:
            return compare_jobs(out, args.jobs, args.repeat)
        wall, cpu, code = run_suite(out)
        events = read(out / "journal.jsonl")
        names = list(RunStarted.of(events[0]).scenarios)
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
