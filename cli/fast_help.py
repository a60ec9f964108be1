"""The help screens of `gate` and `drill` (and of each subcommand), printed without click.

Hand-written for speed: importing click costs about four interpreter start-ups (click.core
loads inspect, typing, enum, uuid, datetime, ...), which is most of what `gate --help`
took, and help is the command a new user runs first. So each screen is click's own
output, rendered once by `python -m cli.help_screens` into cli/help/<program>[-<command>].txt
(package data, and readable on its own), and printed from there when click would print
exactly that text:
- the command line is `PROGRAM --help` or `PROGRAM COMMAND --help` (or `-h`), and a screen
  for it exists;
- click would call the program PROGRAM (it names it after the script, as below);
- the terminal is at least 80 columns wide: click wraps help at min(columns, 80) - 2, so
  every width from 80 up gives the same text, and the screens are rendered at 80.
Anything else (a narrower terminal, `--debug --help`, a mistyped command, no stdout, no
screens beside the module) goes to click. The screens are the output of the click this project
is tested with (pinned below 9 in pyproject.toml); another 8.x may lay its own help out a little
differently, and the screens still say what the commands take.
tests/harness/test_fast_help.py fails while a screen differs from what click renders now,
and compares the installed scripts' output with click's at several widths.
"""

from __future__ import annotations

import os
import sys

HELP = os.path.join(os.path.dirname(__file__), "help")
WIDTH = 80  # click's max_content_width: from here up, the help text is one text
FLAGS = ("--help", "-h")
BROKEN_PIPE = 1  # click's own exit code when stdout is gone


def screen_name(program: str, args: list[str]) -> str | None:
    """The file holding the screen `PROGRAM ARGS` asks for, or None when ARGS ask more."""
    if len(args) == 1 and args[0] in FLAGS:
        return f"{program}.txt"
    if len(args) == 2 and args[1] in FLAGS and not args[0].startswith("-"):
        return f"{program}-{args[0]}.txt"
    return None


def columns() -> int:
    """The terminal's width as shutil.get_terminal_size() (which click asks) reads it:
    COLUMNS when positive, else stdout's terminal, else 80. Written out because importing
    shutil costs more than the rest of this module's work."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or WIDTH


def click_would_name(program: str) -> bool:
    """True when click would call this program PROGRAM: run as a script (not `python -m`),
    whose file is named PROGRAM (click.utils._detect_program_name)."""
    main = sys.modules.get("__main__")
    as_script = getattr(main, "__package__", None) in {None, ""}
    return as_script and os.path.basename(sys.argv[0]) == program


def show(program: str) -> int | None:
    """Print the screen this command line asks for and return the exit code, or None when
    click has to answer it."""
    name = screen_name(program, sys.argv[1:])
    if name is None or sys.stdout is None or columns() < WIDTH or not click_would_name(program):
        return None  # (no stdout at all: click writes nothing and exits 0)
    try:
        if name not in os.listdir(HELP):  # no such command (click says so and suggests one)
            return None
        with open(os.path.join(HELP, name), encoding="utf-8") as file:
            screen = file.read()
    except OSError:  # no screens beside the module (a zipapp): click renders them
        return None
    try:
        sys.stdout.write(screen)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE
    return 0
