"""The mutation run's results file and the score page rendered from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Results = dict[str, dict[str, Any]]  # module -> {"date", "seconds", "tests", "mutants": [...]}
Equivalent = dict[tuple[str, str, str], str]


def load(path: Path) -> Results:
    return json.loads(path.read_text()) if path.is_file() else {}  # type: ignore[no-any-return]


def save(path: Path, results: Results) -> None:
    path.write_text(json.dumps(dict(sorted(results.items())), indent=1) + "\n")


def score(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f} %" if total else "-"


def _survivors(module: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**m, "module": module} for m in record["mutants"] if m["how"] == "passed"]


def _code(text: str) -> str:
    """A Markdown code span that may itself hold backticks."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def why(mutant: dict[str, Any], equivalent: Equivalent) -> str:
    return equivalent.get((mutant["module"], mutant["code"], mutant["description"]), "")


def totals(results: Results, equivalent: Equivalent) -> tuple[int, int, int]:
    """(killed, mutants, survivors not known to be equivalent) over every module."""
    total = sum(len(r["mutants"]) for r in results.values())
    survivors = [s for module, r in results.items() for s in _survivors(module, r)]
    return total - len(survivors), total, sum(1 for s in survivors if not why(s, equivalent))


def render(results: Results, counts: dict[str, int], equivalent: Equivalent) -> str:
    """The score table and every survivor; `counts`: each module's mutants in its source now
    (a module whose count differs was changed since its results were taken; one without
    results is listed as not run, outside the totals)."""
    rows, survivors = [], []
    for module, record in results.items():
        total, mine = len(record["mutants"]), _survivors(module, record)
        stale = " (changed since)" if counts.get(module, total) != total else ""
        rows.append(
            f"| `{module}`{stale} | {total} | {total - len(mine)} | {len(mine)} | "
            f"{score(total - len(mine), total)} | {record['seconds'] / 60:.1f} |"
        )
        survivors += mine
    rows += [
        f"| `{module}` (not run yet) | {n} | - | - | - | - |"
        for module, n in counts.items()
        if module not in results
    ]
    killed, total, unexplained = totals(results, equivalent)
    minutes = sum(r["seconds"] for r in results.values()) / 60
    dates = sorted({r["date"] for r in results.values()})
    lines = [
        "# Mutation score",
        "",
        f"From `python benchmarks/mutation.py` ({', '.join(dates)}): {total} mutants in "
        f"{minutes:.0f} min on this machine (2 cores, shared with other work). What it mutates and "
        "how: the docstring of `benchmarks/mutation.py`; the tests run per module: "
        "`benchmarks/mutation_config.py`; every mutant and its fate: `benchmarks/mutation-results.json`.",
        "",
        "| module | mutants | killed | survived | score | minutes |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        f"| **total** | {total} | {killed} | {total - killed} | **{score(killed, total)}** | {minutes:.0f} |",
        "",
        "## Surviving mutants",
        "",
        "Each with the reason it is equivalent (no input tells it from the original) or harmless;",
        f"{unexplained} marked **unexplained** (a gap in the tests to close).",
        "",
    ]
    lines += [
        f"- `{s['module']}:{s['line']}` {_code(s['description'])} in {_code(s['code'][:100])}: "
        f"{why(s, equivalent) or '**unexplained**'}"
        for s in survivors
    ]
    return "\n".join(lines) + "\n"
