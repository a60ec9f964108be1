"""Evidence folders hold one run each: an earlier run's evidence moves aside, never mixes in."""

from __future__ import annotations

import os
from pathlib import Path

from fixtures.fake_engine import Behaviour
from tests.drills.conftest import drill, phase_of, standard, verdict_of


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_run_starts_with_an_empty_evidence_folder(fake, tmp_path):
    first, _ = drill(fake, tmp_path, standard("crash"), run_id="run1")
    assert verdict_of(first, "crash").data["fell_back"] is True
    folder = tmp_path / "evidence" / "crash"
    assert {"fallback-native.log", "previous-aot.log"} <= set(_listing(folder))

    # the shadow dies now, so no fallback: the new evidence has no fallback or previous AOT
    fake.role_behaviours["shadow-native"] = Behaviour(exit_after_s=0.01, exit_code=126)
    second, events = drill(fake, tmp_path, standard("crash"), run_id="run2")
    diagnostics = phase_of(second, "crash", "diagnostics")
    assert diagnostics.data["folder"] == str(folder)
    assert _listing(folder) == sorted(diagnostics.data["files"])
    assert not any(n.startswith(("fallback-native.", "previous-aot.")) for n in _listing(folder))
    assert (folder / "run-id.txt").read_text() == "run2\n"

    earlier = tmp_path / "evidence" / "crash.run1"
    assert {"fallback-native.log", "previous-aot.log", "fuse-aot-demo"} <= set(_listing(earlier))
    assert (earlier / "run-id.txt").read_text() == "run1\n"
    moved = [e for e in events if e.kind == "action" and e.raw("action") == "evidence-aside"]
    assert [(m.raw("folder"), m.raw("to")) for m in moved] == [(str(folder), str(earlier))]


def test_evidence_that_names_no_run_moves_aside_by_its_time(fake, tmp_path):
    folder = tmp_path / "evidence" / "crash"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("an SRE's notes\n")
    os.utime(folder, (1_700_000_000, 1_700_000_000))
    (tmp_path / "evidence" / "crash.1700000000").mkdir()  # taken: the next free name is used
    drill(fake, tmp_path, standard("crash"))
    assert (tmp_path / "evidence" / "crash.1700000000-2" / "notes.txt").read_text() == "an SRE's notes\n"
    assert "notes.txt" not in _listing(folder)


DB_500 = (
    '{"error":{"code":"internal_error","message":"db url not configured (set FUSE_DB_URL or App.dbUrl)"}}'
)


def test_a_deploy_that_never_gets_healthy_keeps_evidence_and_quotes_the_answer(fake, tmp_path):
    fake.role_behaviours["candidate-aot"] = Behaviour(healthy=False, body=DB_500)
    report, _ = drill(fake, tmp_path, standard("crash", ready_s=1.0))
    deploy = phase_of(report, "crash", "deploy")
    assert deploy.outcome.value == "error"
    assert f"never answered /health healthy within 1 s: last answer HTTP 500 {DB_500}; " in deploy.summary
    assert "FUSE_DB_URL is not in the AOT's environment (FUSE's AOT ignores .env)" in deploy.summary
    diagnostics = phase_of(report, "crash", "diagnostics")  # before, only after an injection
    folder = tmp_path / "evidence" / "crash"
    assert {"candidate-aot.log", "candidate-aot.inspect.json"} <= set(diagnostics.data["files"])
    assert {"candidate-aot.log", "candidate-aot.inspect.json"} <= set(_listing(folder))


def test_a_candidate_that_exits_before_answering_says_how_it_ended(fake, tmp_path):
    fake.role_behaviours["candidate-aot"] = Behaviour(
        exit_after_s=0.05, exit_code=127, log="libm.so.6: cannot open\n"
    )
    report, _ = drill(fake, tmp_path, standard("crash"))
    deploy = phase_of(report, "crash", "deploy")
    assert "it exited (code 127): libm.so.6: cannot open" in deploy.summary
    assert (tmp_path / "evidence" / "crash" / "candidate-aot.log").is_file()
