"""Suite-wide set-up.

The Ctrl-C tests send SIGINT. A test run started in the background by a shell (`cmd &`)
inherits SIGINT ignored, which Python keeps and every child process inherits, so those
tests would test how the suite was launched instead of the tools. Restore the default.
"""

import signal

import pytest

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Docker-backed tests share one engine and measure time budgets: under pytest-xdist
    (`./scripts/test` runs two workers) they all run on one worker, one after another,
    while the other worker takes the unit tests."""
    for item in items:
        if item.get_closest_marker("docker") is not None:
            item.add_marker(pytest.mark.xdist_group("docker"))
