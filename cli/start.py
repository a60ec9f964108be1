"""The console scripts `gate` and `drill`: a help screen straight from cli/help/ when that is
all the command line asks for (cli/fast_help.py), else the click group, imported then."""

from __future__ import annotations

from cli import fast_help


def gate() -> int | None:
    code = fast_help.show("gate")
    if code is None:
        from cli.gate import gate as command_line  # noqa: PLC0415 - click only when needed

        command_line()
    return code


def drill() -> int | None:
    code = fast_help.show("drill")
    if code is None:
        from cli.drill import drill as command_line  # noqa: PLC0415 - click only when needed

        command_line()
    return code
