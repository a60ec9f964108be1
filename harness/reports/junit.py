"""JUnit XML: one test suite per scope (release or scenario), one test case per check.

`failed` becomes <failure>, `error` becomes <error>, so CI tools keep them apart;
waived and skipped results are <skipped> with the reason. Every text goes through
`one_line`, so no finding text (control characters, undecodable names) can make the XML
ill-formed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from harness.results import Outcome, Report, Result, counts
from harness.text import one_line

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


def _testcase(suite: ET.Element, result: Result) -> None:
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - loaded only when a report is written

    case = ET.SubElement(
        suite,
        "testcase",
        name=one_line(f"{result.check}: {result.title}"),
        classname=one_line(result.scope or "run"),
        time=f"{result.duration_s or 0.0:.3f}",
    )
    summary = one_line(result.summary)
    body = "\n".join(f.line() for f in result.findings) or summary
    if result.outcome is Outcome.FAILED:
        ET.SubElement(case, "failure", message=summary, type="failed").text = body
    elif result.outcome is Outcome.ERROR:
        ET.SubElement(case, "error", message=summary, type="error").text = body
    elif result.outcome in (Outcome.WAIVED, Outcome.SKIPPED):
        ET.SubElement(case, "skipped", message=f"{result.outcome.value}: {summary}")
    else:
        ET.SubElement(case, "system-out").text = summary


def render(report: Report) -> str:
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - loaded only when a report is written

    by_scope: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_scope[result.scope or "run"].append(result)
    tally = counts(report.results)
    root = ET.Element(
        "testsuites",
        name=one_line(report.tool),
        tests=str(len(report.results)),
        failures=str(tally["failed"]),
        errors=str(tally["error"]),
        skipped=str(tally["skipped"] + tally["waived"]),
    )
    for scope, results in by_scope.items():
        part = counts(results)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=one_line(f"{report.tool} {scope}"),
            tests=str(len(results)),
            failures=str(part["failed"]),
            errors=str(part["error"]),
            skipped=str(part["skipped"] + part["waived"]),
            timestamp=report.started_at.isoformat(),
        )
        for result in results:
            _testcase(suite, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
