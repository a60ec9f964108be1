"""The shape a baseline report.json must have for trends to read it (`--baseline` on
`drill run` and `drill report`, both files of `drill compare`): every key drills/records/
trends.py and the reports built on it read, checked where the file is read, so a report.json
edited by hand or written by another tool is one ConfigError naming the file and the key
path, never a crash in a reader or a trend judged on a value no drill run writes.

What is read: `stats.run_id`; per scenario of `drill.scenarios`, its `detect_s` and
`restore_s` (seconds, or null when not measured) and the `regression` policy `drill compare`
judges by; per night of `drill.history`, each scenario's figures (drawn as a sparkline,
where a figure that is no finite number is a gap, as it always was).
"""

from __future__ import annotations

from typing import Any

from drills.records.journal_shape import MAX_TOLERANCE
from harness import numbers
from harness.errors import ConfigError

FIX = "pass the report.json a drill run wrote"
METRIC_KEYS = ("detect_s", "restore_s")  # trends.METRICS' keys


def check(raw: Any, origin: str) -> None:
    """Refuse (ConfigError, one line: file, key path, what is wrong, how to fix) a document
    trends cannot read as a drill report.json."""
    doc = _object(raw, f"{origin}: the document")
    section = doc.get("drill")
    if not isinstance(section, dict) or "scenarios" not in section:
        raise ConfigError(f"{origin}: no drill.scenarios object; pass the report.json of a drill run")
    _stats(doc.get("stats", {}), f"{origin}: stats")
    for name, row in _object(section["scenarios"], f"{origin}: drill.scenarios").items():
        _scenario(row, f"{origin}: drill.scenarios.{name}")
    _history(section.get("history", []), f"{origin}: drill.history")


def _refused(where: str, what: str) -> ConfigError:
    return ConfigError(f"{where}: {what}; {FIX}")


def _show(value: Any) -> str:
    if numbers.is_number(value) and numbers.finite(value) is None:
        return numbers.shown(value)  # 1e400's digits: their count, not a page of them
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _refused(where, f"{_show(value)} is not an object")
    return value


def _stats(value: Any, where: str) -> None:
    run_id = _object(value, where).get("run_id")
    if not (run_id is None or isinstance(run_id, str)):
        raise _refused(f"{where}.run_id", f"{_show(run_id)} is not a run id (text)")


def _scenario(row: Any, where: str) -> None:
    """A scenario's figures, judged against; and its policy, which `drill compare` judges by."""
    mine = _object(row, where)
    for key in METRIC_KEYS:
        seconds = numbers.reported(mine.get(key), f"{where}.{key}", FIX)  # refuses NaN, 1e400
        _seconds(mine.get(key), seconds, f"{where}.{key}")
    if mine.get("regression") is not None:
        _regression(mine["regression"], f"{where}.regression")


def _seconds(given: Any, seconds: float | None, where: str) -> None:
    if given is not None and seconds is None:
        raise _refused(where, f"{_show(given)} is not a number of seconds or null")
    if seconds is not None and seconds < 0:
        raise _refused(where, f"{_show(given)} is not a number of seconds (0 or more)")


def _regression(value: Any, where: str) -> None:
    section = _object(value, where)
    tolerance = numbers.finite(given := section.get("tolerance"))
    if tolerance is None or not 0 <= tolerance <= MAX_TOLERANCE:
        raise _refused(f"{where}.tolerance", f"{_show(given)} is not a number from 0 to {MAX_TOLERANCE}")
    if not isinstance(section.get("fail"), bool):
        raise _refused(f"{where}.fail", f"{_show(section.get('fail'))} is not true or false")


def _history(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _refused(where, f"{_show(value)} is not a list of nights")
    for n, night in enumerate(value):
        here = f"{where}[{n}]"
        for name, row in _object(_object(night, here).get("scenarios", {}), f"{here}.scenarios").items():
            _night_figures(row, f"{here}.scenarios.{name}")


def _night_figures(row: Any, where: str) -> None:
    """A night's figures are drawn, not judged: one that is no finite number is a gap."""
    mine = _object(row, where)
    for key in METRIC_KEYS:
        given = mine.get(key)
        if not (given is None or numbers.is_number(given)):
            raise _refused(f"{where}.{key}", f"{_show(given)} is not a number of seconds or null")
        seconds = numbers.finite(given)
        if seconds is not None and seconds < 0:
            raise _refused(f"{where}.{key}", f"{_show(given)} is not a number of seconds (0 or more)")
