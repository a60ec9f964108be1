"""The `drill` command line: the group, its options and its table of subcommands.

Each subcommand's module loads only when that subcommand runs (cli/lazy_group.py), so
`drill --help` imports click and this table alone.
"""

from __future__ import annotations

from cli.lazy_group import command_line

COMMANDS = {
    "compare": (
        "cli.drill_commands:compare_cmd",
        "Compare two runs' report.json: detection and restore time per scenario, each judged "
        "by the regression policy AFTER's report records for it (--tolerance overrides).",
    ),
    "init": (
        "cli.drill_commands:init_cmd",
        "Write a suite (every fault and control) for your own service.",
    ),
    "merge": (
        "cli.merge:drill_merge_cmd",
        "Merge the report.json of the shards of one drill suite (`drill run --shard K/N`).",
    ),
    "reap": (
        "cli.drill_commands:reap_cmd",
        "Remove containers and images a killed run left behind (by label).",
    ),
    "report": (
        "cli.drill_commands:report_cmd",
        "Rebuild every report from a journal, even one a killed run left.",
    ),
    "run": (
        "cli.drill_commands:run_cmd",
        "Run drills: every scenario named, or a whole suite (or one shard of it).",
    ),
    "validate": (
        "cli.drill_commands:validate_cmd",
        "Check scenario files against the schema and the playbook's rules.",
    ),
}


@command_line(COMMANDS)
def drill(debug: bool) -> None:
    """Chaos drills: inject AOT faults into Docker containers and prove the native fallback.

    Exit codes: 0 every verdict as expected, 1 a fallback path broken or over budget,
    2 usage or config error, 3 harness or Docker failure, 130 interrupted.
    """
