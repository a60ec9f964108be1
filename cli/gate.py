"""The `gate` command line: the group, its options and its table of subcommands.

Each subcommand's module loads only when that subcommand runs (cli/lazy_group.py), so
`gate --help` imports click and this table alone.
"""

from __future__ import annotations

from cli.lazy_group import command_line

COMMANDS = {
    "check": (
        "cli.gate_commands:check_cmd",
        "Check a release (or a whole line) against the release contract.",
    ),
    "contract": (
        "cli.gate_commands:contract_cmd",
        "Print the effective release contract (defaults merged), as YAML.",
    ),
    "merge": (
        "cli.merge:gate_merge_cmd",
        "Merge the report.json of several gate runs (gate check, one gate recover per platform).",
    ),
    "prune": (
        "cli.gate_commands:prune_cmd",
        "Plan (or --apply) deletion of old bundles; never inside an open release window.",
    ),
    "recover": (
        "cli.recover:recover_cmd",
        "Run the recovery gates (perf bench, SLO check, smoke) and judge them against the contract.",
    ),
}


@command_line(COMMANDS)
def gate(debug: bool) -> None:
    """Release gate for FUSE: artifact pairs, contents, integrity, retention, recovery gates.

    Exit codes: 0 pass, 1 a gate failed, 2 usage or config error,
    3 could not evaluate (I/O, source unreachable), 130 interrupted.
    """
