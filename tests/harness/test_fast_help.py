"""The help screens printed without click (cli/fast_help.py): each is what click renders now,
the installed scripts print what click would at every width and for every command line, and
a plain `--help` imports no click."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from cli import fast_help, gate, help_screens

BIN = Path(sys.executable).parent
ASKS = {
    "gate": [
        ["--help"],
        ["-h"],
        ["check", "--help"],
        ["recover", "-h"],
        ["chek", "--help"],  # a mistyped command: click suggests `check`
        ["--debug", "--help"],
        ["check", "--help", "--release"],
        [],
    ],
    "drill": [["--help"], ["run", "--help"], ["merge", "-h"], ["../gate", "--help"], ["-x", "--help"]],
}
ASKED = [(program, args) for program, asks in ASKS.items() for args in asks]


def on_disk() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in Path(fast_help.HELP).iterdir()}


def script(program: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / program), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def by_click(program: str, args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """What click itself answers, run as the script runs it but with no fast path."""
    code = f"import sys; sys.argv[0] = {program!r}; from cli.{program} import {program}; {program}()"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_every_screen_on_disk_is_what_click_renders_now() -> None:
    """After changing a command's help: `python -m cli.fast_help` rewrites cli/help/."""
    assert on_disk() == help_screens.render()


def test_a_help_text_changed_without_rewriting_the_screens_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate.gate, "help", "Release gate for FUSE, reworded.")
    rendered = help_screens.render()
    assert rendered["gate.txt"] != on_disk()["gate.txt"]
    assert {name for name in rendered if rendered[name] != on_disk()[name]} == {"gate.txt"}


@pytest.mark.parametrize(("program", "args"), ASKED, ids=[f"{p} {' '.join(a)}" for p, a in ASKED])
@pytest.mark.parametrize("columns", ["", "40", "79", "80", "200"])
def test_the_installed_script_answers_as_click_does(program: str, args: list[str], columns: str) -> None:
    env = {"COLUMNS": columns}  # "" reads as unset: not a terminal here, so click takes 80
    proc = script(program, args, env)
    assert (proc.returncode, proc.stdout, proc.stderr) == by_click(program, args, env)


MODULES_AT_EXIT = (
    "import atexit, sys; "
    "atexit.register(lambda: print(*sorted(sys.modules), file=sys.stderr)); "
    "sys.argv[0] = 'gate'; from cli.start import gate; sys.exit(gate())"
)


@pytest.mark.parametrize(("columns", "fast"), [("80", True), ("120", True), ("79", False), ("50", False)])
def test_only_a_wide_enough_plain_help_skips_click(columns: str, fast: bool) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, "check", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": columns},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: gate check [OPTIONS]")
    imported = set(proc.stderr.split())
    assert ("click" not in imported) is fast
    assert ("cli.gate_commands" not in imported) is fast
    if fast:
        assert {"cli.start", "cli.fast_help"} <= imported


def test_a_script_under_another_name_is_named_by_click(tmp_path: Path) -> None:
    renamed = tmp_path / "fuse-gate"
    renamed.symlink_to(BIN / "gate")
    proc = subprocess.run(
        [str(renamed), "--help"], capture_output=True, text=True, timeout=60, check=False, env=os.environ
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: fuse-gate [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize("columns", ["80", "60"])
def test_a_reader_gone_before_the_help_is_written_is_clicks_exit_code(columns: str) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [str(BIN / "drill"), "--help"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "COLUMNS": columns},
        )
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (fast_help.BROKEN_PIPE, "")


@pytest.mark.parametrize("value", [None, "", "0", "-3", "abc", "1", "79", "80", "250", " 90 "])
def test_the_width_is_read_as_shutil_reads_it(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", value)
    assert fast_help.columns() == shutil.get_terminal_size().columns


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--help"], "gate.txt"),
        (["-h"], "gate.txt"),
        (["check", "--help"], "gate-check.txt"),
        (["check", "-h"], "gate-check.txt"),
        (["--debug", "--help"], None),
        (["check", "--help", "x"], None),
        (["check"], None),
        (["help"], None),
        ([], None),
    ],
)
def test_which_command_lines_have_a_screen(args: list[str], name: str | None) -> None:
    assert fast_help.screen_name("gate", args) == name


@pytest.mark.parametrize("columns", ["80", "60"])
def test_with_stdout_closed_the_help_ends_as_clicks_does(columns: str) -> None:
    """Bug: the fast path wrote to a stdout Python had set to None: a traceback, exit 1."""
    proc = subprocess.run(
        f"'{BIN / 'gate'}' --help >&-",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": columns},
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_without_screens_beside_the_module_click_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "argv", ["gate", "--help"])
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__package__=None))  # a script
    monkeypatch.setenv("COLUMNS", "100")
    assert fast_help.show("gate") == 0  # the screens are here: printed
    monkeypatch.setattr(fast_help, "HELP", str(tmp_path / "missing"))
    assert fast_help.show("gate") is None
