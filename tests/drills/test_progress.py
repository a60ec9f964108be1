"""Live progress: a line per phase as it ends, a status line on a terminal, ::group:: per
scenario under GitHub Actions, --quiet and --json for scripts."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.records.journal import Event
from drills.records.progress import Kind, Tracker, figure
from drills.scenario.model import SUITES
from tests.drills.conftest import PHASES

ROOT = Path(__file__).resolve().parents[2]
CRASH = str(SUITES["standard"] / "crash.yaml")


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    """What the pty says until `wanted` appears (or it closes, or time runs out)."""
    seen, until = b"", time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < until:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _under_pty(tmp_path: Path, env: dict[str, str]) -> tuple[bytes, bytes, int]:
    """(output while the run is held before its end, output after, exit code)."""
    master, slave = pty.openpty()
    go = tmp_path / "go"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.drills.pty_child", str(tmp_path / "out"), str(go)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    try:
        before = _read_until(master, b"verdict ", 60)
        before += _read_until(master, b"\n", 2)
        go.touch()
        after = _read_until(master, b"never", 60)
        return before, after, child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS", "CI_COLOR")}
    return {**env, "TERM": "xterm", "PYTHONPATH": str(ROOT), **extra}


@pytest.mark.slow
def test_a_terminal_sees_each_phase_line_before_the_run_ends(tmp_path):
    before, after, code = _under_pty(tmp_path, _env())
    assert code == 0, (before + after).decode(errors="replace")
    text = before.decode()
    for phase in PHASES:
        assert f" {phase} " in text, f"no {phase} line before the run ended:\n{text}"
    assert "detect 0 ms / budget 5 s" in text and "restored 2.3 s / budget 15 s" in text
    assert "\r\x1b[K[1/1] crash: verify ..." in text  # the live status line, rewritten in place
    assert "\x1b[32m" in text  # outcomes coloured on a terminal
    assert b"drill: PASSED" not in before and b"drill: PASSED" in after


@pytest.mark.slow
def test_no_color_keeps_the_terminal_plain(tmp_path):
    before, after, code = _under_pty(tmp_path, _env(NO_COLOR="1"))
    assert code == 0
    assert b" verify " in before and b"\x1b[3" not in before + after


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None, fake=None):
    from drills.run import wiring  # noqa: PLC0415
    from tests.drills.conftest import tools_for  # noqa: PLC0415

    wiring_tools = wiring.real_tools
    wiring.real_tools = lambda _work: tools_for(fake)  # type: ignore[assignment]
    try:
        return CliRunner().invoke(
            drill_cli, ["run", CRASH, "--out", str(tmp_path), "--no-reap", *args], env=env or {}
        )
    finally:
        wiring.real_tools = wiring_tools  # type: ignore[assignment]


def test_a_pipe_gets_plain_lines_and_actions_gets_a_group_per_scenario(fake, tmp_path):
    plain = _run(tmp_path / "a", fake=fake).output
    assert "crash            detect         passed " in plain and "\r" not in plain and "\x1b" not in plain
    assert "::group::" not in plain
    from fixtures.fake_engine import FakeDocker  # noqa: PLC0415
    from fixtures.fake_release import standard_behaviours  # noqa: PLC0415

    actions = _run(tmp_path / "b", env={"GITHUB_ACTIONS": "true"}, fake=standard_behaviours(FakeDocker()))
    lines = actions.output.splitlines()
    start, end = (
        lines.index("::group::[1/1] crash: fault crash, expect fallback"),
        lines.index("::endgroup::"),
    )
    assert start < next(n for n, line in enumerate(lines) if " verify " in line) < end


def test_quiet_prints_the_verdict_only_and_json_is_one_object(fake, tmp_path):
    quiet = _run(tmp_path / "q", "--quiet", fake=fake)
    assert quiet.exit_code == 0 and quiet.output.splitlines() == [quiet.output.splitlines()[-1]]
    assert quiet.output.startswith("drill: PASSED - run ")
    from fixtures.fake_engine import FakeDocker  # noqa: PLC0415
    from fixtures.fake_release import standard_behaviours  # noqa: PLC0415

    as_json = _run(tmp_path / "j", "--json", fake=standard_behaviours(FakeDocker()))
    assert as_json.exit_code == 0
    doc = json.loads(as_json.stdout.splitlines()[-1])
    assert doc["verdict"] == "passed" and doc["exit_code"] == 0
    (crash,) = doc["scenarios"]
    assert crash["name"] == "crash" and crash["restore_s"] > 0 and crash["budgets"]["recover_s"] == 15


def _event(kind: str, t: float = 0.0, **fields: object) -> Event:
    return Event(seq=1, t=t, kind=kind, fields=fields)


def test_each_phase_line_says_the_figure_that_matters_against_its_budget():
    budgets = {"detect_s": 5, "contain_s": 10, "recover_s": 15}
    assert figure("detect", {"latency_s": 0.004}, budgets) == "detect 4 ms / budget 5 s"
    assert (
        figure("verify", {"time_to_restore_s": 4.2, "p95_ms": 3.0}, budgets) == "restored 4.2 s / budget 15 s"
    )
    assert figure("contain", {"contain_s": 0.6}, {}) == "contained 600 ms"
    assert figure("fallback", {"ready_s": 1.84}, budgets) == "native answered 1.8 s / budget 15 s"
    assert figure("steady-state", {"p95_ms": 2.04}, budgets) == "p95 2.0 ms"
    assert figure("cleanup", {}, budgets) == ""
    tracker = Tracker()
    tracker.feed(_event("run.started", scenarios=["x"]))
    (begin,) = tracker.feed(_event("scenario.started", scenario="x", fault="crash", budgets=budgets))
    assert begin.kind is Kind.BEGIN
    (line,) = tracker.feed(
        _event(
            "phase.finished",
            scenario="x",
            phase="detect",
            outcome="failed",
            duration_s=6.1,
            data={"latency_s": 6.0},
        )
    )
    assert line.outcome == "failed" and line.text.endswith("failed     6.10 s  detect 6.0 s / budget 5 s")
    verdict, end = tracker.feed(
        _event(
            "scenario.finished",
            t=9.0,
            scenario="x",
            verdict="failed",
            expected="passed",
            as_expected=False,
            reason="detect: over budget",
        )
    )
    assert verdict.outcome == "failed" and "failed (expected passed) in 9.0 s" in verdict.text
    assert end.kind is Kind.END


def test_a_progress_listener_that_breaks_never_ends_the_run(fake, tmp_path):
    """Fails on a journal that lets the listener's exception escape into the run."""
    from drills.records import journal as journal_mod  # noqa: PLC0415
    from drills.run.runner import RunOptions, run  # noqa: PLC0415
    from tests.drills.conftest import standard, tools_for  # noqa: PLC0415

    calls: list[str] = []

    def broken(ev: Event) -> None:
        calls.append(ev.kind)
        raise TypeError("a bug in the progress printer")

    path = run(tools_for(fake), [standard("crash")], RunOptions(out_dir=tmp_path, on_event=broken))
    events = journal_mod.read(path)
    assert calls == ["run.started"]  # dropped after it broke
    finished = next(e for e in events if e.kind == "scenario.finished")
    assert finished.raw("as_expected") is True and events[-1].kind == "run.finished"
