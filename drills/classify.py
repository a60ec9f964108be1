"""The playbook's incident classification, as pure rules over collected evidence.

Treat as AOT-specific and eligible for fallback when at least one is true:
1. crash envelopes show `fatal: class=...` with reproducible AOT-only failure behaviour;
2. an AOT startup/health regression breaches the SLO while JIT-native remains healthy;
3. a platform-specific linker/runtime issue impacts the produced AOT binary.
"JIT-native remains healthy" is what a shadow native deployment showed. A fault that
breaks both backends is not AOT-specific, whatever the rules say: no fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drills.watch import Incident

LINKER_RE = re.compile(
    r"error while loading shared libraries|cannot open shared object file|exec format error"
    r"|no such file or directory|cannot execute binary file|symbol lookup error",
    re.IGNORECASE,
)
LINKER_EXIT_CODES = (126, 127)


@dataclass(frozen=True, kw_only=True)
class Classification:
    fallback: bool
    rules: tuple[int, ...]
    native_healthy: bool
    reasons: tuple[str, ...]


def rule_fatal(incident: Incident, native_healthy: bool) -> str | None:
    if incident.fatal_lines and native_healthy:
        return f"rule 1: fatal envelope from the AOT binary ({incident.fatal_lines[-1][:160]})"
    return None


def rule_regression(incident: Incident, native_healthy: bool) -> str | None:
    if native_healthy:
        code = f" exit code {incident.exit_code}" if incident.exit_code is not None else ""
        return f"rule 2: AOT {incident.kind}{code} while JIT-native stays healthy"
    return None


def rule_linker(incident: Incident) -> str | None:
    text = f"{incident.error}\n{incident.log_tail}"
    match = LINKER_RE.search(text)
    if match:
        return f"rule 3: linker/runtime failure of the AOT binary ({match.group(0)})"
    if incident.exit_code in LINKER_EXIT_CODES:
        return f"rule 3: the AOT binary could not be executed (exit code {incident.exit_code})"
    return None


def classify(incident: Incident | None, native_healthy: bool) -> Classification:
    """Which rules hold; fallback only for an AOT-specific incident with healthy JIT-native."""
    if incident is None:
        return Classification(
            fallback=False,
            rules=(),
            native_healthy=native_healthy,
            reasons=("no incident detected: nothing to classify",),
        )
    found = [
        (1, rule_fatal(incident, native_healthy)),
        (2, rule_regression(incident, native_healthy)),
        (3, rule_linker(incident)),
    ]
    hits = [(n, why) for n, why in found if why is not None]
    if not native_healthy:
        why = "JIT-native is unhealthy too: not AOT-specific, no fallback"
        return Classification(
            fallback=False,
            rules=tuple(n for n, _ in hits),
            native_healthy=False,
            reasons=(why, *[w for _, w in hits]),
        )
    return Classification(
        fallback=bool(hits),
        rules=tuple(n for n, _ in hits),
        native_healthy=True,
        reasons=tuple(w for _, w in hits),
    )
