"""FUSE's runtime line formats as anchored regexes (contract sheet §3.2-§3.10).

`rustc=` holds spaces, so nothing here splits on whitespace; the fatal message is
greedy so a message containing ` mode=` still anchors on the last build-info suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_BUILD_INFO_BODY = (
    r"mode=(?P<mode>\S+) profile=(?P<profile>\S+) target=(?P<target>\S+) "
    r"rustc=(?P<rustc>.*) cli=(?P<cli>\S+) runtime_cache=(?P<runtime_cache>\d+) "
    r"contract=(?P<contract>\S+)"
)
BUILD_INFO_RE = re.compile(rf"^{_BUILD_INFO_BODY}$", re.ASCII)  # every `gate check` reads build info

# The drills' line formats, compiled on first use (`compiled`): `gate check` imports this
# module for BUILD_INFO_RE alone, and compiling these as well would cost its start-up time.
STARTUP = rf"^startup: pid=(?P<pid>\d+) {_BUILD_INFO_BODY}$"
FATAL = (
    rf"^fatal: class=(?P<klass>runtime_fatal|panic) pid=(?P<pid>\d+) message=(?P<message>.*) "
    rf"{_BUILD_INFO_BODY}$"
)
PANIC_KIND = r"^panic_kind=(panic_static_str|panic_string|panic_non_string)(?: (.*))?$"
SHUTDOWN = (
    r"^shutdown: runtime=(?P<runtime>ast|native) signal=(?P<signal>SIGINT|SIGTERM|unknown) "
    r"handled_requests=(?P<handled>\d+)$"
)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """One of the formats above, compiled once."""
    return re.compile(pattern, re.ASCII)  # FUSE writes these lines in ASCII: \d is 0-9


@dataclass(frozen=True, kw_only=True)
class BuildInfo:
    mode: str
    profile: str
    target: str
    rustc: str
    cli: str
    runtime_cache: int
    contract: str


@dataclass(frozen=True, kw_only=True)
class FatalEnvelope:
    klass: str
    pid: int
    message: str
    build_info: BuildInfo
    line: str


def _count(digits: str) -> int | None:
    """A count the line spells in digits; None past the 4,300 digits Python turns into an
    int (a ValueError there): no FUSE binary writes one, so the line is not of the shape."""
    try:
        return int(digits)
    except ValueError:
        return None


def _build_info(groups: dict[str, str]) -> BuildInfo | None:
    runtime_cache = _count(groups["runtime_cache"])
    if runtime_cache is None:
        return None
    return BuildInfo(
        mode=groups["mode"],
        profile=groups["profile"],
        target=groups["target"],
        rustc=groups["rustc"],
        cli=groups["cli"],
        runtime_cache=runtime_cache,
        contract=groups["contract"],
    )


def parse_build_info(line: str) -> BuildInfo | None:
    """The build-info line parsed, or None when it does not have the frozen shape."""
    match = BUILD_INFO_RE.match(line.rstrip("\r\n"))
    return _build_info(match.groupdict()) if match else None


def parse_fatal(line: str) -> FatalEnvelope | None:
    """A `fatal: class=...` envelope parsed, or None for any other line."""
    text = line.rstrip("\r\n")
    match = compiled(FATAL).match(text)
    if match is None:
        return None
    groups = match.groupdict()
    pid, build_info = _count(groups["pid"]), _build_info(groups)
    if pid is None or build_info is None:
        return None
    return FatalEnvelope(
        klass=groups["klass"], pid=pid, message=groups["message"], build_info=build_info, line=text
    )


def find_fatals(log: str) -> list[FatalEnvelope]:
    """Every fatal envelope in a log, in order."""
    return [env for line in log.splitlines() if (env := parse_fatal(line)) is not None]
