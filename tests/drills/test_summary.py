"""summary.md of a drill run: failures first with their why, one row per scenario with MTTD
and MTTR against budget, details folded, far under GitHub's 1 MiB."""

from __future__ import annotations

from dataclasses import replace

from drills.records import journal, outputs
from drills.scenario.model import load_all, scenario_files
from fixtures.fake_engine import Behaviour
from tests.drills.conftest import drill, standard


def test_the_full_suite_summary_is_one_row_per_scenario_and_small(fake, tmp_path):
    _report, events = drill(fake, tmp_path, *load_all(scenario_files((), "standard")))
    outputs.write(events, tmp_path)
    text = (tmp_path / "summary.md").read_text()
    names = events[0].raw("scenarios")
    assert len(text.encode()) < 64 * 1024  # 330 timeline rows, yet far under GitHub's 1 MiB
    assert "### What failed" not in text
    table = text.split("### Scenarios")[1].split("### Details")[0]
    assert sum(line.startswith("| ✅ |") for line in table.splitlines()) == len(names)
    assert "| 0 ms / 5 s | 2.26 s / 15 s |" in table  # crash: MTTD and MTTR against budget
    assert text.count("<details>") == len(names) == text.count("</details>")
    assert text.index("### Scenarios") < text.index("<details>")


def test_failures_come_first_with_their_why(fake, tmp_path):
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=999)
    hang = standard("hang")
    _report, events = drill(
        fake, tmp_path, standard("none"), replace(hang, budgets=replace(hang.budgets, detect_s=0.1))
    )
    outputs.write(events, tmp_path)
    text = (tmp_path / "summary.md").read_text()
    why = text.split("### What failed, and why")[1].split("### Scenarios")[0]
    assert "**hang** (hang): failed (expected passed): detect: " in why
    assert "`drill.detect` failed: unhealthy detected 1100 ms after injection: over the 0.1 s budget" in why
    assert "none" not in why
    assert "| **1.10 s / 0.1 s (over)** |" in text


def test_untrusted_text_cannot_close_a_details_block(fake, tmp_path):
    drill(fake, tmp_path, standard("crash"))
    events = journal.read(tmp_path / "journal.jsonl")
    n = next(i for i, e in enumerate(events) if e.kind == "phase.finished")
    events[n] = replace(events[n], fields={**events[n].fields, "summary": "</details><img src=x>|x"})
    outputs.write(events, tmp_path)
    text = (tmp_path / "summary.md").read_text()
    assert "&lt;/details&gt;&lt;img src=x&gt;\\|x" in text and "<img" not in text
