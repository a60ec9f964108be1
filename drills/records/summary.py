"""summary.md of a drill run (also appended to $GITHUB_STEP_SUMMARY): what failed and why
first, then regressions against the baseline, one row per scenario with MTTD and MTTR
against budget, and each scenario's phases and timeline folded in `<details>`.

Every text from a scenario or a container is one line with `<`, `>` and `&` escaped, so
nothing it says can close a `<details>` or open markup of its own.
"""

from __future__ import annotations

from html import escape

from drills.records.events import ScenarioStarted
from drills.records.journal import EventKind
from drills.records.overview import Overview, View
from drills.records.report import timeline
from harness.reports.markdown import ICONS, truncate
from harness.reports.markdown import _cell as md_cell
from harness.results import Outcome, Result

MARK = {True: "✅", False: "❌", None: "⚠️"}


def cell(text: object) -> str:
    return escape(md_cell(str(text)), quote=False)


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def against(value: float | None, budget: float | None) -> str:
    """Measured against budget, e.g. 4 ms / 5 s; "(over)" past the budget."""
    if value is None:
        return "-"
    shown = seconds(value)
    if budget is None:
        return shown
    return f"{shown} / {budget:g} s" + (" (over)" if value > budget else "")


def md_against(value: float | None, budget: float | None) -> str:
    """`against`, bold when over budget."""
    text = against(value, budget)
    return f"**{text}**" if text.endswith("(over)") else text


def _header(view: View) -> list[str]:
    rep, rows = view.report, view.rows
    verdict = "INTERRUPTED" if rep.interrupted else rep.verdict.value.upper()
    good = sum(1 for o in rows if o.as_expected)
    took = rep.stats.get("duration_s")
    return [
        f"## drill: {ICONS[rep.verdict]} {verdict}",
        "",
        f"{cell(rep.subject)}: {good} as expected, {len(rows) - good} not"
        + (f"; took {took:.1f} s" if isinstance(took, int | float) else ""),
        "",
    ]


def _why(results: list[Result]) -> list[str]:
    lines = []
    for r in results:
        if r.check == "drill.verdict" or r.outcome not in (Outcome.FAILED, Outcome.ERROR):
            continue
        lines.append(f"  - {ICONS[r.outcome]} `{r.check}` {r.outcome.value}: {cell(r.summary)}")
        lines += [f"    - {cell(f.line())}" for f in r.findings[:5]]
    return lines


def _failures(view: View) -> list[str]:
    bad = [o for o in view.rows if not o.as_expected]
    failed_trends = [r for r in view.report.results if r.check == "drill.trend"]
    if not bad and not failed_trends:
        return []
    lines = ["### What failed, and why", ""]
    for o in bad:
        lines.append(
            f"- {MARK[o.as_expected]} **{cell(o.scenario)}** ({cell(o.fault)}): "
            f"{cell(o.verdict)} (expected {cell(o.expected)}): {cell(o.reason)}"
        )
        lines += _why([r for r in view.report.results if r.scope == o.scenario])
    lines += [f"- ❌ **{cell(r.scope)}**: {cell(r.summary)}" for r in failed_trends]
    return [*lines, ""]


def _trends(view: View) -> list[str]:
    regressed = [t for t in view.trends if t.regressed]
    if not view.trends:
        return []
    if not regressed:
        return [f"No regressions against the baseline ({len(view.trends)} figures compared).", ""]
    lines = ["### Regressions against the baseline", ""]
    lines += [f"- 📈 {cell(t.line())}" for t in regressed]
    return [*lines, ""]


def _trend_cell(view: View, name: str) -> str:
    mine = [t for t in view.trends if t.scenario == name]
    if not mine:
        return "-"
    return ", ".join(f"{'📈 ' if t.regressed else ''}{t.metric} {t.shown_change}" for t in mine)


def _table(view: View) -> list[str]:
    lines = [
        "### Scenarios",
        "",
        "| | scenario | fault | verdict (expected) | fell back | MTTD / budget | MTTR / budget "
        "| vs baseline | took |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in view.rows:
        back = {True: "yes", False: "no", None: "-"}[o.fell_back]
        lines.append(
            f"| {MARK[o.as_expected]} | {cell(o.scenario)} | {cell(o.fault)} | {cell(o.verdict)} "
            f"({cell(o.expected)}) | {back} | {md_against(o.detect_s, o.budgets.get('detect_s'))} | "
            f"{md_against(o.restore_s, o.budgets.get('recover_s'))} | {_trend_cell(view, o.scenario)} | "
            f"{seconds(o.duration_s)} |"
        )
    return [*lines, ""]


def _details(view: View, o: Overview) -> list[str]:
    mine = [r for r in view.report.results if r.scope == o.scenario]
    start = next(
        (
            e.t
            for e in view.events
            if e.kind == EventKind.SCENARIO_STARTED and ScenarioStarted.of(e).scenario == o.scenario
        ),
        view.events[0].t,
    )
    lines = [
        f"<details><summary>{MARK[o.as_expected]} {cell(o.scenario)}: {cell(o.verdict)} "
        f"(expected {cell(o.expected)}), {len(mine)} results</summary>",
        "",
        "| | phase | s | summary |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {ICONS[r.outcome]} | `{r.check}` | {seconds(r.duration_s)} | {cell(r.summary)} |" for r in mine
    ]
    lines += ["", "| t (s) | event |", "|---|---|"]
    lines += [
        f"| {i.t - start:.3f} | {cell(i.text)} |" for i in timeline(view.events) if i.scenario == o.scenario
    ]
    return [*lines, "", "</details>", ""]


def render(view: View) -> str:
    lines = _header(view) + _failures(view) + _trends(view) + _table(view)
    if view.report.notes:
        lines += ["**Notes**", "", *[f"- {cell(n)}" for n in view.report.notes], ""]
    lines += ["### Details", ""]
    for o in view.rows:
        lines += _details(view, o)
    return truncate("\n".join(lines))
