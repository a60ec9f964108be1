"""One registry holds every check the gate runs, and waivers are one pure pass over results."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from gates import waivers
from gates.checks import REGISTRY, LineCheck, ReleaseCheck, RunCheck, title
from gates.contract import Waiver
from gates.sources.release import ReleaseRef
from harness.results import Finding, Outcome, Result, judged

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_check_the_readme_lists_is_registered_and_titled() -> None:
    listed = set(re.findall(r"^\| `([A-Z]\d{3})` \|", README.read_text(), re.M))
    # S: `gate recover`'s judgements; M, D: `gate merge` and `drill merge`
    gate_ids = {i for i in listed if not i.startswith(("S", "M", "D"))}
    assert gate_ids == set(REGISTRY)  # both ways: no check undocumented, none documented and gone
    assert all(title(check.run) for check in REGISTRY.values())


def test_line_and_run_checks_are_in_the_registry_too() -> None:
    assert isinstance(REGISTRY["R001"], LineCheck)
    assert isinstance(REGISTRY["W001"], RunCheck)
    assert isinstance(REGISTRY["W002"], RunCheck)
    assert isinstance(REGISTRY["P002"], ReleaseCheck)


def _waiver(scope: str, expires: date) -> Waiver:
    return Waiver(id="w1", check="P002", scope=scope, reason="rebuilt", approver="lead", expires=expires)


def test_applying_waivers_is_pure_and_reports_what_it_used() -> None:
    release = ReleaseRef(tag="v0.7.1", location="dist")
    found = Finding(subject="windows-x64", message="no fallback CLI bundle")
    base = Result(check="P002", title="t", scope="v0.7.1", outcome=Outcome.PASSED, summary="ok")
    results = [judged(base, [found])]
    out, used = waivers.apply(
        results, {"v0.7.1": release}, (_waiver("v0.7.1/windows-*", date(2027, 1, 1)),), date(2026, 12, 3)
    )
    assert results[0].outcome is Outcome.FAILED and not results[0].findings[0].waived_by  # input untouched
    assert out[0].outcome is Outcome.WAIVED and out[0].findings[0].waived_by.startswith("w1 ")
    assert used == frozenset({"w1"})


def test_an_expired_waiver_waives_nothing() -> None:
    release = ReleaseRef(tag="v0.7.1", location="dist")
    base = Result(check="P002", title="t", scope="v0.7.1", outcome=Outcome.PASSED, summary="ok")
    results = [judged(base, [Finding(subject="windows-x64", message="missing")])]
    out, used = waivers.apply(
        results, {"v0.7.1": release}, (_waiver("*", date(2026, 12, 2)),), date(2026, 12, 3)
    )
    assert out[0].outcome is Outcome.FAILED and used == frozenset()


def test_r001_says_only_absent_when_the_release_s_integrity_files_were_not_read() -> None:
    from gates import contract  # noqa: PLC0415
    from gates.checks.kept import LineFacts, fallback_retained  # noqa: PLC0415
    from gates.retention import WindowState  # noqa: PLC0415

    rules = contract.load(None)
    line = LineFacts(
        release=ReleaseRef(tag="v0.7.0", location="dist"),
        names=frozenset(),
        window=WindowState(open=True, closes=None, reason="v0.7.x window is open"),
    )
    found = fallback_retained(line, rules)
    assert [f.message for f in found][:1] == [
        "fallback bundle absent while the release window is open (v0.7.x window is open)"
    ]
    assert len(found) == len(rules.platforms)
