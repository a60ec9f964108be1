"""The drill journal: an append-only JSONL file, one event per line, fsync'd per event.

Every action is recorded *before* it happens, so a run killed at any point (SIGKILL, OOM,
host crash) leaves a record that says what may be left behind and how far the drill got;
`drill report JOURNAL` rebuilds every output from this file alone (see drills/records/outputs.py).
Reading checks the shape of every field the reports read (drills/records/journal_shape.py),
so a journal edited by hand is one clear error, never a crash in a report writer. The
events themselves, their kinds and typed payloads: drills/records/events.py.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from drills.records.events import Event, EventKind
from drills.records.journal_shape import check
from harness import bounded_read, numbers
from harness.errors import ConfigError, InfraError

__all__ = ["Event", "EventKind", "Journal", "aside", "aside_names", "read", "rotate"]

SCHEMA = "fuse-harness.drill-journal/1"
log = logging.getLogger("drills.records.journal")


MAX_JOURNAL_BYTES = 256 * bounded_read.MiB  # a drill suite writes a few MiB


class Journal:
    """Append events; each write is flushed and fsync'd before `record` returns.

    A journal comes into being with its run.started event already in it (written under a
    temporary name, then renamed into place), so a reader never finds it empty.

    `on_event` sees every event once it is on disk: the one seam live progress is driven
    through (the command line prints; the core never does). It runs in the writer's thread
    (probes write from theirs), after the journal's lock is released."""

    def __init__(
        self,
        path: Path,
        clock: Callable[[], float],
        *,
        on_event: Callable[[Event], None] | None = None,
        **started: Any,
    ) -> None:
        self.path = path
        self._clock = clock
        self._on_event = on_event
        self._seq = 0
        self._lock = threading.Lock()
        self.failed: InfraError | None = None  # the first write that failed
        new = path.with_name(f".{path.name}.{os.getpid()}.new")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        except OSError as exc:
            raise InfraError(
                f"{path}: cannot open the journal ({exc.strerror}); choose a writable --out"
            ) from exc
        try:
            self.record(EventKind.RUN_STARTED, **started)
            new.replace(path)
        except OSError as exc:
            raise InfraError(
                f"{path}: cannot create the journal ({exc.strerror}); choose a writable --out"
            ) from exc
        finally:
            if new.exists():  # not renamed into place: the first event or the rename failed
                self.close()
                new.unlink()

    def record(self, kind: EventKind, **fields: Any) -> Event:
        with self._lock:
            self._seq += 1
            event = Event(seq=self._seq, t=self._clock(), kind=kind, fields=fields)
            line = json.dumps(
                {"seq": event.seq, "t": round(event.t, 6), "kind": kind, **fields},
                default=str,
                sort_keys=False,
            )
            try:
                self._append((line + "\n").encode("utf-8"))
            except OSError as exc:
                error = InfraError(
                    f"{self.path}: cannot append to the journal ({exc.strerror}); "
                    "free space there or choose a writable --out"
                )
                self.failed = self.failed or error
                raise error from exc
        if self._on_event is not None:
            self._tell(event)
        return event

    def _tell(self, event: Event) -> None:
        """Progress is for people watching: a listener that breaks is logged and dropped,
        never the end of a drill."""
        try:
            if self._on_event is not None:
                self._on_event(event)
        except Exception:
            log.exception(
                "live progress failed at event %d (%s); the run goes on without it", event.seq, event.kind
            )
            self._on_event = None

    def _append(self, data: bytes) -> None:
        """The whole line, or none of it: a write cut short (a full disk), or one a Ctrl-C
        (`Interrupted`, raised by the signal handler) ends, is undone, so an event written
        later never follows half a line. The undo offset is the file's size just before this
        write, never a count kept across writes that an exception may leave stale."""
        undo = os.fstat(self._fd).st_size
        try:
            while data:
                written = os.write(self._fd, data)
                if not written:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                data = data[written:]
            os.fsync(self._fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, undo)
            raise

    def record_or_keep(self, kind: EventKind, **fields: Any) -> None:
        """`record` on a cleanup path: a write that fails is not raised (it is kept in
        `failed`), so the removal after it still runs; `raise_failed` reports it."""
        with contextlib.suppress(InfraError):
            self.record(kind, **fields)

    def raise_failed(self) -> None:
        """Raise the first write that failed, if any (exit 3 naming the journal)."""
        if self.failed is not None:
            raise InfraError(f"{self.failed} (cleanup still ran)") from self.failed

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def aside_names(path: Path, key: str) -> Iterator[Path]:
    """The names beside `path` an earlier run's file or folder may be kept under, in the
    order `aside` tries them: <stem>.<key><suffix>, then <stem>.<key>-2<suffix> and so on."""
    yield path.with_name(f"{path.stem}.{key}{path.suffix}")
    for n in itertools.count(2):
        yield path.with_name(f"{path.stem}.{key}-{n}{path.suffix}")


def aside(path: Path, key: str) -> Path:
    """A free name beside `path` for an earlier run's file or folder (two runs may share a
    key, e.g. a second)."""
    return next(name for name in aside_names(path, key) if not name.exists())


def rotate(path: Path, now: float) -> Path:
    """Keep an earlier run's journal as journal.<time>.jsonl (journal.<time>-2.jsonl and so on
    when two runs end in the same second); returns `path`, now free."""
    if path.exists():
        path.rename(aside(path, str(int(now))))
    return path


def _parse(lines: list[str]) -> Iterator[Event]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield _event(bounded_read.parse_json(line))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            if number == len(lines):
                return  # a torn last line: the run died mid-write; everything before it stands
            raise ConfigError(
                f"line {number}: not a journal event ({exc}); is this a drill journal.jsonl?"
            ) from exc


def _event(raw: Any) -> Event:
    """One parsed line as an event; JSON's Infinity and NaN are no sequence number or time."""
    seq, t = int(raw.pop("seq")), numbers.finite(raw.pop("t"))
    if t is None:
        raise ValueError("t is no finite number")
    return Event(seq=seq, t=t, kind=str(raw.pop("kind")), fields=raw)


def read(path: Path) -> list[Event]:
    """Every complete event of a journal, in order; a torn last line is dropped. A journal
    that is not one drill run wrote (or edited into a shape the reports cannot read) is a
    ConfigError naming the file and the event."""
    try:
        text = bounded_read.read_text(path, MAX_JOURNAL_BYTES, errors="replace")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such journal; pass the journal.jsonl of a drill run") from exc
    except bounded_read.Refused as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the journal ({exc.strerror})") from exc
    try:
        events = list(_parse(text.split("\n")))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not events or events[0].kind != EventKind.RUN_STARTED:
        raise ConfigError(
            f"{path}: does not start with a run.started event; pass the journal.jsonl of a drill run"
        )
    check(events, str(path))
    return events
