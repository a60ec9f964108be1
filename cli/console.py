"""The command lines' shared edge, for `gate` and `drill`: the error boundary (one line and
a distinct exit code, never a traceback unless --debug), the terminal rendering of a report,
writing the reports before exiting, SIGTERM treated as Ctrl-C, and a float option that
must be finite.

Stdout may close early (`gate check ... | head -1`). Output written through `echo` is then
dropped and the command carries on, so its reports are written and it exits with its
verdict's code: with `set -o pipefail` the pipeline fails exactly when the gate does. Only
a write elsewhere that cannot carry on exits 141 (128 + SIGPIPE, the shell's code for a
writer whose reader went away). Neither is an error message or a traceback.
"""

from __future__ import annotations

import math
import os
import select
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from harness.errors import ExitCode, HarnessError

if TYPE_CHECKING:
    from harness.results import Report

F = TypeVar("F", bound=Callable[..., Any])
STDOUT_GONE = 141  # 128 + SIGPIPE


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, refusing what float() reads but no number is (nan, inf, 1e400):
    NaN compares false with every bound, so FloatRange lets it through, and a NaN tolerance
    flags no regression while a NaN or infinite deadline never passes."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)  # said first: "inf" is out of any range too
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return super().convert(number, param, ctx)


class OutputFolder(click.Path):
    """A folder the command creates or writes into (--report-dir, --out): refused before
    anything runs when it cannot be, as a path under a file or in a folder that cannot be
    written, so a run never ends, after all its work, on a write error."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if why := _unwritable(Path(os.fsdecode(path))):
            self.fail(f"'{value}' {why}", param, ctx)
        return path


def _unwritable(path: Path) -> str:
    """Why `path` cannot become a folder the command writes into, or ''."""
    try:
        for folder in (path, *path.parents):
            if not folder.exists():
                continue
            if not folder.is_dir():
                return f"cannot be created: '{folder}' is a file, not a folder"
            if not os.access(folder, os.W_OK | os.X_OK):
                return f"cannot be written: '{folder}' is not writable"
            return ""
    except OSError as exc:  # a name too long, a folder that cannot be looked into
        return f"cannot be examined ({exc.strerror})"
    return ""


def _drop_stdout() -> None:
    """From now on stdout writes go nowhere (and flushing at exit cannot fail again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _stdout_gone() -> bool:
    """True when stdout is a pipe whose reader has closed it."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no real stdout, or no poll here
        return False


def echo(text: str = "", *, nl: bool = True) -> None:
    """click.echo to stdout; once its reader is gone, the rest of the output is dropped."""
    from harness.redact import redact  # noqa: PLC0415 - kept off `--help`'s import path

    try:
        click.echo(redact(text), nl=nl)
    except BrokenPipeError:
        _drop_stdout()


def redact_text(text: str) -> str:
    """`text` with the token and every masked value redacted (harness/redact.py)."""
    from harness.redact import redact  # noqa: PLC0415 - kept off `--help`'s import path

    return redact(text)


def _print_traceback() -> None:
    import traceback  # noqa: PLC0415 - only --debug needs it

    traceback.print_exc()


def _internal_error(prog: str, exc: Exception, *, debug: bool) -> NoReturn:
    if isinstance(exc, BrokenPipeError) and _stdout_gone():  # not ours: the reader left
        _drop_stdout()
        sys.exit(STDOUT_GONE)
    from harness.text import one_line  # noqa: PLC0415

    if debug:
        _print_traceback()
    click.echo(
        f"{prog}: internal error: {type(exc).__name__}: {one_line(str(exc))} "
        "(rerun with --debug for the traceback, and report it)",
        err=True,
    )
    sys.exit(ExitCode.INFRA)


def error_boundary(prog: str) -> Callable[[F], F]:
    """Map every exception to one clear line on stderr and a distinct exit code."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            debug = click.get_current_context().find_root().params.get("debug", False)
            from harness import redact  # noqa: PLC0415 - kept off `--help`'s import path

            redact.register_environment(os.environ)
            try:
                return fn(*args, **kwargs)
            except HarnessError as exc:
                from harness.text import one_line  # noqa: PLC0415

                if debug:
                    _print_traceback()
                click.echo(redact.redact(f"{prog}: error: {one_line(str(exc))}"), err=True)
                sys.exit(exc.exit_code)
            except KeyboardInterrupt:
                click.echo(f"{prog}: interrupted", err=True)
                sys.exit(ExitCode.INTERRUPTED)
            except Exception as exc:
                _internal_error(prog, exc, debug=debug)

        return wrapper  # type: ignore[return-value]

    return decorate


def clock_for(as_of: date | None) -> Callable[[], datetime]:
    if as_of is None:
        return lambda: datetime.now(UTC)
    fixed = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=UTC)
    return lambda: fixed


def echo_report(report: Report, *, verbose: bool = False) -> None:
    """A terminal rendering: everything that is not a pass, then the verdict line."""
    from harness.results import Outcome, counts  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    quiet = (Outcome.PASSED, Outcome.SKIPPED)
    for result in report.results:
        if result.outcome in quiet and not verbose:
            continue
        echo(one_line(f"{result.outcome.value:<8} {result.check} {result.scope}: {result.title}"))
        for finding in result.findings or ():
            echo(f"         - {finding.line()}")
        if not result.findings and result.outcome is not Outcome.PASSED:
            echo(f"         - {one_line(result.summary)}")
    for note in report.notes:
        echo(f"note: {one_line(note)}")
    tally = ", ".join(f"{n} {k}" for k, n in counts(report.results).items() if n)
    verdict = "INTERRUPTED" if report.interrupted else report.verdict.value.upper()
    echo(f"{report.tool}: {verdict} ({tally}) - {one_line(report.subject)}")


def interrupted_report(tool: str, subject: str, started: datetime, now: datetime) -> Report:
    """What a run interrupted before it had results still writes (and exits 130 with)."""
    from harness.results import Report  # noqa: PLC0415

    return Report(
        tool=tool,
        subject=f"{subject} (interrupted)",
        started_at=started,
        finished_at=now,
        results=(),
        interrupted=True,
    )


def inconclusive_report(tool: str, subject: str, exc: Exception, started: datetime, now: datetime) -> Report:
    """What a run that could not evaluate (exit 3) still writes: what it could not check, and
    why. The error's one line goes to stderr as well, as the error boundary would print it."""
    from harness.results import Outcome, Report, Result  # noqa: PLC0415
    from harness.text import one_line  # noqa: PLC0415

    why = one_line(str(exc))
    click.echo(redact_text(f"{tool.split(maxsplit=1)[0]}: error: {why}"), err=True)
    return Report(
        tool=tool,
        subject=f"{subject} (could not evaluate)",
        started_at=started,
        finished_at=now,
        results=(
            Result(
                check="source",
                title="The release source answered",
                scope=subject,
                outcome=Outcome.ERROR,
                summary=f"could not evaluate: {why}",
            ),
        ),
        notes=(f"not checked: every check of the contract, since the run stopped at: {why}",),
    )


def finish(report: Report, report_dir: Path | None, *, as_json: bool = False) -> None:
    """Write reports (before exiting, always), publish to GitHub, exit with the verdict.
    `as_json`: stdout carries only report.json's document, on one line (the rest: stderr)."""
    import json  # noqa: PLC0415

    from harness.reports import write_all  # noqa: PLC0415
    from harness.reports.github import publish  # noqa: PLC0415
    from harness.reports.json_report import as_dict  # noqa: PLC0415

    say = (lambda text: click.echo(redact_text(text), err=True)) if as_json else echo
    if report_dir is not None:
        written = write_all(report, report_dir)
        say(f"reports: {', '.join(str(p) for p in written)}")
    publish(report, os.environ, say)
    if as_json:
        echo(json.dumps(as_dict(report), default=str))
    sys.exit(report.exit_code)


def show_waits(prog: str) -> None:
    """Retries and rate-limit waits, logged by the core (gates/sources/github_transport.py), appear
    live on stderr as they begin, one line each: `gate: GET ...: HTTP 502; waiting 1 s ...`."""
    import logging  # noqa: PLC0415

    from harness.text import one_line  # noqa: PLC0415

    class Waits(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(redact_text(f"{prog}: {one_line(record.getMessage())}"), err=True)

    logger = logging.getLogger("gates")
    if not any(type(h).__name__ == "Waits" for h in logger.handlers):
        logger.addHandler(Waits(logging.WARNING))
    logger.propagate = False


def sigterm_as_interrupt() -> None:
    """CI cancels with SIGTERM: treat it like Ctrl-C so the gate's process group is killed."""
    import signal  # noqa: PLC0415

    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
