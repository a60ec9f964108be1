"""What `gate prune` and `drill report` print from untrusted names and journals stays on
its own line: a newline inside a name must never start a line, which under GitHub Actions
would be read as a workflow command (`::error::...`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.standard.releases import write_line
from fixtures.fake_engine import FakeDocker
from fixtures.fake_release import standard_behaviours
from tests.drills.conftest import drill, standard
from tests.gates.conftest import run_gate

PWNED = "\n::error::pwned"


def test_gate_prune_prints_a_name_with_a_newline_on_one_line(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line")
    old = line / "v0.7.0"
    shutil.copy(old / "fuse-cli-linux-x64.tar.gz", old / f"fuse-cli-linux-x64{PWNED}.tar.gz")
    proc = run_gate("prune", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-07-01")
    assert proc.returncode == 0, proc.stderr
    assert not [row for row in proc.stdout.splitlines() if row.startswith("::")]
    assert "delete   v0.7.0/fuse-cli-linux-x64\\n::error::pwned.tar.gz: " in proc.stdout


def test_drill_report_prints_journal_text_with_newlines_on_one_line(tmp_path: Path) -> None:
    drill(standard_behaviours(FakeDocker()), tmp_path / "run", standard("crash"))
    path = tmp_path / "run" / "journal.jsonl"
    events = [json.loads(row) for row in path.read_text().splitlines()]
    for event in events:
        if "reason" in event:
            event["reason"] += PWNED
    *body, finished = events
    note = {"seq": finished["seq"], "t": finished["t"], "kind": "run.note", "note": f"cut{PWNED}"}
    events = [*body, note, {**finished, "seq": finished["seq"] + 1}]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = CliRunner().invoke(drill_cli, ["report", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert not [row for row in result.output.splitlines() if row.startswith("::")]
    assert "passed   crash drill.verdict: passed (expected passed): " in result.output
    assert "\\n::error::pwned" in result.output
    assert "note: cut\\n::error::pwned" in result.output
