"""Suite-wide set-up.

The Ctrl-C tests send SIGINT. A test run started in the background by a shell (`cmd &`)
inherits SIGINT ignored, which Python keeps and every child process inherits, so those
tests would test how the suite was launched instead of the tools. Restore the default.
"""

import atexit
import contextlib
import getpass
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


# The modules whose tests use the Docker engine. They share one engine and measure time
# budgets, so under pytest-xdist (`./scripts/test` runs two workers) they run as one unit on
# one worker, one after another, while the other worker takes the unit tests. The scheduler
# below groups them by this list: xdist's own `xdist_group` mark no longer reaches its
# scheduler on pytest 9.2 (pytest-xdist issue 1386: the group rides on a rewritten node id),
# and a silent fallback spread the engine's tests over both workers. Collection checks the
# list against the `docker` mark both ways, so it cannot go stale.
DOCKER_MODULES = frozenset(
    {
        "tests/drills/test_app_docker.py",
        "tests/drills/test_faults_docker.py",
        "tests/drills/test_parallel_docker.py",
        "tests/drills/test_progress_docker.py",
        "tests/drills/test_recover_to_aot_docker.py",
        "tests/drills/test_seam_docker.py",
        "tests/drills/test_standin_in_scratch.py",
        "tests/drills/test_suite_docker.py",
    }
)


def docker_unit(nodeid: str) -> str:
    """The scheduling unit of a test: "docker" for the engine's tests, else the test itself."""
    return "docker" if nodeid.split("::", 1)[0] in DOCKER_MODULES else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under `--dist loadgroup`: xdist's scope scheduler with `docker_unit` as the scope. The
    largest unit is handed out first, so the Docker unit starts at once on one worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 (only under xdist)

    class DockerTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return docker_unit(nodeid)

    return DockerTogether(config, log)  # type: ignore[arg-type]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Docker tests live in DOCKER_MODULES (see above). POSIX-only modules are marked (and
    skipped on Windows)."""
    for item in items:
        where = Path(str(item.path)).resolve().relative_to(ROOT).as_posix()
        if (item.get_closest_marker("docker") is not None) != (where in DOCKER_MODULES):
            raise pytest.UsageError(
                f"{item.nodeid}: Docker tests belong in the modules of DOCKER_MODULES in "
                "tests/conftest.py, and those hold only Docker tests; mark the module "
                "(pytestmark = pytest.mark.docker) and list it, or move the test"
            )
        if where.startswith(POSIX_ONLY):
            item.add_marker(pytest.mark.posix)
        if os.name == "nt" and item.get_closest_marker("posix"):
            item.add_marker(pytest.mark.skip(reason="needs a POSIX host (bash, signals, /proc)"))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """After pytest has removed a passing run's temporary folders (tmp_path_retention_policy
    "failed"), remove the per-user folder it made them in, `pytest-of-<user>`, when nothing is
    left in it (a failed run's folders stay, for reading)."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller cleans up
        return
    root = Path(os.environ.get("PYTEST_DEBUG_TEMPROOT") or tempfile.gettempdir())
    with contextlib.suppress(OSError, KeyError):  # not empty, not there, not ours; or no user name
        (root / f"pytest-of-{getpass.getuser()}").rmdir()
