"""Where a drill run's live progress goes: the command line's side of drills/records/progress.py.

A terminal gets each finished phase as a line (its outcome coloured unless NO_COLOR is set)
and a status line below them, rewritten in place, saying what runs now. Anything else (a
pipe, a CI log) gets the lines only; under GitHub Actions each scenario is a `::group::`.
Journal events arrive from several threads (probes write from theirs), so writes are
serialised. A reader that went away ends the progress, never the run.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

import click

from cli.console import redact_text
from drills.records.progress import Kind, Tracker, Update

if TYPE_CHECKING:
    from drills.records.journal import Event

COLOURS = {"passed": "green", "failed": "red", "error": "yellow", "waived": "blue", "skipped": "blue"}
CLEAR = "\r\x1b[K"


class Printer:
    """The `on_event` seam of a run: feeds the tracker, writes what it returns."""

    def __init__(self, stream: IO[str], env: Mapping[str, str], *, grouped: bool = True) -> None:
        self.stream = stream
        self.tracker = Tracker()
        self.live = stream.isatty() and env.get("TERM") != "dumb"
        self.colour = self.live and "NO_COLOR" not in env
        # scenarios in parallel interleave their lines: no group could hold one scenario's
        self.actions = env.get("GITHUB_ACTIONS") == "true" and grouped
        self._status = False
        self._lock = threading.Lock()
        self._gone = False

    def __call__(self, event: Event) -> None:
        updates = self.tracker.feed(event)
        if not updates:
            return
        with self._lock:
            for update in updates:
                self._show(update)

    def _show(self, update: Update) -> None:
        match update.kind:
            case Kind.STATUS if self.live:
                self._write(f"{CLEAR}{update.text}", nl=False)
                self._status = True
            case Kind.BEGIN if self.actions:
                self._line(f"::group::{update.text}")
            case Kind.BEGIN:
                self._line(update.text)
            case Kind.END if self.actions:
                self._line("::endgroup::")
            case Kind.LINE:
                self._line(self._paint(update))

    def _paint(self, update: Update) -> str:
        colour = COLOURS.get(update.outcome)
        if not (self.colour and colour and update.outcome in update.text):
            return update.text
        head, _, tail = update.text.partition(f" {update.outcome}")
        return f"{head} {click.style(update.outcome, fg=colour, bold=True)}{tail}"

    def _line(self, text: str) -> None:
        if self._status:
            self._write(CLEAR, nl=False)
            self._status = False
        self._write(text)

    def _write(self, text: str, *, nl: bool = True) -> None:
        if self._gone:
            return
        try:
            click.echo(redact_text(text), file=self.stream, nl=nl, color=self.colour)
            self.stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._gone = True

    def close(self) -> None:
        """Clear a status line left on the terminal."""
        with self._lock:
            if self._status:
                self._write(CLEAR, nl=False)
                self._status = False


def printer(*, quiet: bool, to_stderr: bool, env: Mapping[str, str], grouped: bool = True) -> Printer | None:
    """The run's progress printer, or None for --quiet; `grouped`: one scenario at a time."""
    if quiet:
        return None
    return Printer(sys.stderr if to_stderr else sys.stdout, env, grouped=grouped)
