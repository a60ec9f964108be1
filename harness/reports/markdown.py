"""A Markdown summary, verdict table first, sized for $GITHUB_STEP_SUMMARY (< 1 MiB)."""

from __future__ import annotations

from harness.results import Outcome, Report, counts, one_line

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


def _table(report: Report) -> list[str]:
    lines = ["| | check | scope | title | summary |", "|---|---|---|---|---|"]
    for r in report.results:
        lines.append(
            f"| {ICONS[r.outcome]} | `{r.check}` | {_cell(r.scope)} | {_cell(r.title)} | {_cell(r.summary)} |"
        )
    return [*lines, ""]


def _details(report: Report) -> list[str]:
    lines: list[str] = []
    for r in report.results:
        if not r.findings:
            continue
        lines += [f"### {ICONS[r.outcome]} `{r.check}` {_cell(r.scope)}: {_cell(r.title)}", ""]
        lines += [f"- {_cell(f.line())}" for f in r.findings]
        lines.append("")
    return lines


def render(report: Report) -> str:
    lines = _header(report) + _table(report)
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
