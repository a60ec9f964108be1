"""A self-contained HTML report: verdicts, per-phase results, a timeline and an inline-SVG
latency chart per scenario (no scripts, no external assets)."""

from __future__ import annotations

from html import escape

from drills.records.journal import Event
from drills.records.outputs import overview, timeline
from harness.results import Outcome, Report

COLOURS = {
    Outcome.PASSED: "#1a7f37",
    Outcome.FAILED: "#cf222e",
    Outcome.ERROR: "#9a6700",
    Outcome.WAIVED: "#6e7781",
    Outcome.SKIPPED: "#6e7781",
}
W, H, PAD = 640, 160, 30
OK = {True: Outcome.PASSED, False: Outcome.FAILED, None: Outcome.ERROR}


def _chart(samples: list[Event], start: float) -> str:
    if not samples:
        return "<p>no probe samples</p>"
    xs = [e.t - start for e in samples]
    lat = [float(e.get("latency_ms") or 0.0) for e in samples]
    x0, x1, top = min(xs), max(xs) or 1.0, max(*lat, 1.0)

    def px(x: float) -> float:
        return PAD + (x - x0) / max(x1 - x0, 1e-9) * (W - 2 * PAD)

    def py(y: float) -> float:
        return H - PAD - y / top * (H - 2 * PAD)

    dots = []
    for e, x, y in zip(samples, xs, lat, strict=True):
        colour = "#1a7f37" if e.get("ok") else "#cf222e"
        cy = py(y) if e.get("ok") else H - PAD
        dots.append(
            f'<circle cx="{px(x):.1f}" cy="{cy:.1f}" r="2.5" fill="{colour}">'
            f"<title>{x:.3f} s {escape(str(e.get('role')))} {escape(str(e.get('phase')))}"
            f" {y:.1f} ms {escape(str(e.get('error') or ''))}</title></circle>"
        )
    axes = (
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#888"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#888"/>'
        f'<text x="{PAD}" y="{PAD - 8}" font-size="10">{top:.1f} ms</text>'
        f'<text x="{W - PAD}" y="{H - 8}" font-size="10" text-anchor="end">{x1:.2f} s</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'role="img" aria-label="probe latency">{axes}{"".join(dots)}</svg>'
    )


def _scenario(report: Report, events: list[Event], name: str, start: float) -> str:
    rows = "".join(
        f'<tr><td style="color:{COLOURS[r.outcome]}">{r.outcome.value}</td>'
        f"<td>{escape(r.check)}</td><td>{r.duration_s or 0:.3f}</td>"
        f"<td>{escape(r.summary)}</td></tr>"
        for r in report.results
        if r.scope == name
    )
    samples = [e for e in events if e.kind == "sample" and e.get("scenario") == name]
    items = "".join(
        f"<li>{item.t - start:.3f} s: {escape(item.text)}</li>"
        for item in timeline(events)
        if item.scenario == name
    )
    return (
        f"<section id='{escape(name)}'><h2>{escape(name)}</h2><table><tr><th>outcome</th><th>phase</th>"
        f"<th>s</th><th>summary</th></tr>{rows}</table>"
        f"<h3>Probe latency (red: failed probe)</h3>{_chart(samples, start)}"
        f"<h3>Timeline</h3><ol>{items}</ol></section>"
    )


def _overview(events: list[Event]) -> str:
    def cell(value: float | None, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    rows = "".join(
        f'<tr><td style="color:{COLOURS[OK[o.as_expected]]}">{OK[o.as_expected].value}</td>'
        f"<td><a href='#{escape(o.scenario)}'>{escape(o.scenario)}</a></td>"
        f"<td>{escape(o.fault)}</td><td>{escape(o.verdict)} ({escape(o.expected)})</td>"
        f"<td>{'-' if o.fell_back is None else 'yes' if o.fell_back else 'no'}</td>"
        f"<td>{cell(o.detect_ms, '.0f')}</td><td>{cell(o.restore_s, '.2f')}</td>"
        f"<td>{cell(o.duration_s, '.1f')}</td></tr>"
        for o in overview(events)
    )
    return (
        "<table><tr><th>as expected</th><th>scenario</th><th>fault</th><th>verdict "
        "(expected)</th><th>fell back</th><th>detected (ms)</th><th>restored (s)</th>"
        f"<th>took (s)</th></tr>{rows}</table>"
    )


def render(report: Report, events: list[Event]) -> str:
    start = events[0].t
    names = list(dict.fromkeys(r.scope for r in report.results))
    verdict = report.verdict
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
    body = "".join(_scenario(report, events, name, start) for name in names)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>drill report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style></head><body>"
        f'<h1>drill: <span style="color:{COLOURS[verdict]}">{verdict.value.upper()}</span>'
        f"</h1><p>{escape(report.subject)}</p><ul>{notes}</ul>{_overview(events)}{body}"
        "</body></html>\n"
    )
