"""Reading what the user or a release hands us: regular files only, and never more than a cap.

`open()` on a FIFO blocks until a writer appears, and reading `/dev/zero` never ends; a
contract, scenario, metrics file, integrity file or journal given as either would hang the
run. So a file is opened with O_NONBLOCK (a FIFO then opens at once), `fstat`ed on the
descriptor (no window for the path to be swapped), refused unless it is a regular file,
and read to at most its cap plus one byte (a file that grows while it is read is caught
too). Hand-written rather than `Path.read_text`: that API cannot open without blocking.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

MiB = 1 << 20
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(OSError):
    """A path that is not a regular file, or a file over its cap; the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EINVAL, message)

    def __str__(self) -> str:
        return str(self.strerror)


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words ("a FIFO (named pipe)")."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _not_regular(mode: int) -> Refused:
    return Refused(f"is {kind_of(mode)}, not a regular file; pass a regular file")


def _size(limit: int) -> str:
    return f"{limit / MiB:g} MiB" if limit >= MiB else f"{limit:,} bytes"


def open_regular(path: Path | str) -> BinaryIO:
    """`path` opened for binary reading, refused (Refused) unless it is a regular file."""
    try:
        fd = os.open(path, _FLAGS | _NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # what opening a socket (or a FIFO with no reader) says
            raise
        raise _not_regular(Path(path).stat().st_mode) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path | str, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; a larger file is Refused."""
    with open_regular(path) as handle:
        if os.fstat(handle.fileno()).st_size > limit:
            raise Refused(f"is larger than the {_size(limit)} this file may be; pass the right file")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise Refused(f"is larger than the {_size(limit)} this file may be; pass the right file")
    return data


def read_text(path: Path | str, limit: int, *, errors: str = "strict") -> str:
    """A UTF-8 regular file of at most `limit` bytes (UnicodeDecodeError with errors='strict')."""
    return read_bytes(path, limit).decode("utf-8", errors)


class TooDeep(ValueError):
    """JSON nested deeper than Python's parser can follow (a ValueError, as malformed JSON is)."""


class DuplicateKey(ValueError):
    """An object names a key twice (a ValueError, as malformed JSON is)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        key = next(k for k, count in Counter(k for k, _ in pairs).items() if count > 1)
        raise DuplicateKey(
            f"key {key!r} is given twice in one object (readers keep the first or the last); "
            "give each key once"
        )
    return document


def parse_json(text: str | bytes, **options: Any) -> Any:
    """`json.loads`, with nesting too deep to parse a ValueError instead of a RecursionError,
    and an object that names a key twice refused (DuplicateKey). RFC 8259 leaves a repeated
    key's meaning open: Python, Go and Node keep the last copy, other readers the first or
    both, so `{"tag": "v9.9.9", "tag": "v1.1.0"}` is one release to one reader and another to
    the next. Every JSON the harness reads from outside (release metadata and sidecars, GitHub
    answers, metrics, reports to merge, its own caches and journals) comes through here."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, **options)
    except RecursionError:
        raise TooDeep("arrays or objects nested too deep to read") from None
