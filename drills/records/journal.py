"""The drill journal: an append-only JSONL file, one event per line, fsync'd per event.

Every action is recorded *before* it happens, so a run killed at any point (SIGKILL, OOM,
host crash) leaves a record that says what may be left behind and how far the drill got;
`drill report JOURNAL` rebuilds every output from this file alone (see drills/records/outputs.py).
Reading checks the shape of every field the reports read, so a journal edited by hand is
one clear error, never a crash in a report writer.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import logging
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness import bounded_read
from harness.errors import ConfigError, InfraError
from harness.results import Finding, Outcome

SCHEMA = "fuse-harness.drill-journal/1"
log = logging.getLogger("drills.records.journal")


MAX_JOURNAL_BYTES = 256 * bounded_read.MiB  # a drill suite writes a few MiB


class EventKind(StrEnum):
    """Every kind of event a run writes; on disk, its value (the journal's format)."""

    RUN_STARTED = "run.started"
    RUN_NOTE = "run.note"
    RUN_FINISHED = "run.finished"
    REAPED = "reaped"  # stale leftovers of earlier runs removed at the start
    SCENARIO_STARTED = "scenario.started"
    SCENARIO_FINISHED = "scenario.finished"
    PHASE_STARTED = "phase.started"
    PHASE_FINISHED = "phase.finished"
    ACTION = "action"  # something the drill is about to do (recorded before it happens)
    SAMPLE = "sample"  # one probe request and its answer


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event; `kind` is an EventKind's value, or any text in a journal read from disk
    (kinds the reports do not know are kept and ignored). Typed payloads of the events the
    reports read: drills/records/events.py."""

    seq: int
    t: float
    kind: str
    fields: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


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
            raw = bounded_read.parse_json(line)
            yield Event(seq=int(raw.pop("seq")), t=float(raw.pop("t")), kind=str(raw.pop("kind")), fields=raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if number == len(lines):
                return  # a torn last line: the run died mid-write; everything before it stands
            raise ConfigError(
                f"line {number}: not a journal event ({exc}); is this a drill journal.jsonl?"
            ) from exc


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


LAST_T = datetime(9999, 12, 31, tzinfo=UTC).timestamp()  # the last time a report can show
FINDING_KEYS = frozenset(Finding.__dataclass_fields__)
NUMBERS = {"detect": "latency_s", "verify": "time_to_restore_s"}  # phase -> data the overview reads


def check(events: list[Event], origin: str) -> None:
    """Every field the reports read has the shape they need: a journal edited by hand or
    cut from another tool is one ConfigError naming the event, not a crash."""
    for ev in events:
        problem = _shape(ev) or (_head(ev) if ev is events[0] else None)
        if problem is not None:
            raise ConfigError(
                f"{origin}: seq {ev.seq} ({ev.kind}): {problem}; pass a journal.jsonl as drill run wrote it"
            )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_number(value: Any) -> bool:
    """A finite number (not a bool): what a report can print and compare."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _head(ev: Event) -> str | None:
    names = ev.get("scenarios") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return f"scenarios {_show(names)} is not a list of scenario names"
    return None


def _shape(ev: Event) -> str | None:
    if not (is_number(ev.t) and 0 <= ev.t <= LAST_T):
        return f"t {_show(ev.t)} is not a time (seconds since 1970)"
    if ev.kind.startswith("phase.") and not isinstance(ev.get("phase"), str):
        return f"phase {_show(ev.get('phase'))} is not a phase name"
    if ev.kind == EventKind.PHASE_FINISHED:
        return _phase_shape(ev)
    if ev.kind == EventKind.SCENARIO_FINISHED and ev.get("fell_back") not in (True, False, None):
        return f"fell_back {_show(ev.get('fell_back'))} is not true, false or null"
    if ev.kind == EventKind.SAMPLE and not (ev.get("latency_ms") is None or is_number(ev.get("latency_ms"))):
        return f"latency_ms {_show(ev.get('latency_ms'))} is not a number"
    return None


def _phase_shape(ev: Event) -> str | None:
    outcome, duration, data = ev.get("outcome", "error"), ev.get("duration_s", 0), ev.get("data") or {}
    key = NUMBERS.get(ev.get("phase"), "")
    if not isinstance(outcome, str) or outcome not in set(Outcome):
        return f"outcome {_show(outcome)} is not one of {', '.join(Outcome)}"
    if not is_number(duration):
        return f"duration_s {_show(duration)} is not a number"
    if not isinstance(data, dict):
        return f"data {_show(data)} is not an object"
    if not (data.get(key) is None or is_number(data[key])):
        return f"data.{key} {_show(data[key])} is not a number"
    return _findings_shape(ev.get("findings") or [])


def _findings_shape(findings: Any) -> str | None:
    if not isinstance(findings, list):
        return f"findings {_show(findings)} is not a list of findings"
    for n, f in enumerate(findings):
        if not isinstance(f, dict) or not {"subject", "message"} <= f.keys() <= FINDING_KEYS:
            return f"findings[{n}] {_show(f)} is not a finding (keys: {', '.join(sorted(FINDING_KEYS))})"
        if not all(isinstance(v, str) for v in f.values()):
            return f"findings[{n}] holds a value that is not text"
    return None
