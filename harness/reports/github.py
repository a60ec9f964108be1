"""GitHub Actions output: workflow-command annotations and the job step summary.

GitHub shows at most 10 error and 10 warning annotations per step and drops the rest
silently, so we emit up to 9 and fold everything beyond into a 10th that says how many
more there are; the full list always goes to a collapsible log group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from harness import redact
from harness.reports.markdown import render as render_markdown
from harness.reports.markdown import truncate
from harness.results import Outcome, Report
from harness.text import one_line

MAX_ANNOTATIONS = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str) -> str:
    """One workflow command line with its data and properties escaped."""
    rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props.items() if v)
    head = f"::{name} {rendered}" if rendered else f"::{name}"
    return f"{head}::{escape_data(message)}"


def _lines_for(report: Report, level: str, outcome: Outcome) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for result in report.results:
        if result.outcome is not outcome:
            continue
        title = one_line(f"{result.check} {result.scope}: {result.title}".strip())
        bodies = [f.line() for f in result.findings] or [one_line(result.summary)]
        items += [(title, body) for body in bodies]
    return items


def annotation_lines(report: Report) -> list[str]:
    """Annotation lines: failures as errors, could-not-evaluate as warnings."""
    lines: list[str] = []
    for level, outcome in (("error", Outcome.FAILED), ("warning", Outcome.ERROR)):
        items = _lines_for(report, level, outcome)
        shown = items if len(items) <= MAX_ANNOTATIONS else items[: MAX_ANNOTATIONS - 1]
        lines += [command(level, body, title=title) for title, body in shown]
        if len(items) > len(shown):
            more = len(items) - len(shown)
            lines.append(
                command(
                    level,
                    f"{more} more {level}s not shown: see the report artifact "
                    "and the 'all findings' log group",
                    title=f"{more} more {level}s",
                )
            )
    return lines


def log_group(report: Report, token: str) -> list[str]:
    """All findings in a collapsible group; stop-commands keeps their text inert."""
    lines = ["::group::all findings", f"::stop-commands::{token}"]
    for result in report.results:
        lines += [
            f"{result.outcome.value} {result.check} {one_line(result.scope)}: {finding.line()}"
            for finding in result.findings
        ]
    return [*lines, f"::{token}::", "::endgroup::"]


def publish(
    report: Report, env: Mapping[str, str], echo: Callable[[str], None], summary_text: str | None = None
) -> None:
    """Under GitHub Actions, print annotations and append the step summary (`summary_text`,
    or the report's Markdown)."""
    if env.get("GITHUB_ACTIONS") != "true":
        return
    # secrets (with random, hmac and base64 under it) loads only under GitHub Actions
    import secrets  # noqa: PLC0415

    # an unguessable token: nothing in the findings can end stop-commands early
    for line in log_group(report, secrets.token_hex(16)):
        echo(redact.redact(line))
    for line in annotation_lines(report):
        echo(redact.redact(line))
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(redact.redact(truncate(summary_text or render_markdown(report))) + "\n")
