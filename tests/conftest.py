"""Suite-wide set-up.

The Ctrl-C tests send SIGINT. A test run started in the background by a shell (`cmd &`)
inherits SIGINT ignored, which Python keeps and every child process inherits, so those
tests would test how the suite was launched instead of the tools. Restore the default.
"""

import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import configuration, settings

# Hypothesis keeps no example database, and its caches go to a temporary folder removed when
# the process ends (also an xdist worker's, or a run where no property test ran): tests leave
# nothing behind, in the checkout or in /tmp.
_HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="hypothesis-"))
configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME)  # before any test module is collected
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)
settings.register_profile("harness", database=None)
settings.load_profile("harness")

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


# Tests that need a POSIX host: bash scripts, the stand-in C toolchain, signals to process
# groups, /proc, select.poll on stdout. CI runs the rest on Windows (`-m "not posix"`); on
# Linux and macOS everything runs. The list is by module, so a new POSIX-only test module
# is added here.
POSIX_ONLY = (
    "tests/fixtures/",
    "tests/drills/test_recovery_gates.py",
    "tests/drills/test_standin_in_scratch.py",
    "tests/drills/test_closed_stdout.py",
    "tests/gates/test_recovery.py",
    "tests/gates/test_recovery_cli.py",
    "tests/gates/test_closed_stdout.py",
    "tests/gates/test_binsize.py",
    "tests/gates/test_runnable_release.py",
    "tests/harness/test_process.py",
    "tests/harness/test_process_groups.py",
    "tests/harness/test_console.py",
    "tests/test_workflows.py",
    "tests/test_workflow_wiring.py",
)
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Docker-backed tests share one engine and measure time budgets: under pytest-xdist
    (`./scripts/test` runs two workers) they all run on one worker, one after another,
    while the other worker takes the unit tests. POSIX-only modules are marked (and skipped
    on Windows)."""
    for item in items:
        if item.get_closest_marker("docker") is not None:
            item.add_marker(pytest.mark.xdist_group("docker"))
        where = Path(str(item.path)).resolve().relative_to(ROOT).as_posix()
        if where.startswith(POSIX_ONLY):
            item.add_marker(pytest.mark.posix)
        if os.name == "nt" and item.get_closest_marker("posix"):
            item.add_marker(pytest.mark.skip(reason="needs a POSIX host (bash, signals, /proc)"))
