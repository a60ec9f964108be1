"""The playbook's three classification rules, each on its own evidence (pure, no Docker)."""

from __future__ import annotations

import pytest

from drills.playbook.classify import classify, rule_fatal, rule_linker, rule_regression
from drills.playbook.watch import Incident
from fixtures.fake_engine import FATAL
from fixtures.fake_release import LOADER_ERROR
from tests.drills.conftest import drill, phase_of, standard

AOT_FATAL = FATAL.format(msg="failed to read config file /")
NATIVE_FATAL = AOT_FATAL.replace("mode=aot", "mode=native")


def incident(kind: str = "exit", **fields: object) -> Incident:
    return Incident(kind=kind, at=0.0, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "fires"),
    [
        (incident(fatal_lines=(AOT_FATAL,)), True),
        (incident(exit_code=137), False),
        (incident(fatal_lines=(NATIVE_FATAL,)), False),  # not printed by an AOT binary
        (incident(log_tail="fatal: class=runtime_fatal but not an envelope"), False),
    ],
)
def test_rule_1_needs_a_fatal_envelope_from_the_aot(case: Incident, fires: bool) -> None:
    why = rule_fatal(case)
    assert (why is not None) is fires
    if fires:
        assert why is not None and "class=runtime_fatal" in why and "failed to read config file" in why


@pytest.mark.parametrize(
    ("case", "native_healthy", "evidence"),
    [
        (incident("unhealthy", details={"consecutive_failures": 3}), True, "3 health probes in a row"),
        (incident(exit_code=137), True, "exit code 137"),
        (incident("oom", exit_code=137), True, "OOM-killed"),
        (incident(exit_code=None), True, "exit code unknown"),
        (incident(exit_code=0), True, None),  # a clean shutdown breaches nothing
        (incident("unhealthy"), False, None),  # JIT-native is down too
        (incident(exit_code=1), False, None),
    ],
)
def test_rule_2_needs_an_slo_breach_while_native_stays_healthy(
    case: Incident, native_healthy: bool, evidence: str | None
) -> None:
    why = rule_regression(case, native_healthy)
    if evidence is None:
        assert why is None
    else:
        assert why is not None and why.startswith("rule 2: ") and evidence in why


@pytest.mark.parametrize(
    ("case", "evidence"),
    [
        (incident(exit_code=127, log_tail=LOADER_ERROR), "error while loading shared libraries"),
        (
            incident(
                exit_code=127,
                log_tail="/app/fuse-aot-demo: symbol lookup error: /app/libfuse_rt.so: "
                "undefined symbol: rt_serve",
            ),
            "undefined symbol: rt_serve",
        ),
        (incident(exit_code=255, log_tail="exec /app/fuse-aot-demo: exec format error"), "exec format error"),
        (
            incident(
                exit_code=126,
                error="OCI runtime create failed: unable to start container process: "
                'exec: "/app/fuse-aot-demo": exec format error: unknown',
            ),
            'exec: "/app/fuse-aot-demo": exec format error',
        ),
        # an app's own missing file, a bare exit code, a message quoting the loader: not rule 3
        (incident(exit_code=1, log_tail="run error: config.toml: No such file or directory"), None),
        (incident(exit_code=127), None),
        (incident(exit_code=126), None),
        (incident(exit_code=1, log_tail="request log: user searched 'cannot open shared object file'"), None),
    ],
)
def test_rule_3_matches_loader_and_exec_failures_precisely(case: Incident, evidence: str | None) -> None:
    why = rule_linker(case)
    if evidence is None:
        assert why is None
    else:
        assert why is not None and why.startswith("rule 3: ") and evidence in why


@pytest.mark.parametrize(
    ("case", "native_healthy", "fallback", "rules"),
    [
        (incident(exit_code=0), True, False, ()),
        (incident(exit_code=137), True, True, (2,)),
        (incident("unhealthy"), True, True, (2,)),
        (incident(exit_code=1, fatal_lines=(AOT_FATAL,)), True, True, (1, 2)),
        (incident(exit_code=127, log_tail=LOADER_ERROR), True, True, (2, 3)),
        (incident(exit_code=0, fatal_lines=(AOT_FATAL,)), True, True, (1,)),
        # both backends broken: the rules' evidence is reported, but nothing is AOT-specific
        (incident(exit_code=1, fatal_lines=(AOT_FATAL,)), False, False, (1,)),
        (incident(exit_code=127, log_tail=LOADER_ERROR), False, False, (3,)),
        (incident(exit_code=137), False, False, ()),
        (None, True, False, ()),
    ],
)
def test_the_decision_reports_which_rules_held(
    case: Incident | None, native_healthy: bool, fallback: bool, rules: tuple[int, ...]
) -> None:
    decision = classify(case, native_healthy)
    assert (decision.fallback, decision.rules) == (fallback, rules)
    assert [r for r in decision.reasons if r.startswith("rule ")] == [
        r for n in rules for r in decision.reasons if r.startswith(f"rule {n}: ")
    ]
    assert decision.reasons, "every decision says why"


def test_a_clean_exit_is_not_a_regression_and_says_so() -> None:
    decision = classify(incident(exit_code=0), True)
    assert not decision.fallback and decision.rules == ()
    assert decision.reasons == ("no rule holds for the AOT exit (exit code 0)",)


def test_native_unhealthy_is_named_first() -> None:
    decision = classify(incident(exit_code=1, fatal_lines=(AOT_FATAL,)), False)
    assert decision.reasons[0].startswith("JIT-native is unhealthy too")


@pytest.mark.parametrize(
    ("name", "rules", "fallback"),
    [
        ("crash", [2], True),
        ("crash-loop", [1, 2], True),
        ("corrupt-binary", [2, 3], True),
        ("missing-library", [2, 3], True),
        ("hang", [2], True),
        ("port-conflict", [1, 2], True),
        # the config both read is broken: the AOT prints a runtime_fatal envelope (rule 1), as
        # the stand-in does with FUSE_CONFIG=/; JIT-native fails too, so nothing falls back
        ("both-backends", [1], False),
    ],
)
def test_each_drill_reports_the_rules_its_evidence_meets(fake, tmp_path, name, rules, fallback):
    report, _ = drill(fake, tmp_path, standard(name))
    data = phase_of(report, name, "classify").data
    assert (data["rules"], data["fallback"]) == (rules, fallback)
    assert [r.split(":")[0] for r in data["reasons"] if r.startswith("rule ")] == [f"rule {n}" for n in rules]
