"""A click group that imports a subcommand's module only when that subcommand runs.

This is click's documented lazy-loading pattern (a `Group` whose `get_command` imports on
demand), so `gate --help` and `drill --help` import click and the group's table, not every
command's module and what those import. Until it runs, a command is a stand-in holding its
name and the first paragraph of its help (from the table), so click's own code lists the
commands and suggests a near name exactly as for loaded ones.
tests/harness/test_lazy_group.py holds each entry to the real command's help, so the two
cannot drift.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import click

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


def load(where: str) -> click.Command:
    """The command at "module:attribute", imported now."""
    module_name, _, attribute = where.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{where} is not a click command")
    return command
