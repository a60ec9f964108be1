"""The console scripts `gate` and `drill`: a help screen straight from cli/help/ when that is
all the command line asks for (cli/fast_help.py), else the click group, imported then."""

from __future__ import annotations

import gc
import sys

from cli import fast_help

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def gate() -> int | None:
    code = fast_help.show("gate")
    if code is None:
        from cli.gate import gate as command_line  # noqa: PLC0415 - click only when needed

        _keep_freed_memory()
        try:
            command_line()
        finally:
            # the process ends here (click exits): what it made dies with it, so the
            # interpreter's last collections need not walk it all (about 10 ms of every check)
            gc.freeze()
    return code


def drill() -> int | None:
    code = fast_help.show("drill")
    if code is None:
        from cli.drill import drill as command_line  # noqa: PLC0415 - click only when needed

        command_line()
    return code


def _keep_freed_memory() -> None:
    """Have glibc keep the memory the gate's readers free, rather than hand it back.

    Each reader thread streams archives through buffers of about a megabyte (a read, the
    inflater's output). With glibc's adaptive defaults, a freed one soon exceeds its arena's
    trim threshold, goes back to the kernel, and the next chunk faults it in again: on the 330 MB
    benchmark line (benchmarks/gate_bench.py) about 9,000 page faults and 40 ms of CPU, 5-13%
    of the check's wall time. Fixed thresholds (what GLIBC_TUNABLES would set) keep them; the
    memory is the process's until it exits, seconds later. Other C libraries: left as they are.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 - only here

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024)
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
