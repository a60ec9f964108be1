"""A Markdown summary sized for $GITHUB_STEP_SUMMARY (< 1 MiB): the verdict table, then
what failed and why (each failed or errored check with its first findings), then every
check not passed, with the passes folded in `<details>`."""

from __future__ import annotations

from harness.results import Outcome, Report, Result, counts
from harness.text import one_line

MAX_BYTES = 1024 * 1024 - 4096  # GitHub rejects step summaries over 1 MiB
ICONS = {
    Outcome.PASSED: "✅",
    Outcome.FAILED: "❌",
    Outcome.ERROR: "⚠️",
    Outcome.WAIVED: "🟡",
    Outcome.SKIPPED: "⏭️",
}


def _cell(text: str) -> str:
    """One table cell or list item: one line, control characters shown visibly."""
    return one_line(text).replace("|", "\\|")


def _header(report: Report) -> list[str]:
    tally = counts(report.results)
    verdict = report.verdict
    lines = [
        f"## {report.tool}: {ICONS[verdict]} {verdict.value.upper()}",
        "",
        f"{_cell(report.subject)}",
        "",
        "| verdict | passed | failed | error | waived | skipped |",
        "|---|---|---|---|---|---|",
        f"| {verdict.value} | {tally['passed']} | {tally['failed']} | {tally['error']} "
        f"| {tally['waived']} | {tally['skipped']} |",
        "",
    ]
    if report.interrupted:
        lines += ["**Interrupted**: results are partial.", ""]
    return lines


FIRST_FINDINGS = 5  # per failed check in "what failed"; report.json and the log group hold all


def _rows(results: list[Result]) -> list[str]:
    lines = ["| | check | scope | title | summary |", "|---|---|---|---|---|"]
    lines += [
        f"| {ICONS[r.outcome]} | `{r.check}` | {_cell(r.scope)} | {_cell(r.title)} | {_cell(r.summary)} |"
        for r in results
    ]
    return [*lines, ""]


def _table(report: Report) -> list[str]:
    """Every check not passed, then the passes (and skips) folded away."""
    quiet = (Outcome.PASSED, Outcome.SKIPPED)
    loud = [r for r in report.results if r.outcome not in quiet]
    calm = [r for r in report.results if r.outcome in quiet]
    lines = _rows(loud) if loud else []
    if calm:
        lines += [
            f"<details><summary>{len(calm)} passed or skipped</summary>",
            "",
            *_rows(calm),
            "</details>",
            "",
        ]
    return lines


def _failures(report: Report) -> list[str]:
    """What failed, and why: the failed and errored checks with their first findings."""
    bad = [r for r in report.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    if not bad:
        return []
    lines = ["### What failed, and why", ""]
    for r in bad:
        lines.append(f"- {ICONS[r.outcome]} `{r.check}` {_cell(r.scope)}: {_cell(r.title)}")
        lines += [f"  - {_cell(f.line())}" for f in r.findings[:FIRST_FINDINGS]]
        if not r.findings:
            lines.append(f"  - {_cell(r.summary)}")
        if len(r.findings) > FIRST_FINDINGS:
            lines.append(f"  - and {len(r.findings) - FIRST_FINDINGS} more: see report.json")
    return [*lines, ""]


def _details(report: Report) -> list[str]:
    """Findings of the checks that did not fail (waived ones), folded."""
    lines: list[str] = []
    for r in report.results:
        if not r.findings or r.outcome in (Outcome.FAILED, Outcome.ERROR):
            continue
        lines += [f"<details><summary>{ICONS[r.outcome]} {r.check} {_cell(r.scope)}</summary>", ""]
        lines += [f"- {_cell(f.line())}" for f in r.findings]
        lines += ["", "</details>", ""]
    return lines


def render(report: Report) -> str:
    lines = _header(report) + _failures(report) + _table(report)
    if report.notes:
        lines += ["**Notes**", "", *[f"- {_cell(n)}" for n in report.notes], ""]
    if report.stats:
        stats = ", ".join(f"{k}={v}" for k, v in report.stats.items())
        lines += [f"_Stats: {_cell(stats)}_", ""]
    text = "\n".join(lines + _details(report))
    return truncate(text)


def truncate(text: str, limit: int = MAX_BYTES) -> str:
    """Cut at a line boundary under `limit` bytes and say so."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", errors="ignore")
    cut = cut[: cut.rfind("\n") + 1]
    return cut + "\n_Summary truncated to fit GitHub's 1 MiB limit: see report.json._\n"
