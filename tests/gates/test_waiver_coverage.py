"""When a live waiver that covered nothing counts as unused (W002): only when this run
checked its check on every release its scope names."""

from __future__ import annotations

from datetime import date

import pytest

from gates import waivers
from gates.contract import Waiver
from gates.source import ReleaseRef

LINE = tuple(ReleaseRef(tag=t, location=t) for t in ("v0.7.0", "v0.7.1", "v0.8.0"))
TODAY = date(2026, 5, 1)


def waiver(check: str, scope: str) -> Waiver:
    return Waiver(
        id=f"{check}@{scope}", check=check, scope=scope, reason="r", approver="a", expires=date(2026, 12, 31)
    )


def coverage(*checked: tuple[str, str]) -> waivers.Coverage:
    return waivers.Coverage(releases=LINE, checked=frozenset(checked), runnable=frozenset({"P002", "R001"}))


def unused(w: Waiver, cov: waivers.Coverage) -> bool:
    return bool(waivers.unused((w,), set(), TODAY, "c.yaml", cov))


# `gate check --release v0.7.1`: the per-release checks ran on v0.7.1, R001 on the whole line
ONE_TAG = coverage(("P002", "v0.7.1"), ("R001", "v0.7.0"), ("R001", "v0.7.1"))


@pytest.mark.parametrize(
    ("check", "scope", "expected"),
    [
        ("P002", "v0.7.1/windows-x64", True),  # its one release was checked
        ("P002", "v0.7.x/windows-x64", False),  # v0.7.0 was not: it may still cover a finding there
        ("R001", "v0.7.x/windows-x64", True),  # retention ran on every release of the line
        ("P002", "*", False),
        ("P002", "v0.6.x", False),  # names no release this source has
        ("P02", "v0.7.1", True),  # a check the gate never runs covers nothing, ever
        ("P02", "v0.8.0", False),  # ... but is judged only with its releases
    ],
)
def test_unused_only_when_the_whole_scope_was_checked(check: str, scope: str, expected: bool) -> None:
    assert unused(waiver(check, scope), ONE_TAG) is expected


def test_a_check_that_could_not_evaluate_leaves_its_waivers_alone() -> None:
    # runner.py leaves (check, tag) pairs whose result is an error out of `checked`
    assert not unused(waiver("P002", "v0.7.1"), coverage(("R001", "v0.7.1")))
