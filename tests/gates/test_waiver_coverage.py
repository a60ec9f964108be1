"""When a live waiver that covered nothing counts as unused (W002): only when this run
checked its check on every release its scope names, or, for `*`, on every release of at
least one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from drills.standard.releases import write_line
from gates import judging, waivers
from gates.contract import Waiver
from gates.sources.release import ReleaseRef
from tests.gates.conftest import run_gate

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
        ("P002", "*", False),  # no line was checked whole by P002
        ("R001", "*", True),  # ... but by R001: v0.7.x covered nothing
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


# `gate check --release v0.7.x`: every check ran on both releases of the line, not on v0.8.0
WHOLE_LINE = coverage(*((c, t) for c in ("P002", "R001") for t in ("v0.7.0", "v0.7.1")))


@pytest.mark.parametrize(
    ("check", "scope", "expected"),
    [
        ("P002", "*", True),  # covered nothing in a line checked whole: reportable
        ("P002", "*/windows-x64", True),
        ("P02", "*", True),
        ("P002", "v0.7.x", True),
        ("P002", "v0.8.x", False),
        ("P002", "v0.7.1/windows-x64", True),
    ],
)
def test_a_star_waiver_is_judged_by_the_lines_checked_whole(check: str, scope: str, expected: bool) -> None:
    assert unused(waiver(check, scope), WHOLE_LINE) is expected


def test_a_star_waiver_needs_its_own_check_on_the_whole_line() -> None:
    only_retention = coverage(("P002", "v0.7.1"), ("R001", "v0.7.0"), ("R001", "v0.7.1"))
    assert not unused(waiver("P002", "*"), only_retention)
    single_release_line = coverage(("P002", "v0.8.0"))  # `--release v0.8.0`: all of v0.8.x
    assert unused(waiver("P002", "*"), single_release_line)


def test_an_unused_star_waiver_names_the_lines_it_was_judged_by() -> None:
    (found,) = waivers.unused((waiver("P002", "*"),), set(), TODAY, "c.yaml", WHOLE_LINE)
    assert found.message == (
        "waiver for P002 in * covers no finding in v0.7.x, checked whole in this run; "
        "remove it or narrow its scope"
    )


def test_an_unused_star_waiver_fails_a_line_check(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")  # v0.7.0, v0.7.1 and v0.8.0: two lines
    path = tmp_path / "release-contract.yaml"
    path.write_text(
        "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\nwaivers:\n"
        "  - {check: P002, scope: '*', reason: r, approver: a, "
        "expires: '2026-12-31'}\n"
    )
    proc = run_gate(
        "check",
        "--release",
        "v0.7.x",
        "--source",
        str(line),
        "--contract",
        str(path),
        "--as-of",
        "2026-05-01",
    )
    assert proc.returncode == 1, proc.stdout
    assert "failed   W002 waivers:" in proc.stdout
    assert "P002@*: waiver for P002 in * covers no finding in v0.7.x" in proc.stdout


def test_the_releases_a_waiver_may_name_hold_a_draft_only_when_the_run_chose_it() -> None:
    """A draft is no part of its line: a `v0.7.x` waiver is judged without it, unless the run
    checked the draft itself (then its scope may name it)."""
    published = ReleaseRef(tag="v0.7.0", location="a")
    draft = ReleaseRef(tag="v0.7.1", location="b", draft=True)
    assert judging._coverage([published, draft], [published], []).releases == (published,)
    assert judging._coverage([published, draft], [draft], []).releases == (published, draft)
