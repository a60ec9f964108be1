"""Drill rules at their boundaries: the last envelope, the streak length, the failure count.
Each test here fails on a plausible one-line bug (named in its docstring) that the rest of
the suite let through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from drills.engine.containers import ContainerInfo
from drills.playbook import watch
from drills.playbook.classify import classify, rule_fatal, rule_linker
from drills.playbook.deadline import Deadline, DeadlineExceeded
from drills.playbook.probes import Sample
from drills.playbook.verdict import PhaseOutcome, decide
from drills.playbook.watch import Incident, Watcher
from drills.records.journal import Journal
from drills.scenario.model import Probing
from fixtures.fake_engine import FATAL, FakeClock
from harness.results import Outcome
from tests.drills.conftest import standard


def test_rule_1_reports_the_last_envelope_the_aot_printed() -> None:
    """Bug: rule 1 reporting the first AOT envelope (a restarted service prints several)."""
    lines = (
        FATAL.format(msg="first crash").replace("pid=1", "pid=7"),
        FATAL.format(msg="last crash").replace("pid=1", "pid=9"),
        FATAL.format(msg="native crash").replace("mode=aot", "mode=native"),  # not the AOT's
    )
    why = rule_fatal(Incident(kind="exit", at=0.0, exit_code=1, fatal_lines=lines))
    assert why == (
        "rule 1: fatal envelope from the AOT binary (class=runtime_fatal pid=9 message=last crash)"
    )


def test_each_rules_evidence_is_cut_at_160_characters() -> None:
    message = "m" * 300
    fatal = Incident(kind="exit", at=0.0, exit_code=1, fatal_lines=(FATAL.format(msg=message),))
    what = f"class=runtime_fatal pid=1 message={message}"[:160]
    assert rule_fatal(fatal) == f"rule 1: fatal envelope from the AOT binary ({what})"
    loader = "/app/fuse-aot-demo: error while loading shared libraries: libfuse_rt.so: " + "y" * 300
    linked = Incident(kind="exit", at=0.0, exit_code=127, log_tail=f"starting\n{loader}\n")
    assert rule_linker(linked) == f"rule 3: linker/runtime failure of the AOT binary ({loader[:160]})"
    error = 'exec: "/app/' + "p" * 300 + '": exec format error'
    engine = Incident(kind="exit", at=0.0, exit_code=None, error=f"OCI runtime create failed: {error}")
    assert rule_linker(engine) == f"rule 3: the engine could not execute the AOT binary ({error[:160]})"


def test_with_native_unhealthy_its_reason_comes_first_before_every_rule() -> None:
    both = Incident(
        kind="exit",
        at=0.0,
        exit_code=1,
        fatal_lines=(FATAL.format(msg="boom"),),
        log_tail="exec /app/fuse-aot-demo: exec format error\n",
    )
    result = classify(both, native_healthy=False)
    assert (result.fallback, result.rules) == (False, (1, 3))
    assert result.reasons[0] == "JIT-native is unhealthy too: not AOT-specific, no fallback"
    assert [r[:7] for r in result.reasons[1:]] == ["rule 1:", "rule 3:"]


class Seam:
    """The seam calls the watcher makes, for a container that keeps running (waits move the
    fake clock)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.status, self.exit_code, self.oom_killed, self.log = "running", None, False, ""

    def inspect(self, container_id: str) -> ContainerInfo:
        return ContainerInfo(
            id=container_id,
            name="aot",
            status=self.status,
            exit_code=self.exit_code,
            oom_killed=self.oom_killed,
            restart_count=0,
            host_port=8080,
            labels={},
        )

    def logs(self, container_id: str) -> str:
        return self.log

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        self.clock.sleep(timeout_s)
        return None


def watcher(
    tmp_path: Path, answers: list[bool], latencies: list[float | None] | None = None, **probing: object
) -> tuple[Watcher, list[bool]]:
    """A watcher whose probes answer `answers` in turn (then healthy), each after its latency
    in `latencies` (else 5 ms), on a fake clock; returns it and the answers given so far."""
    clock, given = FakeClock(), []
    script: Iterator[bool] = iter(answers)
    slow: Iterator[float | None] = iter(latencies or [])

    def probe(port: int, path: str, timeout_s: float) -> Sample:
        ok = next(script, True)
        given.append(ok)
        return Sample(ok=ok, status=200 if ok else 503, latency_ms=next(slow, 5.0), error=None, t=clock())

    base = replace(standard("crash"), load_requests=4)
    scenario = replace(base, probing=Probing(interval_s=0.25, **probing))  # type: ignore[arg-type]
    journal = Journal(tmp_path / "journal.jsonl", clock)
    w = Watcher(
        seam=Seam(clock), probe=probe, clock=clock, sleep=clock.sleep, journal=journal, scenario=scenario
    )  # type: ignore[arg-type]
    return w, given


def test_the_healthy_streak_is_exactly_successes_probes_in_a_row(tmp_path: Path) -> None:
    """Bug: the streak needing one probe more than `successes`."""
    w, given = watcher(tmp_path, [True, True, False, True, True, True, False], successes=3)
    streak = watch.healthy_streak(w, "cid", 8080, w.clock() + 10, "fallback", "verify")
    assert streak is not None and [s.ok for s in streak] == [True, True, True]
    assert given == [True, True, False, True, True, True]  # stops at the third healthy answer


class CountingSeam(Seam):
    """Counts the engine's waits; the container exits at `exit_at` (if given)."""

    def __init__(self, clock: FakeClock, exit_at: float | None = None) -> None:
        super().__init__(clock)
        self.waits, self.exit_at = 0, exit_at

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        self.waits += 1
        if self.exit_at is not None and self.clock() >= self.exit_at:
            self.status = "exited"
            return self.inspect(container_id)
        return super().wait_exit(container_id, timeout_s)


def test_a_streak_asks_the_engine_only_after_a_failed_probe(tmp_path: Path) -> None:
    """Bug: a wait on the engine after every healthy answer, so a busy engine (another
    scenario starting its containers) stretched a streak's 0.1 s pauses to 0.5 s and the
    restore time with them."""
    w, given = watcher(tmp_path, [True, True, False, True, True, True], successes=3)
    counting = replace(w, seam=CountingSeam(w.clock))  # type: ignore[arg-type]
    start = w.clock()
    streak = watch.healthy_streak(counting, "cid", 8080, start + 10, "fallback", "verify")
    assert streak is not None and len(given) == 6
    assert counting.seam.waits == 1  # type: ignore[attr-defined]
    assert w.clock() - start == pytest.approx(5 * 0.25)  # the pace is the same either way


def test_an_exit_during_a_streak_ends_it_at_the_next_failed_probe(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [True, True, False], successes=5)
    exiting = replace(w, seam=CountingSeam(w.clock, exit_at=w.clock() + 0.3))  # type: ignore[arg-type]
    assert watch.healthy_streak(exiting, "cid", 8080, w.clock() + 10, "fallback", "verify") is None
    assert given == [True, True, False] and exiting.seam.waits == 1  # type: ignore[attr-defined]


def test_no_healthy_streak_before_the_deadline_is_none(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [True, False] * 20, successes=2)
    start = w.clock()
    assert watch.healthy_in_a_row(w, "cid", 8080, start + 1.0, "fallback", "verify") is None
    assert len(given) == 4  # one probe per 0.25 s interval until the deadline


def test_healthy_in_a_row_is_the_time_the_streak_completed(tmp_path: Path) -> None:
    w, _ = watcher(tmp_path, [False, True, True], successes=2)
    start = w.clock()
    done = watch.healthy_in_a_row(w, "cid", 8080, start + 10, "fallback", "verify")
    assert done == start + 0.5  # two pauses: after the failure, after the first ok


@pytest.mark.parametrize(("failures", "probes"), [(1, 3), (3, 5)])
def test_detection_fires_on_exactly_failures_failed_probes_in_a_row(
    tmp_path: Path, failures: int, probes: int
) -> None:
    w, given = watcher(tmp_path, [True, True] + [False] * 10, failures=failures)
    incident = watch.detect(w, "cid", 8080, w.clock() + 10)
    assert incident is not None and incident.kind == "unhealthy"
    assert incident.details == {"consecutive_failures": failures}
    assert len(given) == probes


def test_load_counts_errors_and_takes_percentiles_of_the_answers_that_served(tmp_path: Path) -> None:
    w, _ = watcher(tmp_path, [True, False, True, True], latencies=[30.0, 100.0, 10.0, 20.0])
    stats = watch.load(w, 8080, "verify", "fallback")
    assert (stats.requests, stats.errors, stats.p50_ms, stats.p95_ms) == (4, 1, 20.0, 30.0)
    assert stats.as_data() == {"requests": 4, "errors": 1, "p50_ms": 20.0, "p95_ms": 30.0, "error_rate": 0.25}


def test_a_stopped_run_ends_the_watch_before_the_next_probe(tmp_path: Path) -> None:
    """With scenarios in parallel, one that ends the run stops the others' probing."""
    w, given = watcher(tmp_path, [True] * 10, successes=3)
    deadline = Deadline(clock=w.clock, at=w.clock() + 100)
    stopping = replace(w, deadline=deadline)
    assert stopping.sample(8080, "/health", "fallback", "verify").ok and given == [True]
    deadline.stop(DeadlineExceeded("another scenario ended the run"))
    with pytest.raises(DeadlineExceeded, match="another scenario ended the run"):
        watch.healthy_streak(stopping, "cid", 8080, w.clock() + 10, "fallback", "verify")
    assert given == [True]  # no probe after the stop


def test_stats_are_rounded_for_the_reports() -> None:
    stats = watch.Stats(requests=3, errors=1, p50_ms=1.23456, p95_ms=9.87654)
    assert stats.as_data() == {
        "requests": 3,
        "errors": 1,
        "p50_ms": 1.23,
        "p95_ms": 9.88,
        "error_rate": 0.3333,
    }
    assert watch.Stats(requests=0, errors=0, p50_ms=0, p95_ms=0).error_rate == 0.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, 0.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),
        ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0),
        ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0),
    ],
)
def test_percentile_is_the_nearest_rank_of_the_sorted_values(
    values: list[float], q: float, expected: float
) -> None:
    assert watch.percentile(values, q) == expected


def test_the_health_p95_leaves_out_answers_without_a_latency() -> None:
    streak = [Sample(ok=True, status=200, latency_ms=ms, error=None, t=0.0) for ms in (None, 7.0, 3.0)]
    assert watch.health_p95_ms(streak) == 7.0


def test_an_exit_is_an_incident_with_the_fatal_envelopes_and_the_last_20_log_lines(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [])
    fatal = FATAL.format(msg="boom")
    w.seam.status, w.seam.exit_code = "exited", 70  # type: ignore[attr-defined]
    w.seam.log = "\n".join(f"line {i}" for i in range(30)) + f"\n{fatal}\n"  # type: ignore[attr-defined]
    incident = watch.detect(w, "cid", 8080, w.clock() + 10)
    assert incident is not None and (incident.kind, incident.exit_code) == ("exit", 70)
    assert incident.fatal_lines == (fatal,)
    assert incident.log_tail.splitlines() == [f"line {i}" for i in range(11, 30)] + [fatal]
    assert given == []  # no probe for a container that is already gone
    w.seam.oom_killed = True  # type: ignore[attr-defined]
    assert watch.incident_from_exit(w, "cid").kind == "oom"


def test_answers_slower_than_the_latency_slo_are_failed_probes(tmp_path: Path) -> None:
    """200 ms against a 0.2 s SLO is in time (it resets the count); 200.1 ms is a failed probe."""
    answers = [True, True, True, True, False, True]
    latencies = [250.0, 199.9, 200.0, 200.1, 1.0, 300.0]
    w, given = watcher(tmp_path, answers, latencies=latencies, failures=3, latency_slo_s=0.2)
    incident = watch.detect(w, "cid", 8080, w.clock() + 10)
    assert len(given) == 6
    assert incident is not None and incident.kind == "unhealthy"
    assert incident.details == {"consecutive_failures": 3, "slower_than_slo": 2, "latency_slo_ms": 200.0}


@pytest.mark.parametrize(
    "answers", [[False] * 3, [True, True, False, False, False]], ids=["at-once", "after-ok"]
)
def test_failed_probes_with_a_latency_slo_set_are_not_called_slow(
    tmp_path: Path, answers: list[bool]
) -> None:
    """A slow answer before an answer in time is forgotten, as the failures before it are."""
    w, given = watcher(tmp_path, answers, latencies=[250.0, 5.0], failures=3, latency_slo_s=0.2)
    incident = watch.detect(w, "cid", 8080, w.clock() + 10)
    assert incident is not None and incident.details == {"consecutive_failures": 3}
    assert len(given) == len(answers)


class BusySeam(Seam):
    """An engine that takes 0.2 s to answer an inspect (it is restarting the container)."""

    inspects = 0

    def inspect(self, container_id: str) -> ContainerInfo:
        self.inspects += 1
        self.clock.sleep(0.2)
        return super().inspect(container_id)


def test_detection_asks_the_engine_once_then_sees_exits_in_its_waits(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [False] * 10, failures=3)
    busy = replace(w, seam=BusySeam(w.clock))  # type: ignore[arg-type]
    start = w.clock()
    incident = watch.detect(busy, "cid", 8080, start + 10)
    assert incident is not None and incident.kind == "unhealthy" and len(given) == 3
    assert busy.seam.inspects == 1  # type: ignore[attr-defined]
    assert incident.at - start == pytest.approx(0.2 + 2 * 0.25)  # one inspect, two waits


class SlowDiagnostics(Seam):
    """An engine that takes 0.6 s to hand over the logs and 0.3 s for an inspect once the
    container has exited (it is restarting a crash-looping one); the wait sees the exit."""

    def __init__(self, clock: FakeClock, exit_after_s: float | None) -> None:
        super().__init__(clock)
        self.exit_at = None if exit_after_s is None else clock() + exit_after_s

    def wait_exit(self, container_id: str, timeout_s: float) -> ContainerInfo | None:
        if self.exit_at is not None and self.clock() + timeout_s >= self.exit_at:
            self.clock.sleep(max(0.0, self.exit_at - self.clock()))
            self.status, self.exit_code = "exited", 1
            return ContainerInfo(
                id=container_id,
                name="aot",
                status="exited",
                exit_code=1,
                oom_killed=False,
                restart_count=0,
                host_port=8080,
                labels={},
            )
        return super().wait_exit(container_id, timeout_s)

    def inspect(self, container_id: str) -> ContainerInfo:
        if self.status == "exited":
            self.clock.sleep(0.3)
        return super().inspect(container_id)

    def logs(self, container_id: str) -> str:
        self.clock.sleep(0.6)
        return super().logs(container_id)


@pytest.mark.parametrize(("exit_after_s", "kind", "seen_s"), [(None, "unhealthy", 0.5), (0.1, "exit", 0.1)])
def test_an_incidents_time_is_when_it_was_seen_not_when_its_diagnostics_were_read(
    tmp_path: Path, exit_after_s: float | None, kind: str, seen_s: float
) -> None:
    """Bug: the incident stamped after its logs were read, so a busy engine's slow answers
    counted as detection time (crash-loop's detection moved by up to 0.6 s between runs)."""
    w, _ = watcher(tmp_path, [False] * 10, failures=3)
    slow = replace(w, seam=SlowDiagnostics(w.clock, exit_after_s))  # type: ignore[arg-type]
    start = w.clock()
    incident = watch.detect(slow, "cid", 8080, start + 10)
    assert incident is not None and incident.kind == kind
    assert incident.at - start == pytest.approx(seen_s)  # unhealthy: three probes, two waits
    assert w.clock() - incident.at > 0.59  # the logs were still read, after


def test_detection_of_a_container_already_gone_starts_nothing(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [])
    w.seam.status, w.seam.exit_code = "exited", 137  # type: ignore[attr-defined]
    started: list[bool] = []
    incident = watch.detect(w, "cid", 8080, w.clock() + 10, on_running=lambda: started.append(True))
    assert incident is not None and (incident.kind, incident.exit_code) == ("exit", 137)
    assert given == [] and started == []
    # and a window already over looks at nothing
    assert watch.detect(w, "cid", 8080, w.clock()) is None


def test_detection_probes_until_the_deadline_and_not_at_it(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [])
    assert watch.detect(w, "cid", 8080, w.clock() + 1.0) is None
    assert len(given) == 4  # at 0, 0.25, 0.5 and 0.75 s


def test_without_a_port_every_detection_probe_fails(tmp_path: Path) -> None:
    w, given = watcher(tmp_path, [], failures=2)
    incident = watch.detect(w, "cid", None, w.clock() + 10)
    assert incident is not None and incident.details == {"consecutive_failures": 2}
    assert given == [] and watch.wait_ready(w, "cid", None, w.clock() + 10, "fallback") is None


def phases(*pairs: tuple[str, Outcome]) -> list[PhaseOutcome]:
    return [PhaseOutcome(phase=p, outcome=o, summary=f"{p} went {o.value}") for p, o in pairs]


TWO_ERRORS = phases(("detect", Outcome.ERROR), ("contain", Outcome.PASSED), ("fallback", Outcome.ERROR))
TWO_FAILURES = phases(("detect", Outcome.FAILED), ("classify", Outcome.PASSED), ("verify", Outcome.FAILED))


@pytest.mark.parametrize(
    ("done", "fell_back", "reason"),
    [
        (TWO_ERRORS, True, "detect: detect went error"),
        (TWO_FAILURES, False, "the expected fallback did not happen (detect: detect went failed)"),
        (TWO_FAILURES, True, "detect: detect went failed"),
    ],
)
def test_the_verdict_names_the_first_phase_that_went_wrong(
    done: list[PhaseOutcome], fell_back: bool, reason: str
) -> None:
    v = decide(done, fell_back=fell_back, expect_fallback=True, expected=Outcome.PASSED)
    assert (v.reason, v.on_target) == (reason, True)


def test_a_verdict_other_than_the_expected_failure_is_reported_as_found() -> None:
    """Only an expected-red control that did go red is judged for being on target."""
    passed = phases(("detect", Outcome.PASSED), ("fallback", Outcome.PASSED), ("verify", Outcome.PASSED))
    v = decide(passed, fell_back=True, expect_fallback=True, expected=Outcome.FAILED)
    assert (v.verdict, v.reason, v.on_target) == (
        Outcome.PASSED,
        "fell back and recovered within budget",
        True,
    )
    failed = phases(("detect", Outcome.FAILED))
    v = decide(failed, fell_back=False, expect_fallback=True, expected=Outcome.PASSED)
    assert v.reason == "the expected fallback did not happen (detect: detect went failed)" and v.on_target
