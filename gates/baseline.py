"""`gate recover --baseline`: every metric of a previous report.json, and the deltas to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.results import Outcome, Result


def metrics_of(results: Sequence[Result]) -> dict[str, float]:
    """Every numeric data.metrics value, keyed 'CHECK[scope].name'."""
    out: dict[str, float] = {}
    for result in results:
        for name, value in (result.data.get("metrics") or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f"{result.check}[{result.scope}].{name}"] = float(value)
    return out


def load(path: Path) -> dict[str, float]:
    """Every metric of a previous run's report.json, keyed like metrics_of."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        items = document["results"]
        results = [
            Result(
                check=r["check"],
                title=r.get("title", ""),
                scope=r["scope"],
                outcome=Outcome(r["outcome"]),
                summary=r.get("summary", ""),
                data=r.get("data") or {},
            )
            for r in items
        ]
    except FileNotFoundError as exc:
        raise ConfigError(f"--baseline {path}: no such file") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"--baseline {path}: not a gate report.json ({exc})") from exc
    return metrics_of(results)


def with_deltas(results: list[Result], baseline: dict[str, float]) -> tuple[list[Result], list[str]]:
    """Each result gets data.baseline (previous value and delta per metric); notes list them."""
    notes: list[str] = []
    out: list[Result] = []
    for result in results:
        deltas: dict[str, Any] = {}
        for key, value in metrics_of([result]).items():
            if key in baseline:
                delta = round(value - baseline[key], 3)
                deltas[key.rsplit(".", 1)[1]] = {"baseline": baseline[key], "delta": delta}
                notes.append(f"{key}: {value:g} (baseline {baseline[key]:g}, {delta:+g})")
        out.append(replace(result, data={**result.data, "baseline": deltas}) if deltas else result)
    return out, notes
