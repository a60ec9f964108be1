"""The playbook after detection: classify, contain, fall back, verify, recover to AOT."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from drills.playbook import watch
from drills.playbook.classify import classify
from drills.playbook.phases import READY_S, Drill, Step, deploy, deploy_planned
from harness.formats import find_fatals
from harness.results import Finding, Outcome


def _healthy(d: Drill, role: str, budget_s: float, phase: str) -> float | None:
    cid, port = d.containers[role], d.ports[role]
    until = d.until(budget_s)
    if watch.wait_ready(d.watcher, cid, port, until, role) is None or port is None:
        return None
    return watch.healthy_in_a_row(d.watcher, cid, port, until, role, phase)


def classify_incident(d: Drill) -> Step:
    """Shadow-deploy JIT-native to learn whether it stays healthy, then apply the rules."""
    assert d.images is not None and d.plan is not None
    s = d.scenario
    native_ok = True
    if d.incident is not None:
        if d.shadow is None:  # an incident without a fault (the `none` control)
            deploy_planned(d, "shadow-native", d.images.fallback_native)
        else:
            d.shadow.result()
        native_ok = _healthy(d, "shadow-native", READY_S, "classify") is not None
    d.decision = classify(d.incident, native_ok)
    data = {
        "fallback": d.decision.fallback,
        "rules": list(d.decision.rules),
        "native_healthy": native_ok,
        "reasons": list(d.decision.reasons),
    }
    verdict = "AOT-specific: fall back" if d.decision.fallback else "no fallback"
    ok = d.decision.fallback == s.expect_fallback
    findings = (
        ()
        if ok
        else (
            Finding(
                subject=s.name,
                message="classification disagrees with the scenario",
                expected="fallback" if s.expect_fallback else "no fallback",
                actual=verdict,
            ),
        )
    )
    return Step(
        outcome=Outcome.PASSED if ok else Outcome.FAILED,
        summary=f"{verdict}; " + "; ".join(d.decision.reasons),
        findings=findings,
        data=data,
    )


def contain(d: Drill) -> Step:
    """Previous known-good AOT, verified; if it fails too, the playbook goes on."""
    assert d.images is not None and d.incident is not None
    if d.images.previous_aot is None:
        return Step(outcome=Outcome.SKIPPED, summary="no previous known-good AOT configured")
    start = d.clock()
    deploy(d, "previous-aot", d.images.previous_aot)
    healthy_at = _healthy(d, "previous-aot", d.scenario.budgets.contain_s, "contain")
    if healthy_at is None:
        # the playbook goes on to the fallback, so this does not fail the drill; WAIVED
        # keeps it visible in every report
        info = d.seam.inspect(d.containers["previous-aot"])
        return Step(
            outcome=Outcome.WAIVED,
            summary=f"containment failed (non-fatal): the "
            f"previous AOT was not healthy within the {d.scenario.budgets.contain_s} s "
            f"containment budget (status {info.status}, exit code {info.exit_code}); "
            "going on to the fallback",
            data={"contained": False, "status": info.status, "exit_code": info.exit_code},
        )
    took = healthy_at - start
    return Step(
        outcome=Outcome.PASSED,
        summary=f"contained on the previous AOT in {took * 1000:.0f} ms",
        data={"contained": True, "contain_s": round(took, 4)},
    )


def fall_back(d: Drill) -> Step:
    """Redeploy from the CLI artifact: `fuse run --manifest-path <pkg> --backend native`.

    The fallback gets its own recovery budget from its deploy, whatever containment used
    up: one that answers late is too slow but works; only one that exits or never answers
    healthy is broken (`data["broken"]`, what the broken-fallback control must see)."""
    assert d.images is not None and d.injected_at is not None
    s = d.scenario
    d.fell_back = True
    cid = deploy_planned(d, "fallback-native", d.images.fallback_native)
    until = d.until(s.budgets.recover_s)
    ready = watch.wait_ready(d.watcher, cid, d.ports["fallback-native"], until, "fallback-native")
    if ready is None:
        return _fallback_broken(d, cid)
    took = ready - d.injected_at
    data = {"ready_s": round(took, 4), "broken": False}
    if took > s.budgets.recover_s:
        return _fallback_failed(
            d,
            f"the fallback answered {took * 1000:.0f} ms after the fault, over the "
            f"{s.budgets.recover_s} s recovery budget: fallback path too slow",
            f"healthy {took:.2f} s after the fault",
            data,
        )
    d.fallback_ready_at = ready
    return Step(
        outcome=Outcome.PASSED, summary=f"JIT-native answered {took * 1000:.0f} ms after the fault", data=data
    )


def _fallback_broken(d: Drill, cid: str) -> Step:
    """The fallback exited, or never answered healthy within its own budget."""
    info = d.seam.inspect(cid)
    tail = "\n".join(d.seam.logs(cid).splitlines()[-5:])
    how = "" if info.status == "exited" else " (it never answered healthy)"
    return _fallback_failed(
        d,
        f"the fallback was not healthy within the {d.scenario.budgets.recover_s} s recovery "
        f"budget (status {info.status}, exit code {info.exit_code}): fallback path broken{how}",
        f"{info.status} {info.error} {tail}".strip(),
        {"broken": True, "status": info.status, "exit_code": info.exit_code},
    )


def _fallback_failed(d: Drill, summary: str, actual: str, data: Mapping[str, object]) -> Step:
    s = d.scenario
    return Step(
        outcome=Outcome.FAILED,
        summary=summary,
        findings=(
            Finding(
                subject=s.name,
                message="fallback deployment not healthy",
                expected=f"healthy within {s.budgets.recover_s} s of the fault",
                actual=actual,
            ),
        ),
        data=data,
    )


def _tolerance_findings(d: Drill, stats: watch.Stats) -> list[Finding]:
    s, base = d.scenario, d.steady
    assert base is not None
    limit = base.p95_ms * s.tolerance.latency_factor + s.tolerance.latency_slack_ms
    out = []
    if stats.p95_ms > limit:
        out.append(
            Finding(
                subject=s.name,
                message="latency not back within tolerance",
                expected=f"p95 <= {limit:.1f} ms",
                actual=f"p95 {stats.p95_ms:.1f} ms",
            )
        )
    if stats.error_rate > s.tolerance.error_rate:
        out.append(
            Finding(
                subject=s.name,
                message="error rate not back within tolerance",
                expected=f"<= {s.tolerance.error_rate:.1%}",
                actual=f"{stats.error_rate:.1%}",
            )
        )
    return out


def verify(d: Drill, role: str) -> Step:
    """Health N in a row, latency and errors within tolerance, a quiet period without fatals.

    `data["broken"]`: the deployment exited on the way (the fallback itself is broken)."""
    assert d.injected_at is not None
    s = d.scenario
    cid, port = d.containers[role], d.ports[role]
    left = s.budgets.recover_s - (d.clock() - d.injected_at)
    at = (
        watch.healthy_in_a_row(d.watcher, cid, port, d.until(left), role, "verify")
        if port is not None
        else None
    )
    if at is None or port is None:
        return Step(
            outcome=Outcome.FAILED,
            summary=f"{role}: not {s.probing.successes} healthy "
            f"probes in a row within the {s.budgets.recover_s} s recovery budget",
            data={"broken": d.seam.inspect(cid).status == "exited"},
        )
    stats = watch.load(d.watcher, port, "verify", role)
    findings, exited = _quiet_period(d, role, cid)
    findings = _tolerance_findings(d, stats) + findings
    restore = at - d.injected_at
    data = {**stats.as_data(), "time_to_restore_s": round(restore, 4), "broken": exited}
    if findings:
        return Step(outcome=Outcome.FAILED, summary=findings[0].line(), findings=tuple(findings), data=data)
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{role} restored {restore * 1000:.0f} ms after "
        f"the fault; p95 {stats.p95_ms:.1f} ms; quiet {s.quiet_s:.1f} s",
        data=data,
    )


def _quiet_period(d: Drill, role: str, cid: str) -> tuple[list[Finding], bool]:
    """Findings of the quiet period (new fatal envelopes, an exit), and whether it exited."""
    s = d.scenario
    before = len(find_fatals(d.seam.logs(cid)))
    exited = d.seam.wait_exit(cid, d.deadline.clip(s.quiet_s))
    findings = [
        Finding(subject=s.name, message="new fatal envelope in the quiet period", actual=f.line)
        for f in find_fatals(d.seam.logs(cid))[before:]
    ]
    if exited is not None:
        who = "fallback" if role == "fallback-native" else role
        findings.append(
            Finding(
                subject=s.name,
                message=f"{who} exited during the quiet period",
                expected=f"running for {s.quiet_s:.1f} s",
                actual=f"exit code {exited.exit_code}",
            )
        )
    return findings, exited is not None


def _gates_failed(d: Drill) -> Step | None:
    """Rerun the recovery gates when the scenario names a checkout; a Step if they failed."""
    gates = d.scenario.recovery_gates
    if gates is None:
        return None
    report_dir = d.evidence_dir / d.scenario.name / "recovery-gates"
    d.deadline.check("the recovery gates")
    # never past the run-wide deadline; a run cut short by it is the deadline's error
    gates = replace(gates, timeout_s=d.deadline.clip(gates.timeout_s))
    d.act(
        "recovery-gates",
        checkout=str(gates.checkout),
        report_dir=str(report_dir),
        timeout_s=gates.timeout_s,
    )
    run = d.run_gates(gates, report_dir)
    if run.exit_code == 0:
        return None
    how = "timed out" if run.exit_code is None else f"exit {run.exit_code}"
    return Step(
        outcome=Outcome.FAILED,
        summary=f"recovery gates did not pass (gate recover "
        f"{how}: {run.last_line}); staying on JIT-native, see {report_dir}",
        data={"gates_exit_code": run.exit_code, "report_dir": str(report_dir)},
    )


def recover_to_aot(d: Drill) -> Step:
    """Recovery gates (when configured), then redeploy the (fixed) candidate AOT and verify."""
    assert d.images is not None
    failed = _gates_failed(d)
    if failed is not None:
        return failed
    gates = "recovery gates passed; " if d.scenario.recovery_gates else ""
    deploy(d, "candidate-aot", d.images.candidate_aot)
    if _healthy(d, "candidate-aot", d.scenario.budgets.recover_s, "recover") is None:
        return Step(outcome=Outcome.FAILED, summary=f"{gates}the AOT redeploy did not become healthy")
    return Step(outcome=Outcome.PASSED, summary=f"{gates}back on AOT and healthy")
