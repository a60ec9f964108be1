"""The one redaction seam: secret values never reach anything the harness writes.

The registry holds the values of the token variables (GITHUB_TOKEN and its kin, registered
when a command starts) and every value a script masked with `::add-mask::VALUE` (as GitHub
Actions masks it, but also off Actions, and in our own log files and reports, which the
runner's masking never sees). Every writer applies `redact` to its text: stdout and stderr
lines, report.json, junit.xml, summary.md, the step summary and annotations, and the
scripts' logs. A value is replaced wherever it appears, also as JSON, XML or `one_line`
would escape it, so a server that echoes the Authorization header into an asset name
cannot carry the token into a report.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping

from harness.text import one_line

SHOWN = "***"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
MIN_LENGTH = 4  # masking "a" or "1" would blank every report; GitHub's own masks are secrets
ADD_MASK = "::add-mask::"

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def _xml_escaped(value: str) -> str:
    return "".join(_XML.get(c, c) for c in value)


def _variants(value: str) -> set[str]:
    """The value as each output format spells it."""
    escaped = (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], _xml_escaped(value))
    return {value, one_line(value), *escaped}


def register(value: str) -> None:
    """Redact `value` (and its escaped spellings) from now on."""
    global _pattern  # noqa: PLW0603 - one registry per process, as the runner's masks are
    value = value.strip()
    if len(value) < MIN_LENGTH:
        return
    with _lock:
        fresh = _variants(value) - _secrets
        if not fresh:
            return
        _secrets.update(fresh)
        ordered = sorted(_secrets, key=len, reverse=True)  # the longest spelling first
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def register_environment(env: Mapping[str, str]) -> None:
    """Register the token variables' values."""
    for name in TOKEN_VARIABLES:
        if env.get(name):
            register(env[name])


def mask_line(line: str) -> None:
    """Register the value of an `::add-mask::VALUE` line."""
    text = line.strip()
    if text.startswith(ADD_MASK):
        register(text[len(ADD_MASK) :])


def redact(text: str) -> str:
    pattern = _pattern
    return pattern.sub(SHOWN, text) if pattern is not None else text


def redact_bytes(data: bytes) -> bytes:
    if _pattern is None:
        return data
    return redact(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def forget_all() -> None:
    """Tests only: an empty registry."""
    global _pattern  # noqa: PLW0603
    with _lock:
        _secrets.clear()
        _pattern = None
