"""What benchmarks/mutation.py mutates, the tests it runs for each module, and the
surviving mutants that are equivalent (no test can tell them from the original), each
with the reason.

The tests are the fast, non-Docker ones that exercise the module, fastest first (the run
stops at the first failure, so a killed mutant rarely runs the slow ones).
"""

from __future__ import annotations

# a 1.1 GiB bomb and Ctrl-C timing: 7 s of the 12 s these files take, guarding no judging
# logic of their own (test_archive.py holds the byte limits at their boundaries)
SKIP_SLOW = ("-k", "not test_bomb_is_a_finding_not_a_hang and not test_interrupt_stops_reading")
ARCHIVE_TESTS = (
    "tests/gates/test_archive.py",
    "tests/gates/test_pax_size.py",
    "tests/gates/test_boundaries.py",
    "tests/gates/test_read_once.py",
    "tests/gates/test_untrusted_names.py",
    "tests/gates/test_gate_defects.py",
    *SKIP_SLOW,
)
CHECK_TESTS = (
    "tests/gates/test_boundaries.py",
    "tests/gates/test_integrity.py",
    "tests/gates/test_integrity_non_utf8_names.py",
    "tests/gates/test_untrusted_names.py",
    "tests/gates/test_read_once.py",
    "tests/gates/test_gate_defects.py",
    *SKIP_SLOW,
)
POLICY_TESTS = (
    "tests/gates/test_boundaries.py",
    "tests/gates/test_waiver_coverage.py",
    "tests/gates/test_retention_waivers_prune.py",
)
DRILL_TESTS = (
    "tests/drills/test_boundaries.py",
    "tests/drills/test_classify.py",
    "tests/drills/test_verdict.py",
    "tests/drills/test_latency_slo.py",
    "tests/drills/test_runner.py",
)

MODULES: dict[str, tuple[str, ...]] = {
    "gates/checks/__init__.py": CHECK_TESTS,
    "gates/checks/base.py": CHECK_TESTS,
    "gates/checks/contents.py": CHECK_TESTS,
    "gates/checks/integrity.py": CHECK_TESTS,
    "gates/checks/pairs.py": CHECK_TESTS,
    "gates/archive.py": ARCHIVE_TESTS,
    "gates/tarstream.py": ARCHIVE_TESTS,
    "gates/gzipstream.py": ARCHIVE_TESTS,
    "gates/retention.py": POLICY_TESTS,
    "gates/waivers.py": POLICY_TESTS,
    "gates/perf.py": ("tests/gates/test_perf.py", "tests/gates/test_boundaries.py"),
    "drills/classify.py": DRILL_TESTS,
    "drills/verdict.py": DRILL_TESTS,
    "drills/watch.py": DRILL_TESTS,
}

# (module, the original source line stripped, mutation) -> why the mutant is equivalent
EQUIVALENT: dict[tuple[str, str, str], str] = {}
