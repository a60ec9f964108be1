"""The playbook's incident classification, as pure rules over collected evidence.

Treat as AOT-specific and eligible for fallback when at least one is true:
1. crash envelopes show `fatal: class=...` with reproducible AOT-only failure behaviour;
2. an AOT startup/health regression breaches the SLO while JIT-native remains healthy;
3. a platform-specific linker/runtime issue impacts the produced AOT binary.

Each rule looks at its own evidence only: rule 1 at the fatal envelopes the AOT printed
(build info `mode=aot`), rule 2 at the service level (health probes failing or slower than
the probe timeout, or the service gone with a failure exit or an OOM kill; a clean exit 0
is a shutdown, not a breach) and at the JIT-native shadow, rule 3 at loader and exec
failures in the AOT's log or the engine's start error, matched line by line.
"JIT-native remains healthy" is what a shadow native deployment showed. A fault that
breaks both backends is not AOT-specific, whatever the rules say: no fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drills.playbook.watch import Incident
from harness.formats import parse_fatal

# What a dynamic loader or the kernel's exec says about a binary it cannot run, one whole
# line each: an app's own "No such file or directory" is not a linker failure.
LOADER_LINES = (
    # glibc ld.so: `<binary>: error while loading shared libraries: <lib>: <reason>`
    re.compile(r"^\S+: error while loading shared libraries: \S+: .+$"),
    re.compile(r"^\S+: symbol lookup error: \S+: undefined symbol: \S+$"),
    re.compile(r"^\S+: \S+: version `[^']+' not found \(required by \S+\)$"),
    # musl's loader
    re.compile(r"^Error loading shared library \S+: .+ \(needed by \S+\)$"),
    re.compile(r"^Error relocating \S+: \S+: symbol not found$"),
    # the container runtime's exec, as it writes it to the container's log
    re.compile(r"^exec \S+: (?:exec format error|no such file or directory)$"),
)
# The engine's start error (State.Error) when exec of the entrypoint fails.
ENGINE_EXEC_RE = re.compile(r'exec: "[^"]+": (?:stat \S+: )?(?:exec format error|no such file or directory)')


@dataclass(frozen=True, kw_only=True)
class Classification:
    fallback: bool
    rules: tuple[int, ...]  # the rules whose evidence held
    native_healthy: bool
    reasons: tuple[str, ...]  # per rule that held: "rule N: <evidence>"


def rule_fatal(incident: Incident) -> str | None:
    """Rule 1: a fatal envelope printed by the AOT binary (its build info says mode=aot)."""
    for line in reversed(incident.fatal_lines):
        envelope = parse_fatal(line)
        if envelope is not None and envelope.build_info.mode == "aot":
            what = f"class={envelope.klass} pid={envelope.pid} message={envelope.message}"
            return f"rule 1: fatal envelope from the AOT binary ({what[:160]})"
    return None


def slo_breach(incident: Incident) -> str | None:
    """What of the incident breaches the service level, or None (a clean exit 0)."""
    if incident.kind == "unhealthy":
        failed = incident.details.get("consecutive_failures", "several")
        slow = incident.details.get("slower_than_slo", 0)
        if slow:
            slo = incident.details.get("latency_slo_ms")
            return (
                f"{failed} health probes in a row failed or breached the SLO "
                f"({slow} answered slower than the {slo:g} ms latency SLO)"
            )
        return f"{failed} health probes in a row failed or exceeded the probe timeout"
    if incident.kind == "oom":
        return "the AOT was OOM-killed and stopped serving"
    if incident.exit_code == 0:
        return None
    code = "unknown" if incident.exit_code is None else str(incident.exit_code)
    return f"the AOT exited (exit code {code}) and stopped serving"


def rule_regression(incident: Incident, native_healthy: bool) -> str | None:
    """Rule 2: an SLO breach of the AOT while the JIT-native shadow stays healthy."""
    breach = slo_breach(incident)
    if breach is None or not native_healthy:
        return None
    return f"rule 2: {breach}, while JIT-native stays healthy"


def rule_linker(incident: Incident) -> str | None:
    """Rule 3: the dynamic loader or exec could not run the AOT binary."""
    for line in incident.log_tail.splitlines():
        if any(pattern.match(line.strip()) for pattern in LOADER_LINES):
            return f"rule 3: linker/runtime failure of the AOT binary ({line.strip()[:160]})"
    match = ENGINE_EXEC_RE.search(incident.error)
    if match:
        return f"rule 3: the engine could not execute the AOT binary ({match.group(0)[:160]})"
    return None


def classify(incident: Incident | None, native_healthy: bool) -> Classification:
    """Which rules hold; fallback only when one holds and JIT-native stays healthy."""
    if incident is None:
        return Classification(
            fallback=False,
            rules=(),
            native_healthy=native_healthy,
            reasons=("no incident detected: nothing to classify",),
        )
    found = [
        (1, rule_fatal(incident)),
        (2, rule_regression(incident, native_healthy)),
        (3, rule_linker(incident)),
    ]
    hits = [(n, why) for n, why in found if why is not None]
    reasons = [why for _, why in hits]
    if not native_healthy:
        reasons.insert(0, "JIT-native is unhealthy too: not AOT-specific, no fallback")
    elif not hits:
        reasons.append(f"no rule holds for the AOT {incident.kind} (exit code {incident.exit_code})")
    return Classification(
        fallback=native_healthy and bool(hits),
        rules=tuple(n for n, _ in hits),
        native_healthy=native_healthy,
        reasons=tuple(reasons),
    )
