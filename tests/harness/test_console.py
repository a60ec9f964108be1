"""The shared command-line edge: when stdout's reader goes away mid-command, and the
terminal rendering of a report."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.console import STDOUT_GONE, _unwritable, echo_report, error_boundary
from harness.results import Finding, Outcome, Report, Result

# A command that writes to stdout behind the edge's back, then would go on.
COMMAND = textwrap.dedent(
    """
    import click
    from cli.console import error_boundary

    @click.command()
    @error_boundary("demo")
    def demo() -> None:
        print("a line nobody reads", flush=True)

    demo()
    """
)


def test_a_write_that_cannot_carry_on_exits_141_without_a_message() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-c", COMMAND],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (STDOUT_GONE, "")


def test_a_broken_pipe_elsewhere_is_still_an_internal_error() -> None:
    @click.command()
    @error_boundary("demo")
    def demo() -> None:
        raise BrokenPipeError(32, "Broken pipe")  # e.g. a subprocess's stdin, not our stdout

    done = CliRunner().invoke(demo, [])
    assert done.exit_code == 3
    assert "demo: internal error: BrokenPipeError" in done.output


def test_a_control_character_in_a_scope_or_title_is_shown_visibly(capsys: pytest.CaptureFixture[str]) -> None:
    when = datetime(2026, 3, 12, 12, tzinfo=UTC)
    result = Result(
        check="P002",
        title="Every platform has\na fallback \ud800",
        scope="v0.7.0/\x1b[31mred\x07",
        outcome=Outcome.FAILED,
        summary="1 finding",
        findings=(Finding(subject="linux-x64", message="no fallback CLI bundle"),),
    )
    report = Report(tool="gate check", subject="v0.7.0", started_at=when, finished_at=when, results=(result,))
    echo_report(report)
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first == "failed   P002 v0.7.0/\\x1b[31mred\\x07: Every platform has\\na fallback \\ud800"
    assert not any(c in out for c in "\x1b\x07")


def test_an_error_quoting_an_untrusted_name_stays_one_line() -> None:
    """A path with a newline in an error message must not start a second (workflow command) line."""
    gate = str(Path(sys.executable).with_name("gate"))
    done = subprocess.run(
        [gate, "check", "--release", "v0.7.0", "--source", "/nonexistent\n::error::pwned"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gate: error: --source:")
    assert "/nonexistent\\n::error::pwned is not a folder" in done.stderr


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("gate", "check", "--release", "v0.7.x", "--source", "."), "--report-dir"),
        (("drill", "report", "journal.jsonl"), "--out"),
        (("drill", "run", "--suite", "standard"), "--out"),
    ],
)
def test_an_output_folder_that_cannot_be_made_is_refused_before_anything_runs(
    tmp_path: Path, command: tuple[str, ...], option: str
) -> None:
    """Bug: `--report-dir FILE/sub` ran the whole check, printed PASSED, then failed to
    write the reports with exit 3; `drill report --out FILE/x` named --report-dir."""
    (tmp_path / "afile").write_text("")
    proc = run_script(tmp_path, *command, option, str(tmp_path / "afile" / "sub"))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr.count("\n") == 1
    assert f"Invalid value for '{option}'" in proc.stderr
    assert f"cannot be created: '{tmp_path / 'afile'}' is a file, not a folder" in proc.stderr


def test_an_output_folder_under_folders_yet_to_be_made_is_fine(tmp_path: Path) -> None:
    assert _unwritable(tmp_path / "a" / "b" / "c") == ""
    assert _unwritable(tmp_path) == ""
    (tmp_path / "f").write_text("")
    assert "is a file" in _unwritable(tmp_path / "f" / "a" / "b")


def test_an_output_folder_that_cannot_be_examined_is_one_line(tmp_path: Path) -> None:
    """Bug: a name too long for the file system raised OSError from the option's check,
    before the error boundary: a traceback, exit 1."""
    too_long = tmp_path / ("a" * 300) / "x"
    assert _unwritable(too_long).startswith("cannot be examined (")
    check = ("gate", "check", "--release", "v0.7.1", "--source", ".")
    proc = run_script(tmp_path, *check, "--report-dir", str(too_long))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot be examined (File name too long)" in proc.stderr


def run_script(cwd: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script `name`, run in `cwd`."""
    script = str(Path(sys.executable).with_name(name))
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=60, check=False, cwd=cwd)
