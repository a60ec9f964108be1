"""The drill journal: an append-only JSONL file, one event per line, fsync'd per event.

Every action is recorded *before* it happens, so a run killed at any point (SIGKILL, OOM,
host crash) leaves a record that says what may be left behind and how far the drill got;
`drill report JOURNAL` rebuilds every output from this file alone (see drills/outputs.py).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, InfraError

SCHEMA = "fuse-harness.drill-journal/1"


@dataclass(frozen=True, kw_only=True)
class Event:
    seq: int
    t: float
    kind: str
    fields: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


class Journal:
    """Append events; each write is flushed and fsync'd before `record` returns.

    A journal comes into being with its run.started event already in it (written under a
    temporary name, then renamed into place), so a reader never finds it empty."""

    def __init__(self, path: Path, clock: Callable[[], float], **started: Any) -> None:
        self.path = path
        self._clock = clock
        self._seq = 0
        self._lock = threading.Lock()
        self.failed: InfraError | None = None  # the first write `record_or_keep` kept
        new = path.with_name(f".{path.name}.{os.getpid()}.new")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        except OSError as exc:
            raise InfraError(
                f"{path}: cannot open the journal ({exc.strerror}); choose a writable --out"
            ) from exc
        try:
            self.record("run.started", **started)
            new.replace(path)
        except OSError as exc:
            raise InfraError(
                f"{path}: cannot create the journal ({exc.strerror}); choose a writable --out"
            ) from exc
        finally:
            if new.exists():  # not renamed into place: the first event or the rename failed
                self.close()
                new.unlink()

    def record(self, kind: str, **fields: Any) -> Event:
        with self._lock:
            self._seq += 1
            event = Event(seq=self._seq, t=self._clock(), kind=kind, fields=fields)
            line = json.dumps(
                {"seq": event.seq, "t": round(event.t, 6), "kind": kind, **fields},
                default=str,
                sort_keys=False,
            )
            try:
                os.write(self._fd, (line + "\n").encode("utf-8"))
                os.fsync(self._fd)
            except OSError as exc:
                raise InfraError(
                    f"{self.path}: cannot append to the journal ({exc.strerror}); "
                    "free space there or choose a writable --out"
                ) from exc
        return event

    def record_or_keep(self, kind: str, **fields: Any) -> None:
        """`record` on a cleanup path: a write that fails is kept in `failed` (the first
        one), not raised, so the removal after it still runs; `raise_failed` reports it."""
        try:
            self.record(kind, **fields)
        except InfraError as exc:
            self.failed = self.failed or exc

    def raise_failed(self) -> None:
        """Raise the write failure `record_or_keep` kept, if any (exit 3 naming the journal)."""
        if self.failed is not None:
            raise InfraError(f"{self.failed} (cleanup still ran)") from self.failed

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def aside(path: Path, key: str) -> Path:
    """A free name beside `path` for an earlier run's file or folder: <stem>.<key><suffix>,
    then <stem>.<key>-2<suffix> and so on (two runs may share a key, e.g. a second)."""
    kept = path.with_name(f"{path.stem}.{key}{path.suffix}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.stem}.{key}-{n}{path.suffix}")
    return kept


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
            raw = json.loads(line)
            yield Event(seq=int(raw.pop("seq")), t=float(raw.pop("t")), kind=str(raw.pop("kind")), fields=raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if number == len(lines):
                return  # a torn last line: the run died mid-write; everything before it stands
            raise ConfigError(
                f"line {number}: not a journal event ({exc}); is this a drill journal.jsonl?"
            ) from exc


def read(path: Path) -> list[Event]:
    """Every complete event of a journal, in order; a torn last line is dropped."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such journal; pass the journal.jsonl of a drill run") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the journal ({exc.strerror})") from exc
    try:
        events = list(_parse(text.split("\n")))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not events or events[0].kind != "run.started":
        raise ConfigError(
            f"{path}: does not start with a run.started event; pass the journal.jsonl of a drill run"
        )
    return events
