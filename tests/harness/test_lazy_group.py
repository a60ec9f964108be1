"""The lazy `gate` and `drill` groups (cli/lazy_group.py): their tables say what the commands
say, their help lists the commands as an eager group would, and `--help` imports no command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import drill, gate
from cli.lazy_group import LazyGroup, StandIn, Table, load

GROUPS = {"gate": (gate.gate, gate.COMMANDS), "drill": (drill.drill, drill.COMMANDS)}
GATE = str(Path(sys.executable).with_name("gate"))  # the installed console script
LIMITS = (3, 12, 30, 45, 60, 74, 200)  # click shortens to the terminal's width less the names


def drifted(table: Table) -> list[str]:
    """The commands whose table entry does not read as the command's own help, or name it."""
    wrong = []
    for name, (where, summary) in table.items():
        real, stand_in = load(where), StandIn(name, where, summary)
        same = all(real.get_short_help_str(n) == stand_in.get_short_help_str(n) for n in LIMITS)
        if real.name != name or not same:
            wrong.append(name)
    return wrong


def eager_twin(group: click.Group, table: Table) -> click.Group:
    """The same group with every command imported up front (and nothing left to load)."""
    commands = {name: load(where) for name, (where, _summary) in table.items()}
    return LazyGroup(
        group.name,
        lazy={},
        commands=commands,
        params=group.params,
        help=group.help,
        context_settings=group.context_settings,
    )


def lazy_twin(group: click.Group, table: Table) -> LazyGroup:
    """A fresh lazy group from the table (the module's own may have loaded commands already)."""
    return LazyGroup(
        group.name, lazy=table, params=group.params, help=group.help, context_settings=group.context_settings
    )


def help_text(group: click.Group, args: list[str], width: int) -> tuple[int, str]:
    result = CliRunner().invoke(group, args, terminal_width=width, prog_name=group.name)
    return result.exit_code, result.output


@pytest.mark.parametrize("group_name", sorted(GROUPS))
def test_each_table_entry_reads_as_its_commands_own_help(group_name: str) -> None:
    group, table = GROUPS[group_name]
    assert drifted(table) == []
    assert sorted(table) == sorted(group.commands)


def test_a_summary_that_drifted_from_its_command_is_caught() -> None:
    table = dict(gate.COMMANDS)
    table["check"] = (table["check"][0], "Check a release against the contract.")
    table["prune"] = ("cli.gate_commands:contract_cmd", table["prune"][1])  # the wrong command
    assert drifted(table) == ["check", "prune"]


@pytest.mark.parametrize("group_name", sorted(GROUPS))
@pytest.mark.parametrize("width", [40, 80, 200])
@pytest.mark.parametrize("args", [["--help"], ["rn"], ["chek"], ["nope"]])
def test_the_help_and_a_mistyped_command_read_as_an_eager_groups(
    group_name: str, width: int, args: list[str]
) -> None:
    group, table = GROUPS[group_name]
    assert help_text(lazy_twin(group, table), args, width) == help_text(eager_twin(group, table), args, width)


def test_a_commands_own_help_shows_its_options() -> None:
    code, text = help_text(lazy_twin(gate.gate, gate.COMMANDS), ["check", "--help"], 80)
    assert code == 0
    assert "--recovery-checkout DIRECTORY" in text and "--json" in text


COMMAND_MODULES = (
    "cli.gate_commands",
    "cli.drill_commands",
    "cli.merge",
    "cli.recover",
    "cli.console",
    "cli.gate_options",
    "cli.drill_output",
    "harness.errors",
    "pathlib",
    "dataclasses",
)


@pytest.mark.parametrize("group_name", sorted(GROUPS))
def test_help_imports_no_command_module(group_name: str) -> None:
    code = (
        "import sys\n"
        f"from cli.{group_name} import {group_name} as main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as done:\n"
        f"    print(done.code, [m for m in {COMMAND_MODULES!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.splitlines()[-1] == "0 []"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["chek"], "gate: error: No such command 'chek'. Did you mean 'check'? (see 'gate --help')"),
        (["check", "--bogus"], "gate: error: No such option '--bogus'"),
        (["check", "--release", "v0.7.x"], "Missing option '--source' (see 'gate check --help')"),
        (["check", "--as-of", "2026-02-30"], "gate: error: Invalid value for '--as-of'"),
        (["contract", "--contract", "."], "is a directory (see 'gate contract --help')"),
        (["prune", "--release"], "gate: error: Option '--release' requires an argument"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(args: list[str], said: str) -> None:
    """Bug: click's four lines (usage, a hint, a blank line, the error) where the README
    promises one line for every bad input."""
    proc = subprocess.run([GATE, *args], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stdout == "" and proc.stderr.count("\n") == 1, proc.stderr
    assert said in proc.stderr


def test_the_group_alone_still_shows_its_help() -> None:
    proc = subprocess.run([GATE], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert (proc.stdout + proc.stderr).startswith("Usage: gate [OPTIONS] COMMAND [ARGS]...")
