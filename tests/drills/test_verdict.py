"""The verdict as a pure function of phase outcomes."""

from __future__ import annotations

from drills.playbook.verdict import PhaseOutcome, decide
from harness.results import Outcome


def _phases(*pairs: tuple[str, Outcome], broken: bool = False) -> list[PhaseOutcome]:
    return [PhaseOutcome(phase=p, outcome=o, summary=f"{p} {o.value}", broken=broken) for p, o in pairs]


def test_an_expected_red_control_counts_only_when_the_fallback_is_broken():
    for phase in ("fallback", "verify"):
        broke = _phases(("detect", Outcome.PASSED), (phase, Outcome.FAILED), broken=True)
        v = decide(broke, fell_back=True, expect_fallback=True, expected=Outcome.FAILED)
        assert (v.verdict, v.as_expected) == (Outcome.FAILED, True)


def test_an_expected_red_control_whose_fallback_served_late_is_not_as_expected():
    late = _phases(("contain", Outcome.WAIVED), ("fallback", Outcome.FAILED))
    v = decide(late, fell_back=True, expect_fallback=True, expected=Outcome.FAILED)
    assert v.verdict is Outcome.FAILED
    assert not v.as_expected
    assert "the sabotage did not take" in v.reason


def test_an_expected_red_control_that_failed_elsewhere_is_not_as_expected():
    for done, fell_back in (
        (_phases(("detect", Outcome.FAILED)), False),
        (_phases(("classify", Outcome.FAILED)), False),
        (_phases(("detect", Outcome.FAILED), ("fallback", Outcome.FAILED)), True),
    ):
        v = decide(done, fell_back=fell_back, expect_fallback=True, expected=Outcome.FAILED)
        assert v.verdict is Outcome.FAILED
        assert not v.as_expected, done
        assert "went untested" in v.reason


def test_a_run_whose_journal_lost_events_cannot_claim_any_verdict():
    passing = _phases(("detect", Outcome.PASSED), ("fallback", Outcome.PASSED), ("verify", Outcome.PASSED))
    broke = _phases(("fallback", Outcome.FAILED), broken=True)
    for done, expected in ((passing, Outcome.PASSED), (broke, Outcome.FAILED)):
        v = decide(done, fell_back=True, expect_fallback=True, expected=expected, journal_lost="disk full")
        assert (v.verdict, v.as_expected) == (Outcome.ERROR, False)
        assert v.reason == "the journal could not record every event, so the drill cannot tell (disk full)"
