"""`gate recover --baseline`: every metric of a previous report.json, and the deltas to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness import bounded_read, numbers
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


MAX_BYTES = 64 * bounded_read.MiB
JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}


class Malformed(ValueError):
    """A report.json that is JSON, but not shaped like a gate report."""


def _mapping(value: Any, where: str) -> dict[str, Any]:
    """`value` when it is a JSON object (absent counts as empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{where} is {JSON_TYPES.get(type(value), 'a number')}, expected an object")
    return value


def _field(item: dict[str, Any], key: str, where: str) -> Any:
    if key not in item:
        raise Malformed(f"{where} has no '{key}'")
    return item[key]


def _check_metrics(metrics: dict[str, Any], where: str) -> None:
    """Numbers must be finite floats: a 401-digit integer overflows, Infinity poisons deltas."""
    for name, value in metrics.items():
        if numbers.is_number(value) and numbers.finite(value) is None:
            raise Malformed(f"{where}.{name} is {numbers.shown(value)}, expected a finite number")


def _result(item: Any, where: str) -> Result:
    r = _mapping(item, where)
    data = _mapping(r.get("data"), f"{where}.data")
    _check_metrics(_mapping(data.get("metrics"), f"{where}.data.metrics"), f"{where}.data.metrics")
    outcome = _field(r, "outcome", where)
    if outcome not in tuple(Outcome):
        raise Malformed(f"{where}.outcome is {outcome!r}, expected one of {', '.join(Outcome)}")
    return Result(
        check=str(_field(r, "check", where)),
        title=str(r.get("title", "")),
        scope=str(_field(r, "scope", where)),
        outcome=Outcome(outcome),
        summary=str(r.get("summary", "")),
        data=data,
    )


def _results(document: Any) -> list[Result]:
    items = _field(_mapping(document, "the document"), "results", "the document")
    if not isinstance(items, list):
        raise Malformed(f"results is {JSON_TYPES.get(type(items), 'a number')}, expected an array")
    return [_result(item, f"results[{i}]") for i, item in enumerate(items)]


def load(path: Path) -> dict[str, float]:
    """Every metric of a previous run's report.json, keyed like metrics_of."""
    try:
        text = bounded_read.read_text(path, MAX_BYTES)
        return metrics_of(_results(bounded_read.parse_json(text)))
    except FileNotFoundError as exc:
        raise ConfigError(f"--baseline {path}: no such file; pass a report.json of an earlier run") from exc
    except (OSError, ValueError) as exc:  # Malformed and JSONDecodeError are ValueErrors
        raise ConfigError(
            f"--baseline {path}: not a gate report.json ({exc}); pass the report.json an earlier "
            "`gate recover` wrote"
        ) from exc


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
