"""The environment a recovery gate runs with: a small base, plus what the contract names.

The harness itself may hold GITHUB_TOKEN (to read releases); the checkout's scripts are
not ours and must not see it. A gate gets the base below (what a shell and a toolchain
need to start), the variables its `env` names (an exact NAME, or a PREFIX_* pattern) and
the values its `env` sets. A token variable passes only when named exactly: no pattern
ever matches one, so `env: ["GITHUB_*"]` does not leak the token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harness.redact import TOKEN_VARIABLES

BASE = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TZ",
        "TMPDIR", "TMP", "TEMP", "CI",
        "SYSTEMROOT", "SYSTEMDRIVE", "COMSPEC", "PATHEXT", "WINDIR", "USERPROFILE",  # Windows
    }
)  # fmt: skip
BASE_PREFIXES = ("LC_",)


def _named(name: str, names: Iterable[str]) -> bool:
    for wanted in names:
        if wanted == name:
            return True
        if wanted.endswith("*") and name.startswith(wanted[:-1]) and name not in TOKEN_VARIABLES:
            return True
    return False


def environment(
    inherited: Mapping[str, str], passed: Iterable[str], values: Mapping[str, str]
) -> dict[str, str]:
    """The base and the `passed` names out of `inherited`, then the contract's `values`."""
    names = tuple(passed)
    chosen = {
        k: v
        for k, v in inherited.items()
        if (k in BASE or k.startswith(BASE_PREFIXES) or _named(k, names))
        and (k not in TOKEN_VARIABLES or k in names)
    }
    return {**chosen, **values}
