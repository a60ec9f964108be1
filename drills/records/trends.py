"""Trends across nights: each scenario's detection and restore time against a baseline run's.

A baseline is an earlier run's report.json (`drill run --baseline PREVIOUS/report.json`, or
`drill compare A B`). A scenario whose detection or restore time grew by more than the
tolerance (and by more than a small absolute slack, so 4 ms becoming 9 ms is not news) is a
regression: a warning by default, a failed `drill.trend` result where the scenario's
`regression.fail` or `--fail-on-regression` says so. The tolerance is the scenario's own
(`regression.tolerance`, journalled with it) unless `--tolerance` gives one for every scenario.
A missing baseline is a note, never an error. report.json keeps the last HISTORY nights of
these numbers, so the HTML report can draw a sparkline per scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drills.records import baseline_shape
from harness import bounded_read, numbers
from harness.errors import ConfigError

HISTORY = 14  # nights kept in report.json
METRICS = {"detect": "detect_s", "restore": "restore_s"}  # what a trend compares
FIX = baseline_shape.FIX


@dataclass(frozen=True, kw_only=True)
class Policy:
    """How one scenario's trend is judged."""

    tolerance: float = 0.5  # a regression: more than 50 % slower than the baseline ...
    slack_s: float = 0.05  # ... and more than 50 ms slower
    fail: bool = False  # a regression fails the run (exit 1), not only warns


@dataclass(frozen=True, kw_only=True)
class Override:
    """What the command line says over every scenario's own `regression` section."""

    tolerance: float | None = None  # None: each scenario's own
    fail: bool = False  # every regression fails the run

    def policy(self, own: Mapping[str, Any] | None) -> Policy:
        """The policy for a scenario whose journalled `regression` section is `own`."""
        own = own or {}
        given = numbers.finite(own.get("tolerance"))
        tolerance = 0.5  # a journal from before the section, or a hand-edited one
        if self.tolerance is not None:
            tolerance = self.tolerance
        elif given is not None and given >= 0:
            tolerance = given
        return Policy(tolerance=tolerance, fail=self.fail or own.get("fail") is True)


@dataclass(frozen=True, kw_only=True)
class Trend:
    scenario: str
    metric: str  # detect or restore
    now_s: float
    base_s: float
    regressed: bool
    tolerance: float
    fail: bool = False  # a regression here fails the run

    @property
    def change(self) -> float | None:
        """Relative change: 2.0 is three times as slow; 0 s against 0 s is no change, and
        anything else against 0 s is none that a ratio can say (None)."""
        if self.base_s > 0:
            return (self.now_s - self.base_s) / self.base_s
        return 0.0 if self.now_s == self.base_s else None

    @property
    def shown_change(self) -> str:
        """The change as the reports show it: +7%, or n/a where there is no ratio."""
        return "n/a" if self.change is None else f"{self.change:+.0%}"

    def line(self) -> str:
        word = "regressed" if self.regressed else "within tolerance"
        return (
            f"{self.scenario}: {self.metric} {self.now_s:.3f} s vs {self.base_s:.3f} s in the baseline "
            f"({self.shown_change}; tolerance +{self.tolerance:.0%}): {word}"
        )


@dataclass(frozen=True, kw_only=True)
class Baseline:
    origin: str
    run_id: str
    numbers: Mapping[str, Mapping[str, float | None]]  # scenario -> metric key -> seconds
    history: tuple[Mapping[str, Any], ...]
    regression: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # scenario -> its section


def _numbers(scenarios: Mapping[str, Any], origin: str) -> dict[str, dict[str, float | None]]:
    """Per scenario, its detection and restore time (a shape baseline_shape.check has passed)."""
    where = f"{origin}: drill.scenarios"
    return {
        str(name): {
            key: numbers.reported(row.get(key), f"{where}.{name}.{key}", FIX) for key in METRICS.values()
        }
        for name, row in scenarios.items()
    }


def load(path: Path) -> tuple[Baseline | None, str | None]:
    """The baseline, or (None, a note) when there is none; a file that is not a drill
    report.json is a ConfigError (exit 2) naming it and, where it is one key, the key path."""
    try:
        raw = bounded_read.parse_json(bounded_read.read_bytes(path, 64 * bounded_read.MiB))
    except FileNotFoundError:
        return None, f"no baseline at {path} (the first night, or no earlier report): trends start now"
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{path}: cannot read the baseline report ({exc}); pass a drill report.json"
        ) from exc
    baseline_shape.check(raw, str(path))
    section, rows = raw["drill"], raw["drill"]["scenarios"]
    return Baseline(
        origin=str(path),
        run_id=str(raw.get("stats", {}).get("run_id") or ""),
        numbers=_numbers(rows, str(path)),
        history=tuple(section.get("history", [])),
        regression={str(name): row["regression"] for name, row in rows.items() if row.get("regression")},
    ), None


def compare(
    now: Mapping[str, Mapping[str, float | None]],
    baseline: Baseline | None,
    policies: Mapping[str, Policy],
) -> list[Trend]:
    """A trend per scenario and metric measured in both runs, in the run's order, each
    judged by its scenario's policy (the default Policy for one not named)."""
    if baseline is None:
        return []
    out = []
    for name, row in now.items():
        policy = policies.get(name, Policy())
        for metric, key in METRICS.items():
            value, base = row.get(key), baseline.numbers.get(name, {}).get(key)
            if value is None or base is None:
                continue
            worse = value - base
            regressed = worse > policy.slack_s and worse > base * policy.tolerance
            out.append(
                Trend(
                    scenario=name,
                    metric=metric,
                    now_s=value,
                    base_s=base,
                    regressed=regressed,
                    tolerance=policy.tolerance,
                    fail=policy.fail,
                )
            )
    return out


def history(baseline: Baseline | None, night: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The last HISTORY nights, this one last."""
    earlier = list(baseline.history) if baseline is not None else []
    return [*earlier, night][-HISTORY:]


def series(nights: Iterable[Mapping[str, Any]], scenario: str, key: str) -> list[float | None]:
    """One scenario's metric across the kept nights (None where it was not measured)."""
    out: list[float | None] = []
    for night in nights:
        row = (night.get("scenarios") or {}).get(scenario) or {}
        value = row.get(key) if isinstance(row, dict) else None
        out.append(numbers.finite(value))  # a gap in the sparkline, whatever the night holds
    return out
