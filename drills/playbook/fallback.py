"""The playbook after detection: classify, contain, fall back, verify, recover to AOT.
Like drills/playbook/phases.py, each phase takes the drill's `Kit` and the stage it comes
after; classify and fallback return the next stage with their Step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from drills.playbook import watch
from drills.playbook.classify import classify
from drills.playbook.kit import Kit, Step, deploy, deploy_planned
from drills.playbook.phases import READY_S
from drills.playbook.state import Classified, Detected, FellBack, Injected, grow
from harness.formats import find_fatals
from harness.results import Finding, Outcome

if TYPE_CHECKING:
    from drills.playbook.deploy import Deployment


def _healthy(k: Kit, dep: Deployment, budget_s: float, phase: str) -> float | None:
    cid, port, role = dep.container_id, dep.host_port, dep.role
    until = k.until(budget_s)
    if watch.wait_ready(k.watcher, cid, port, until, role) is None or port is None:
        return None
    return watch.healthy_in_a_row(k.watcher, cid, port, until, role, phase)


def classify_incident(k: Kit, d: Detected) -> tuple[Step, Classified]:
    """Shadow-deploy JIT-native to learn whether it stays healthy, then apply the rules."""
    s = k.scenario
    native_ok = True
    if d.incident is not None:
        shadow = (
            deploy_planned(k, d, "shadow-native", d.images.fallback_native)  # the `none` control
            if d.shadow is None
            else d.shadow.result()
        )
        native_ok = _healthy(k, shadow, READY_S, "classify") is not None
    decision = classify(d.incident, native_ok)
    data = {
        "fallback": decision.fallback,
        "rules": list(decision.rules),
        "native_healthy": native_ok,
        "reasons": list(decision.reasons),
    }
    verdict = "AOT-specific: fall back" if decision.fallback else "no fallback"
    ok = decision.fallback == s.expect_fallback
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
        summary=f"{verdict}; " + "; ".join(decision.reasons),
        findings=findings,
        data=data,
    ), grow(Classified, d, decision=decision)


def contain(k: Kit, c: Classified) -> Step:
    """Previous known-good AOT, verified; if it fails too, the playbook goes on."""
    assert c.incident is not None
    if c.images.previous_aot is None:
        return Step(outcome=Outcome.SKIPPED, summary="no previous known-good AOT configured")
    start = k.clock()
    previous = deploy(k, "previous-aot", c.images.previous_aot)
    healthy_at = _healthy(k, previous, k.scenario.budgets.contain_s, "contain")
    if healthy_at is None:
        # the playbook goes on to the fallback, so this does not fail the drill; WAIVED
        # keeps it visible in every report
        info = k.seam.inspect(previous.container_id)
        return Step(
            outcome=Outcome.WAIVED,
            summary=f"containment failed (non-fatal): the "
            f"previous AOT was not healthy within the {k.scenario.budgets.contain_s} s "
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


def fall_back(k: Kit, c: Classified) -> tuple[Step, FellBack]:
    """Redeploy from the CLI artifact: `fuse run --manifest-path <pkg> --backend native`.

    The fallback gets its own recovery budget from its deploy, whatever containment used
    up: one that answers late is too slow but works; only one that exits or never answers
    healthy is broken (`data["broken"]`, what the broken-fallback control must see)."""
    s = k.scenario
    fallback = deploy_planned(k, c, "fallback-native", c.images.fallback_native)
    fallen = grow(FellBack, c, fallback=fallback)
    until = k.until(s.budgets.recover_s)
    ready = watch.wait_ready(k.watcher, fallback.container_id, fallback.host_port, until, "fallback-native")
    if ready is None:
        return _fallback_broken(k, fallback.container_id), fallen
    took = ready - c.injected_at
    data = {"ready_s": round(took, 4), "broken": False}
    if took > s.budgets.recover_s:
        return _fallback_failed(
            k,
            f"the fallback answered {took * 1000:.0f} ms after the fault, over the "
            f"{s.budgets.recover_s} s recovery budget: fallback path too slow",
            f"healthy {took:.2f} s after the fault",
            data,
        ), fallen
    return Step(
        outcome=Outcome.PASSED, summary=f"JIT-native answered {took * 1000:.0f} ms after the fault", data=data
    ), fallen


def _fallback_broken(k: Kit, cid: str) -> Step:
    """The fallback exited, or never answered healthy within its own budget."""
    info = k.seam.inspect(cid)
    tail = "\n".join(k.seam.logs(cid).splitlines()[-5:])
    how = "" if info.status == "exited" else " (it never answered healthy)"
    return _fallback_failed(
        k,
        f"the fallback was not healthy within the {k.scenario.budgets.recover_s} s recovery "
        f"budget (status {info.status}, exit code {info.exit_code}): fallback path broken{how}",
        f"{info.status} {info.error} {tail}".strip(),
        {"broken": True, "status": info.status, "exit_code": info.exit_code},
    )


def _fallback_failed(k: Kit, summary: str, actual: str, data: Mapping[str, object]) -> Step:
    s = k.scenario
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


def _tolerance_findings(k: Kit, base: watch.Stats, stats: watch.Stats) -> list[Finding]:
    s = k.scenario
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


def verify(k: Kit, i: Injected, dep: Deployment) -> Step:
    """Health N in a row, latency and errors within tolerance (against `i.steady`), a quiet
    period without fatals.

    `data["broken"]`: the deployment exited on the way (the fallback itself is broken)."""
    s = k.scenario
    cid, port, role = dep.container_id, dep.host_port, dep.role
    left = s.budgets.recover_s - (k.clock() - i.injected_at)
    at = (
        watch.healthy_in_a_row(k.watcher, cid, port, k.until(left), role, "verify")
        if port is not None
        else None
    )
    if at is None or port is None:
        return Step(
            outcome=Outcome.FAILED,
            summary=f"{role}: not {s.probing.successes} healthy "
            f"probes in a row within the {s.budgets.recover_s} s recovery budget",
            data={"broken": k.seam.inspect(cid).status == "exited"},
        )
    stats = watch.load(k.watcher, port, "verify", role)
    findings, exited = _quiet_period(k, role, cid)
    findings = _tolerance_findings(k, i.steady, stats) + findings
    restore = at - i.injected_at
    data = {**stats.as_data(), "time_to_restore_s": round(restore, 4), "broken": exited}
    if findings:
        return Step(outcome=Outcome.FAILED, summary=findings[0].line(), findings=tuple(findings), data=data)
    return Step(
        outcome=Outcome.PASSED,
        summary=f"{role} restored {restore * 1000:.0f} ms after "
        f"the fault; p95 {stats.p95_ms:.1f} ms; quiet {s.quiet_s:.1f} s",
        data=data,
    )


def _quiet_period(k: Kit, role: str, cid: str) -> tuple[list[Finding], bool]:
    """Findings of the quiet period (new fatal envelopes, an exit), and whether it exited."""
    s = k.scenario
    before = len(find_fatals(k.seam.logs(cid)))
    exited = k.seam.wait_exit(cid, k.deadline.clip(s.quiet_s))
    findings = [
        Finding(subject=s.name, message="new fatal envelope in the quiet period", actual=f.line)
        for f in find_fatals(k.seam.logs(cid))[before:]
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


def _gates_failed(k: Kit) -> Step | None:
    """Rerun the recovery gates when the scenario names a checkout; a Step if they failed."""
    gates = k.scenario.recovery_gates
    if gates is None:
        return None
    report_dir = k.evidence_dir / k.scenario.name / "recovery-gates"
    k.deadline.check("the recovery gates")
    # never past the run-wide deadline; a run cut short by it is the deadline's error
    gates = replace(gates, timeout_s=k.deadline.clip(gates.timeout_s))
    k.act(
        "recovery-gates",
        checkout=str(gates.checkout),
        report_dir=str(report_dir),
        timeout_s=gates.timeout_s,
    )
    run = k.run_gates(gates, report_dir)
    if run.exit_code == 0:
        return None
    how = "timed out" if run.exit_code is None else f"exit {run.exit_code}"
    return Step(
        outcome=Outcome.FAILED,
        summary=f"recovery gates did not pass (gate recover "
        f"{how}: {run.last_line}); staying on JIT-native, see {report_dir}",
        data={"gates_exit_code": run.exit_code, "report_dir": str(report_dir)},
    )


def recover_to_aot(k: Kit, c: Classified) -> Step:
    """Recovery gates (when configured), then redeploy the (fixed) candidate AOT and verify."""
    failed = _gates_failed(k)
    if failed is not None:
        return failed
    gates = "recovery gates passed; " if k.scenario.recovery_gates else ""
    candidate = deploy(k, "candidate-aot", c.images.candidate_aot)
    if _healthy(k, candidate, k.scenario.budgets.recover_s, "recover") is None:
        return Step(outcome=Outcome.FAILED, summary=f"{gates}the AOT redeploy did not become healthy")
    return Step(outcome=Outcome.PASSED, summary=f"{gates}back on AOT and healthy")
