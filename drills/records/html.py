"""report.html: one self-contained file (inline CSS and SVG, no scripts, no external assets)
rendered with jinja2 from drills/records/templates/report.html.j2, autoescaped: names and texts
from scenarios and containers are untrusted.

This module does the geometry (where each bar, point and mark goes); the template draws
it: a suite overview first, then per scenario the verdict and the rule that decided it, a
phase timeline on the scenario's own clock with its budgets as limits, the probe latency
chart per role with failed probes as distinct marks, budgets next to what was measured,
and links (relative, so an uploaded artifact works) to every evidence file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from drills.records import trends
from drills.records.overview import Detail, View, detail
from drills.records.summary import against, seconds

W = 900  # chart width
LEFT = 110  # room for labels left of a chart
GANTT_ROW = 20
CHART_H = 220
FAILED_BAND = 14  # failed probes are drawn in a band above the chart, not at 0 ms
ROLE_COLOURS = ("#0969da", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#57606a")
OUTCOME_COLOURS = {
    "passed": "#2da44e",
    "failed": "#cf222e",
    "error": "#bf8700",
    "waived": "#8c959f",
    "skipped": "#d0d7de",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("drills.records", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, kw_only=True)
class Scale:
    """Seconds on the scenario clock -> x pixels."""

    end_s: float

    def x(self, t: float) -> float:
        return round(LEFT + max(0.0, t) / self.end_s * (W - LEFT - 10), 1)

    def ticks(self) -> list[tuple[float, str]]:
        step = _nice(self.end_s / 8)
        count = int(self.end_s / step) + 1
        return [(self.x(i * step), f"{i * step:g}") for i in range(count)]


def _nice(raw: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) at least `raw`."""
    power = 10 ** math.floor(math.log10(max(raw, 1e-3)))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _scale(d: Detail) -> Scale:
    """The scenario's own span: a budget far beyond it is named, not drawn (it would squash
    the phases into a corner)."""
    ends = [b.end_s for b in d.bars] + [m.at_s for m in d.marks] + [p.at_s for p in d.points]
    return Scale(end_s=max([*ends, 0.001]) * 1.02)


def _latency(d: Detail, scale: Scale) -> dict[str, Any]:
    """Per role: the polyline of answered probes and the failed ones; the y axis."""
    answered = [p.latency_ms for p in d.points if p.ok and p.latency_ms is not None]
    top = _nice(max([*answered, 1.0]) * 1.1)
    span = CHART_H - FAILED_BAND - 20

    def y(ms: float) -> float:
        return round(FAILED_BAND + 6 + span * (1 - ms / top), 1)

    roles = list(dict.fromkeys(p.role for p in d.points))
    series = []
    for n, role in enumerate(roles):
        mine = [p for p in d.points if p.role == role]
        ok = [(scale.x(p.at_s), y(p.latency_ms), p) for p in mine if p.ok and p.latency_ms is not None]
        bad = [(scale.x(p.at_s), p) for p in mine if not p.ok]
        series.append(
            {
                "role": role,
                "colour": ROLE_COLOURS[n % len(ROLE_COLOURS)],
                "ok": ok,
                "bad": bad,
                "line": " ".join(f"{x},{yy}" for x, yy, _p in ok),
            }
        )
    yticks = [(y(top * i / 4), f"{top * i / 4:g}") for i in range(5)]
    return {"series": series, "yticks": yticks, "failed_y": FAILED_BAND / 2 + 2, "bottom": y(0)}


def _sparkline(view: View, name: str) -> dict[str, Any] | None:
    """Restore time across the kept nights (detection when there is no restore)."""
    for key in ("restore_s", "detect_s"):
        values = trends.series(view.history, name, key)
        known = [v for v in values if v is not None]
        if len(known) >= 2:
            top = max(known) or 1.0
            step = 80 / max(len(values) - 1, 1)
            points = " ".join(
                f"{i * step:.1f},{18 - v / top * 16:.1f}" for i, v in enumerate(values) if v is not None
            )
            return {
                "points": points,
                "what": key.removesuffix("_s"),
                "last": seconds(known[-1]),
                "nights": len(values),
            }
    return None


def _scenario(view: View, d: Detail) -> dict[str, Any]:
    results = [r for r in view.report.results if r.scope == d.row.scenario]
    # the report's outcome: a failure the scenario expects (broken-fallback) shows as waived
    shown = {r.check.removeprefix("drill."): r.outcome.value for r in results}
    d = replace(d, bars=[replace(b, outcome=shown.get(b.phase, b.outcome)) for b in d.bars])
    scale = _scale(d)
    return {
        "d": d,
        "results": results,
        "scale": scale,
        "ticks": scale.ticks(),
        "gantt_h": len(d.bars) * GANTT_ROW + 30,
        "limits": [m for m in d.limits if m.at_s <= scale.end_s],
        "latency": _latency(d, scale),
        "trends": [t for t in view.trends if t.scenario == d.row.scenario],
        "spark": _sparkline(view, d.row.scenario),
    }


def render(view: View, out_dir: Path) -> str:
    details = [detail(view.events, o.scenario, out_dir) for o in view.rows]
    return _ENV.get_template("report.html.j2").render(
        view=view,
        report=view.report,
        verdict=view.report.verdict.value,
        scenarios=[_scenario(view, d) for d in details],
        sparks={o.scenario: _sparkline(view, o.scenario) for o in view.rows},
        regressed=[t for t in view.trends if t.regressed],
        colours=OUTCOME_COLOURS,
        against=against,
        seconds=seconds,
        W=W,
        LEFT=LEFT,
        ROW=GANTT_ROW,
        CHART_H=CHART_H,
    )
