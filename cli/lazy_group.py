"""A click group that imports a subcommand's module only when that subcommand runs.

This is click's documented lazy-loading pattern (a `Group` whose `get_command` imports on
demand), so `gate --help` and `drill --help` import click and the group's table, not every
command's module and what those import. Until it runs, a command is a stand-in holding its
name and the first paragraph of its help (from the table), so click's own code lists the
commands and suggests a near name exactly as for loaded ones.
tests/harness/test_lazy_group.py holds each entry to the real command's help, so the two
cannot drift.

Usage errors (an unknown option, a bad value, a path that is a directory) are one line,
`gate: error: <click's message>; see 'gate check --help'`, exit 2, as every other bad input
is: click's own display is four lines (usage, a hint, a blank line, the error).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import click

# click 8.2 raises this for a group called with no arguments (8.1 printed the help and exited)
NO_ARGS_IS_HELP: tuple[type[click.UsageError], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(click.exceptions, name)
)
# command name -> ("module:attribute" of the command, the first paragraph of its help)
Table = Mapping[str, tuple[str, str]]


class StandIn(click.Command):
    """A command not imported yet: its name and summary, and where the real one is."""

    def __init__(self, name: str, where: str, summary: str) -> None:
        super().__init__(name, help=summary)
        self.where = where


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (where, summary) in lazy.items():
            self.add_command(StandIn(name, where, summary))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if isinstance(command, StandIn):
            command = load(command.where)
            self.add_command(command, cmd_name)
        return command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main, with a usage error said in one line; the rest as click does it."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NO_ARGS_IS_HELP as exc:  # `gate` alone: the help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            say_usage_error(self.name or "", exc)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section as click.Group writes it, from the stand-ins: listing the
        commands imports none of them."""
        click.Group.format_commands(click.Group(commands=self.commands), ctx, formatter)


def command_line(table: Table) -> Callable[[Callable[..., None]], LazyGroup]:
    """The group decorator of both command lines: -h/--help, --debug and --version, and the
    table's subcommands, each imported when it runs."""

    def decorate(fn: Callable[..., None]) -> LazyGroup:
        fn = click.version_option(package_name="fuse-release-harness")(fn)
        fn = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(fn)
        help_names = {"help_option_names": ["-h", "--help"]}
        return click.group(cls=LazyGroup, lazy=table, context_settings=help_names)(fn)

    return decorate


def say_usage_error(prog: str, exc: click.UsageError) -> NoReturn:
    """One line for a usage error: what click says, and where the help is."""
    from harness.text import one_line  # noqa: PLC0415 - only a usage error needs it

    where = exc.ctx.command_path if exc.ctx is not None else prog
    said = one_line(exc.format_message()).removesuffix(".")
    click.echo(f"{prog}: error: {said} (see '{where} --help')", err=True)
    sys.exit(exc.exit_code)


def load(where: str) -> click.Command:
    """The command at "module:attribute", imported now."""
    module_name, _, attribute = where.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{where} is not a click command")
    return command
