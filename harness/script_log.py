"""A recovery script's log file: redacted, `::add-mask::` values registered, size capped.

A script that prints without end (a loop, `yes`) would fill the disk; the log keeps the
first 64 MiB, then one note that it was cut and how much more the script printed. Lines
are redacted (harness/redact.py) before they are written; a masked value is registered as
its `::add-mask::` line passes, before any later line can show it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from harness import redact

MAX_LOG_BYTES = 64 << 20


class ScriptLog:
    """The write side of one attempt's log (what harness/process.py writes to)."""

    def __init__(self, out: IO[bytes], limit: int = MAX_LOG_BYTES) -> None:
        self.out, self.limit = out, limit
        self.written = self.dropped = 0

    def write(self, data: bytes) -> int:
        for line in data.splitlines(keepends=True):
            redact.mask_line(line.decode("utf-8", "replace"))
            safe = redact.redact_bytes(line)
            room = self.limit - self.written
            if room <= 0:
                self.dropped += len(safe)
                continue
            self.out.write(safe[:room])
            self.written += min(room, len(safe))
            self.dropped += max(0, len(safe) - room)
        return len(data)

    def flush(self) -> None:
        self.out.flush()

    def close_note(self) -> None:
        if self.dropped:
            self.out.write(
                f"\n[log cut at {self.limit / (1 << 20):g} MiB: {self.dropped:,} more bytes of output "
                "were not kept]\n".encode()
            )


@contextmanager
def open_log(path: Path, limit: int = MAX_LOG_BYTES) -> Iterator[ScriptLog]:
    with path.open("wb") as out:
        log = ScriptLog(out, limit)
        try:
            yield log
        finally:
            log.close_note()
