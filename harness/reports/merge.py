"""Several runs' report.json as one report: the shared part of `gate merge` and `drill merge`.

A report is read back into the result model (bounded in size, its shape checked), the runs'
identities are compared (one commit, one release: mixing runs of two builds would make a
verdict about neither) and the results are put side by side, each scoped by the platform or
shard its run covered. What the merged runs must cover (every platform of the contract,
every shard of the suite) is the feature's own rule: gates/merge.py and drills/records/merge.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from harness import bounded_read, numbers
from harness.errors import ConfigError
from harness.reports.json_report import SCHEMA_VERSION
from harness.results import Finding, Outcome, Report, Result

MAX_REPORT_BYTES = 64 * 1024 * 1024
_FINDING_KEYS = ("subject", "message", "expected", "actual", "where", "waived_by")


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """One run's report, read back, and the file it came from."""

    path: Path
    report: Report

    @property
    def label(self) -> str:
        """The run in one word: its platform or shard (for scopes and messages)."""
        r = self.report
        if r.shard:
            return f"shard {r.shard}"
        return r.platforms[0] if len(r.platforms) == 1 else ""


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key}: expected a string, got {type(value).__name__}")
    return value


def _result(data: Any, where: str) -> Result:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected an object")
    try:
        outcome = Outcome(str(data.get("outcome")))
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise ConfigError(f"{where}: outcome: '{data.get('outcome')}' is not one of {known}") from None
    findings = data.get("findings") or []
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        raise ConfigError(f"{where}: findings: expected a list of objects")
    return Result(
        check=_text(data, "check", where),
        title=_text(data, "title", where),
        scope=_text(data, "scope", where),
        outcome=outcome,
        summary=_text(data, "summary", where),
        findings=tuple(Finding(**{k: str(f.get(k, "")) for k in _FINDING_KEYS}) for f in findings),
        duration_s=numbers.reported(
            data.get("duration_s"), f"{where}: duration_s", "pass a report.json the gate or drill wrote"
        ),
        data=_object(data, "data"),
    )


def _object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _time(data: Mapping[str, Any], key: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(_text(data, key, where))
    except ValueError:
        raise ConfigError(f"{where}: {key}: not an ISO 8601 time") from None


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of strings")
    return tuple(value)


def _document(path: Path) -> dict[str, Any]:
    try:
        raw = bounded_read.read_bytes(path, MAX_REPORT_BYTES)
    except bounded_read.Refused as exc:
        raise ConfigError(f"{path}: {exc}; pass a report.json") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the report ({exc.strerror}); pass a report.json") from None
    if len(raw) > MAX_REPORT_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_REPORT_BYTES} bytes; not a report.json of this tool")
    try:
        data = bounded_read.parse_json(raw)
    except ValueError as exc:
        raise ConfigError(f"{path}: not JSON ({exc}); pass a report.json the gate or drill wrote") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: schema_version: expected {SCHEMA_VERSION}; pass a report.json the gate or drill wrote"
        )
    return data


def load(path: Path) -> Loaded:
    """A report.json read back into a Report; a malformed one is a ConfigError naming the key."""
    data = _document(path)
    where = str(path)
    results = data.get("results")
    if not isinstance(results, list):
        raise ConfigError(f"{where}: results: expected a list")
    report = Report(
        tool=_text(data, "tool", where),
        subject=_text(data, "subject", where),
        started_at=_time(data, "started_at", where),
        finished_at=_time(data, "finished_at", where),
        results=tuple(_result(r, f"{where}: results[{i}]") for i, r in enumerate(results)),
        notes=_strings(data, "notes", where),
        stats=_object(data, "stats"),
        interrupted=data.get("interrupted") is True,
        platforms=_strings(data, "platforms", where),
        release=_text(data, "release", where),
        commit=_text(data, "commit", where),
        shard=_text(data, "shard", where),
    )
    return Loaded(path=path, report=report)


def same_run(runs: Sequence[Loaded], *, commit: str = "", release: str = "") -> tuple[str, str]:
    """The commit and release every run covered; runs of another commit or tag are refused.

    `commit`/`release`, when given, are what every run must say (the workflow's own SHA).
    """
    for key, wanted in (("commit", commit), ("release", release)):
        expected = wanted or getattr(runs[0].report, key)
        source = "expected" if wanted else f"{runs[0].path}'s"
        for run in runs:
            got = getattr(run.report, key)
            if got != expected:
                raise ConfigError(
                    f"{run.path}: {key} '{got or '(none)'}' is not {source} '{expected or '(none)'}'; "
                    f"merge only reports of one {key} (rerun the stale job)"
                )
    return runs[0].report.commit, runs[0].report.release


def scoped(run: Loaded) -> tuple[Result, ...]:
    """The run's results, their scope prefixed with the one platform the run covered, so
    the platforms' suites stay apart (a whole-release run and a drill shard, whose scenario
    names are unique across shards, keep their scopes)."""
    label = run.label
    if not label or run.report.shard:
        return run.report.results
    return tuple(replace(r, scope=f"{label}/{r.scope}" if r.scope else label) for r in run.report.results)


def interrupted(runs: Sequence[Loaded], check: str) -> list[Result]:
    """An error per run that was interrupted: its results are partial."""
    return [
        Result(
            check=check,
            title="Every merged run finished (none was interrupted)",
            scope=run.label or run.report.tool,
            outcome=Outcome.ERROR,
            summary=f"{run.path}: the run was interrupted; its results are partial",
        )
        for run in runs
        if run.report.interrupted
    ]


def combined(runs: Sequence[Loaded], tool: str, coverage: Sequence[Result], **covers: Any) -> Report:
    """One report: the coverage results first, then every run's results and notes."""
    notes = [
        f"{run.path}: {' '.join(filter(None, (run.report.tool, run.label)))} {run.report.verdict.value}"
        for run in runs
    ]
    notes += [f"{run.label or run.report.tool}: {note}" for run in runs for note in run.report.notes]
    return Report(
        tool=tool,
        subject=covers.pop("subject"),
        started_at=min(r.report.started_at for r in runs),
        finished_at=max(r.report.finished_at for r in runs),
        results=(*coverage, *(x for r in runs for x in scoped(r))),
        notes=tuple(notes),
        stats={"merged_reports": len(runs)},
        **covers,
    )
