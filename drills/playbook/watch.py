"""Watching a deployment: readiness, health in a row, a light load, incident detection.

Waiting is done with `wait_exit(container, interval)`, which the engine answers the moment
the container exits: a crash is seen when it happens, not at the next probe. Probes cover
what an exit cannot show (a hang, a slow start, an unhealthy answer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drills.playbook.probes import Probe, Sample, until_healthy
from drills.records.journal import EventKind
from harness.formats import find_fatals

if TYPE_CHECKING:
    from drills.engine.containers import DockerSeam
    from drills.playbook.deadline import Deadline
    from drills.records.journal import Journal
    from drills.scenario.model import Scenario


@dataclass(frozen=True, kw_only=True)
class Watcher:
    seam: DockerSeam
    probe: Probe
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    journal: Journal
    scenario: Scenario
    deadline: Deadline | None = None  # a run that stops (drill run --jobs) ends waits at the next probe

    def sample(self, port: int, path: str, phase: str, role: str) -> Sample:
        if self.deadline is not None:
            self.deadline.halted()
        s = self.probe(port, path, self.scenario.probing.timeout_s)
        self.journal.record(
            EventKind.SAMPLE,
            scenario=self.scenario.name,
            phase=phase,
            role=role,
            ok=s.ok,
            latency_ms=s.latency_ms,
            error=s.error,
        )
        return s

    def pause(self, container_id: str) -> bool:
        """Wait one probe interval; True when the container exited meanwhile."""
        return self.seam.wait_exit(container_id, self.scenario.probing.interval_s) is not None

    def rest(self) -> None:
        """Wait one probe interval after a healthy answer, without asking the engine: the
        container has just answered, and a streak's pace is then the service's, not how
        fast a busy engine answers (an exit during it fails the next probe)."""
        self.sleep(self.scenario.probing.interval_s)


@dataclass(frozen=True, kw_only=True)
class Stats:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def as_data(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "error_rate": round(self.error_rate, 4),
        }


@dataclass(frozen=True, kw_only=True)
class Incident:
    kind: str  # exit, oom, unhealthy
    at: float
    exit_code: int | None = None
    error: str = ""
    fatal_lines: tuple[str, ...] = ()
    log_tail: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_ready(w: Watcher, cid: str, port: int | None, until: float, role: str) -> float | None:
    """The time of the first healthy answer, or None (exited, or not by `until`)."""
    if port is None:
        return None
    return until_healthy(
        lambda: w.sample(port, w.scenario.health_path, "ready", role), until, w.clock, lambda: w.pause(cid)
    )


def healthy_in_a_row(w: Watcher, cid: str, port: int, until: float, role: str, phase: str) -> float | None:
    """The time when `successes` consecutive probes answered healthy, or None."""
    return None if healthy_streak(w, cid, port, until, role, phase) is None else w.clock()


def healthy_streak(
    w: Watcher, cid: str, port: int, until: float, role: str, phase: str
) -> list[Sample] | None:
    """The first `successes` consecutive healthy answers of the health path, or None."""
    streak: list[Sample] = []
    while w.clock() < until:
        sample = w.sample(port, w.scenario.health_path, phase, role)
        streak = [*streak, sample] if sample.ok else []
        if len(streak) >= w.scenario.probing.successes:
            return streak
        if sample.ok:
            w.rest()
        elif w.pause(cid):
            return None
    return None


def health_p95_ms(streak: list[Sample]) -> float:
    """The p95 latency of health answers (what the latency SLO judges)."""
    return percentile([s.latency_ms for s in streak if s.latency_ms is not None], 0.95)


def load(w: Watcher, port: int, phase: str, role: str) -> Stats:
    """A light, bounded request load: `load.requests` sequential requests."""
    samples = [w.sample(port, w.scenario.load_path, phase, role) for _ in range(w.scenario.load_requests)]
    latencies = [s.latency_ms for s in samples if s.ok and s.latency_ms is not None]
    return Stats(
        requests=len(samples),
        errors=sum(1 for s in samples if not s.ok),
        p50_ms=percentile(latencies, 0.5),
        p95_ms=percentile(latencies, 0.95),
    )


def nothing() -> None:
    return None


def _tail(log: str, lines: int = 20) -> str:
    return "\n".join(log.splitlines()[-lines:])


def incident_from_exit(w: Watcher, cid: str) -> Incident:
    """The exit just seen, timed now: its diagnostics are read after."""
    at = w.clock()
    info = w.seam.inspect(cid)
    log = w.seam.logs(cid)
    fatals = tuple(env.line for env in find_fatals(log))
    kind = "oom" if info.oom_killed else "exit"
    return Incident(
        kind=kind,
        at=at,
        exit_code=info.exit_code,
        error=info.error,
        fatal_lines=fatals,
        log_tail=_tail(log),
    )


def _judge(w: Watcher, port: int | None) -> str:
    """One detection probe: ok, slow (answered, but slower than the latency SLO) or failed."""
    if port is None:
        return "failed"
    s = w.sample(port, w.scenario.health_path, "detect", "candidate-aot")
    if not s.ok:
        return "failed"
    slo = w.scenario.probing.latency_slo_s
    too_slow = slo is not None and s.latency_ms is not None and s.latency_ms > slo * 1000
    return "slow" if too_slow else "ok"


def _unhealthy(w: Watcher, cid: str, failures: int, slow: int) -> Incident:
    at = w.clock()  # the deciding probe has failed: reading the logs is not part of detecting
    log = w.seam.logs(cid)
    details: dict[str, Any] = {"consecutive_failures": failures}
    slo = w.scenario.probing.latency_slo_s
    if slow and slo is not None:
        details |= {"slower_than_slo": slow, "latency_slo_ms": slo * 1000}
    return Incident(
        kind="unhealthy",
        at=at,
        fatal_lines=tuple(e.line for e in find_fatals(log)),
        log_tail=_tail(log),
        details=details,
    )


def detect(
    w: Watcher, cid: str, port: int | None, until: float, on_running: Callable[[], None] = lambda: None
) -> Incident | None:
    """Watch until an exit or `failures` failed probes in a row; None if healthy until `until`.
    A probe fails when it errs, times out, or answers slower than the latency SLO (if set).

    `on_running` runs once, when the first look finds the container still running: work
    started there does not slow the report of a container that is already gone.

    The engine is asked once whether the container still runs; after that the waits between
    probes (the engine's wait, which returns at an exit) see an exit. An inspect before each
    probe blocked while the engine restarted a crash-looping container, about 150 ms a
    probe, more with other scenarios' containers starting.

    An incident's time is when the harness saw it (the exit, the deciding probe); reading
    the container's state and logs for the report comes after, and can take as long again
    while the engine restarts a crash-looping container."""
    if w.clock() >= until:
        return None
    if w.seam.inspect(cid).status == "exited":
        return incident_from_exit(w, cid)
    on_running()
    failures, slow = 0, 0
    while True:
        verdict = _judge(w, port)
        failures = 0 if verdict == "ok" else failures + 1
        slow = 0 if verdict == "ok" else slow + (verdict == "slow")
        if failures >= w.scenario.probing.failures:
            return _unhealthy(w, cid, failures, slow)
        if w.pause(cid):
            return incident_from_exit(w, cid)
        if w.clock() >= until:
            return None
