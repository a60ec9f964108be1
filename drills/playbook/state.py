"""What a drill learned, stage by stage. A phase that a later one depends on returns the
next stage: a frozen record of all the stage before it knew, and what the phase found.
The types read as the flow (drills/playbook/drill.py runs it):

    preflight      -> Prepared     the images, the fault's plan
    deploy         -> Deployed     the candidate AOT deployment
    steady-state   -> Steady       its steady-state load
    inject         -> Injected     when injection began and when the fault took effect
                                   (a rollout also replaces the candidate)
    detect         -> Detected     the incident, if any, and the JIT-native shadow's start
    classify       -> Classified   the decision
    fallback       -> FellBack     the fallback deployment

contain, verify and recover-to-aot learn nothing a later phase reads: they return a Step
only. Whether the drill fell back is the playbook's own record (the fallback phase ran).
What every exit path needs whatever a phase managed to return, the live containers, is not
here but in the drill's tools (`drills.playbook.deploy.Deployments`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

    from drills.engine.images import ImageSet
    from drills.faults.catalogue import FaultPlan
    from drills.playbook.classify import Classification
    from drills.playbook.deploy import Deployment
    from drills.playbook.watch import Incident, Stats


@dataclass(frozen=True, kw_only=True)
class Prepared:
    images: ImageSet
    plan: FaultPlan


@dataclass(frozen=True, kw_only=True)
class Deployed(Prepared):
    candidate: Deployment  # the candidate AOT now serving (or meant to)


@dataclass(frozen=True, kw_only=True)
class Steady(Deployed):
    steady: Stats  # what recovery is judged against


@dataclass(frozen=True, kw_only=True)
class Injected(Steady):
    injected_at: float  # injection started: what time to restore counts from
    active_at: float  # the fault in effect: what detection latency counts from


@dataclass(frozen=True, kw_only=True)
class Detected(Injected):
    incident: Incident | None
    shadow: Future[Deployment] | None  # the JIT-native shadow's start, begun with detection


@dataclass(frozen=True, kw_only=True)
class Classified(Detected):
    decision: Classification


@dataclass(frozen=True, kw_only=True)
class FellBack(Classified):
    fallback: Deployment


S = TypeVar("S", bound=Prepared)


def grow(stage: type[S], before: Prepared, **learned: Any) -> S:
    """The next stage: what `before` knew, with what a phase learned (which may replace a
    fact, as a rollout replaces the candidate)."""
    known = {f.name: getattr(before, f.name) for f in dataclasses.fields(before)}
    return stage(**{**known, **learned})
