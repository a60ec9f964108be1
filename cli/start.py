"""The console scripts `gate` and `drill`: a help screen straight from cli/help/ when that is
all the command line asks for (cli/fast_help.py), else the click group, imported then."""

from __future__ import annotations

import gc

from cli import fast_help


def gate() -> int | None:
    code = fast_help.show("gate")
    if code is None:
        from cli.gate import gate as command_line  # noqa: PLC0415 - click only when needed

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
