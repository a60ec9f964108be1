"""Runner tests on the behavioural fake: a whole drill runs in microseconds of fake time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from drills import journal, outputs
from drills.runner import RunOptions, Tools, run
from drills.scenario import SUITES, load
from drills.testing import FAULTS, FakeDocker, image_builder, standard_behaviours


@pytest.fixture
def fake() -> FakeDocker:
    return standard_behaviours(FakeDocker())


def tools_for(fake: FakeDocker, *, previous: bool = True) -> Tools:
    return Tools(seam=fake, build_images=image_builder(fake, previous=previous),
                 probe=fake.probe, faults=FAULTS, clock=fake.clock)


def standard(name: str, **changes: object):
    return replace(load(SUITES["standard"] / f"{name}.yaml"), **changes)


def drill(fake: FakeDocker, tmp_path: Path, *scenarios, **opts: object):
    """Run scenarios on the fake; returns (report, events)."""
    path = run(tools_for(fake), list(scenarios), RunOptions(out_dir=tmp_path, **opts))
    events = journal.read(path)
    return outputs.report(events), events


def verdict_of(report, name: str):
    return next(r for r in report.results if r.scope == name and r.check == "drill.verdict")


def phase_of(report, name: str, phase: str):
    return next(r for r in report.results if r.scope == name and r.check == f"drill.{phase}")
