"""The single-run lock: one drill run at a time per lock file."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from harness.errors import InfraError


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """One drill run at a time per lock file; the kernel releases it if we die."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise InfraError(f"{path}: cannot open the lock file ({exc.strerror})") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise InfraError(
                f"{path}: another drill run holds the lock (pid {holder}); "
                "wait for it, or pass a different --lock-file"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
