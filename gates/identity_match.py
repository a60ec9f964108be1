"""Certificate identities matched as cosign matches them: with RE2 (the `google-re2` package).

cosign reads `--certificate-identity-regexp` with Go's regexp package, which is RE2: time
linear in the input, and no backreferences or lookaround. Python's `re` backtracks, so a
contract's `(\\S+)+\\s` or `https://(.|.)*X` against a certificate's SAN would run for ever,
and it accepts patterns cosign refuses. So `signing.identity_regexp` is compiled by RE2 when
the contract loads (one RE2 cannot compile is a config error there, never a hang later) and
matched by RE2; the default identity, built from the contract's parts, is matched the same way.
The gate's rule is a full match (stricter than cosign, which accepts a match anywhere in the
SAN: whatever passes here passes cosign).

google-re2 is RE2's own binding (a C++ extension, wheels for CPython 3.11+). It is imported
only where an identity is matched or a contract names a regexp, as `cryptography` is only
imported for a release with signatures. RE2's own error logging (to stderr) is switched off:
its message becomes ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import re2

Matcher = Callable[[str], bool]


class _Compiled(Protocol):
    def fullmatch(self, text: str) -> object | None: ...


class NotRE2(ValueError):
    """A pattern RE2 (and so cosign) cannot compile; the message says why."""


def _options() -> object:
    options = re2.Options()
    options.log_errors = False
    return options


def _reason(exc: Exception) -> str:
    """RE2's message (the binding hands it over as bytes)."""
    reason = exc.args[0] if exc.args else "invalid pattern"
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _compiled(pattern: str) -> _Compiled:
    try:
        compiled: _Compiled = re2.compile(pattern, options=_options())
        return compiled
    except re2.error as exc:
        raise NotRE2(_reason(exc)) from None


def check(pattern: str) -> None:
    """Raise NotRE2 unless RE2 compiles `pattern`."""
    _compiled(pattern)


def _full(compiled: _Compiled) -> Matcher:
    return lambda name: compiled.fullmatch(name) is not None


def regexp_matcher(pattern: str) -> Matcher:
    """Whether a SAN fully matches the contract's RE2 `pattern`."""
    return _full(_compiled(pattern))


def identity_matcher(expected: str, repository: str) -> Matcher:
    """Whether a SAN is `expected`, its owner/repo compared case-insensitively (FUSE spells
    its slug both ways, contract sheet 1.10) and nothing else."""
    head, found, tail = expected.partition(repository)
    if not found:
        return _full(_compiled(re2.escape(expected)))
    return _full(_compiled(f"{re2.escape(head)}(?i:{re2.escape(repository)}){re2.escape(tail)}"))
