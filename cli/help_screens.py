"""Writes cli/help/, the help screens cli/fast_help.py prints without click: each is what
click writes for `PROGRAM --help` and `PROGRAM COMMAND --help` on an 80-column terminal.
Run `python -m cli.help_screens` after changing a command's help; a test fails until then.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from unittest import mock

import click

from cli import drill, gate
from cli.fast_help import HELP, WIDTH, screen_name


def render() -> dict[str, str]:
    """Every screen, file name -> text, as click writes it now on an 80-column terminal
    (through its own width rule: click's test runner forces a width of its own)."""
    screens = {}
    for program, group, table in (("gate", gate.gate, gate.COMMANDS), ("drill", drill.drill, drill.COMMANDS)):
        for command in ["", *table]:
            args = [command, "--help"] if command else ["--help"]
            name = screen_name(program, args)
            code, text = _click_output(group, program, args)
            if code != 0 or name is None:
                raise SystemExit(f"{program} {' '.join(args)}: exit {code}\n{text}")
            screens[name] = text
    return screens


def _click_output(group: click.Group, program: str, args: list[str]) -> tuple[object, str]:
    """The exit code and stdout of `PROGRAM ARGS` run by click with COLUMNS=80."""
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"COLUMNS": str(WIDTH)}), contextlib.redirect_stdout(out):
        try:
            group.main(args, prog_name=program)
        except SystemExit as exit:
            return exit.code, out.getvalue()
    return None, out.getvalue()


def write() -> None:
    """Rewrite cli/help/ from click's rendering (run after changing a command's help)."""
    screens, folder = render(), Path(HELP)
    folder.mkdir(exist_ok=True)
    for stale in sorted({p.name for p in folder.iterdir()} - set(screens)):
        (folder / stale).unlink()
    for name, text in screens.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as file:
            file.write(text)
    print(f"wrote {len(screens)} help screens to {folder}")


if __name__ == "__main__":
    write()
