"""One exception root and the exit codes every command shares.

Messages say what went wrong, where, and how to fix it, on one line.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    PASSED = 0
    FAILED = 1  # a gate check failed / a fallback path is broken
    USAGE = 2  # usage or config error
    INFRA = 3  # could not evaluate: I/O, source unreachable, Docker failure
    INTERRUPTED = 130


class HarnessError(Exception):
    """Root of every error the harness raises on purpose."""

    exit_code: ExitCode = ExitCode.INFRA


class ConfigError(HarnessError):
    """A config file, option or scenario is invalid: the user must fix their input."""

    exit_code = ExitCode.USAGE


class InfraError(HarnessError):
    """Something outside the release broke: disk, network, API, Docker."""

    exit_code = ExitCode.INFRA
