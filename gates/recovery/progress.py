"""Live progress for recovery gates, rendered for a terminal or for GitHub Actions.

The smoke's `[k/N] label` step markers become a progress line on a terminal and
`::group::` sections under GitHub Actions. Under Actions a script's output is echoed
between `::stop-commands::<token>` and `::<token>::`, so a line it prints cannot act as a
workflow command (set an output, add a mask, fake an annotation).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from gates.recovery.gates import RecoveryGate
from harness.results import Result
from harness.text import one_line

Echo = Callable[[str], None]
MARKER = re.compile(r"^\[(?P<k>\d+)/(?P<n>\d+)\]\s*(?P<label>.*)$")


@dataclass(frozen=True)
class Marker:
    k: int
    n: int
    label: str


def marker(line: str) -> Marker | None:
    """A `[k/N] label` step marker, or None (numbers of more digits than int() takes too:
    it raised in the thread reading the script's output, which then read no more)."""
    found = MARKER.match(line.strip())
    if found is None:
        return None
    try:
        return Marker(int(found["k"]), int(found["n"]), found["label"])
    except ValueError:
        return None


class TerminalProgress:
    """One line per gate attempt and per step; on a TTY the step line is rewritten in place."""

    def __init__(self, echo: Echo, *, tty: bool) -> None:
        self.echo = echo
        self.tty = tty
        self.open_line = False

    def _end_line(self) -> None:
        if self.open_line:
            self.echo("\n")
            self.open_line = False

    def gate_started(self, gate: RecoveryGate, attempt: int, attempts: int) -> None:
        self._end_line()
        suffix = f" (attempt {attempt} of {attempts})" if attempts > 1 else ""
        self.echo(f"running  {gate.id}: {gate.title}{suffix}\n")

    def output(self, gate: RecoveryGate, line: str) -> None:
        step = marker(line)
        if step is None:
            return
        text = f"  {gate.id} [{step.k}/{step.n}] {step.label}"
        if not self.tty:  # a file or a pipe: control characters shown, not interpreted
            text = one_line(text)
        if self.tty:
            self.echo(f"\r\x1b[K{text}")
            self.open_line = True
        else:
            self.echo(text + "\n")

    def gate_finished(self, result: Result) -> None:
        self._end_line()
        self.echo(f"{result.outcome.value:<8} {result.check}: {result.summary}\n")


class GithubProgress:
    """`::group::` per gate attempt and per step; script output kept inert."""

    def __init__(self, echo: Echo, token: str | None = None) -> None:
        self.echo = echo
        self.token = token or f"gate-{secrets.token_hex(8)}"
        self.in_group = False

    def _close(self) -> None:
        if self.in_group:
            self.echo(f"::{self.token}::\n::endgroup::\n")
            self.in_group = False

    def _open(self, title: str) -> None:
        self._close()
        self.echo(f"::group::{title}\n::stop-commands::{self.token}\n")
        self.in_group = True

    def gate_started(self, gate: RecoveryGate, attempt: int, attempts: int) -> None:
        suffix = f" (attempt {attempt} of {attempts})" if attempts > 1 else ""
        self._open(f"{gate.id}: {gate.title}{suffix}")

    def output(self, gate: RecoveryGate, line: str) -> None:
        step = marker(line)
        if step is not None:
            self._open(one_line(f"{gate.id} [{step.k}/{step.n}] {step.label}"))
        # the log is not a terminal: a script's escape sequences and carriage returns show
        self.echo(one_line(line.replace(f"::{self.token}::", "")) + "\n")

    def gate_finished(self, result: Result) -> None:
        self._close()
        self.echo(f"{result.outcome.value} {result.check}: {result.summary}\n")
