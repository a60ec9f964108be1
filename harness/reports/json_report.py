"""report.json: the machine-readable report (schema_version 1)."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from harness.results import Finding, Report, Result, counts

SCHEMA_VERSION = 1


class FindingJSON(TypedDict):
    subject: str
    message: str
    expected: str
    actual: str
    where: str
    waived_by: str


class ResultJSON(TypedDict):
    check: str
    title: str
    scope: str
    outcome: str
    summary: str
    duration_s: float | None
    findings: list[FindingJSON]
    data: dict[str, Any]


def finding_json(finding: Finding) -> FindingJSON:
    return FindingJSON(
        subject=finding.subject,
        message=finding.message,
        expected=finding.expected,
        actual=finding.actual,
        where=finding.where,
        waived_by=finding.waived_by,
    )


def result_json(result: Result) -> ResultJSON:
    return ResultJSON(
        check=result.check,
        title=result.title,
        scope=result.scope,
        outcome=result.outcome.value,
        summary=result.summary,
        duration_s=result.duration_s,
        findings=[finding_json(f) for f in result.findings],
        data=dict(result.data),
    )


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": report.tool,
        "subject": report.subject,
        "verdict": report.verdict.value,
        "exit_code": int(report.exit_code),
        "interrupted": report.interrupted,
        "platforms": list(report.platforms),
        "release": report.release,
        "commit": report.commit,
        "shard": report.shard,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "counts": counts(report.results),
        "notes": list(report.notes),
        "stats": dict(report.stats),
        "results": [result_json(r) for r in report.results],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False, default=str) + "\n"
