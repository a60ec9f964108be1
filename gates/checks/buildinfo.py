"""AOT_BUILD_INFO.txt judged as a whole (C004-C006): it holds exactly one build-info line
(fuse-contract.md §3.10's anchored regex; `rustc=` holds spaces), a trailing newline aside.

A second line, a control character (form feed, `\\x1e`, `\\u2028`: anything a line splitter
or a terminal might treat as a break), text that is not UTF-8, or a second copy of the
member in the archive all fail: a reader taking "the first line" of such a file can be
shown another version than the one extraction leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.formats import BUILD_INFO_RE, BuildInfo, parse_build_info

SHOWN_CHARS = 200
KEYS = ("mode=", "profile=", "target=", "rustc=", "cli=", "runtime_cache=", "contract=")


@dataclass(frozen=True, kw_only=True)
class BuildInfoFile:
    info: BuildInfo | None  # the one line, parsed; None when the file is not one good line
    problem: str  # why C004 fails ('' when it passes)
    shown: str  # the text as reports show it (cut)


def _problem(text: str) -> str:
    body = text.removesuffix("\n")
    if "\ufffd" in body:
        return "it is not UTF-8"
    if "\n" in body:
        return f"it holds {body.count(chr(10)) + 1} lines"
    if not body.isprintable():
        bad = next(c for c in body if not c.isprintable())
        return f"it holds the control character {bad!r}"
    if BUILD_INFO_RE.fullmatch(body) is None or parse_build_info(body) is None:  # a count past any int
        return "the line does not have the frozen shape"
    # the greedy rustc= could hide a second cli=/contract= that a first-match reader takes
    repeated = [key for key in KEYS if body.count(f" {key}") + body.startswith(key) != 1]
    return f"it names {', '.join(repeated)} more than once" if repeated else ""


def read_build_info(text: str | None, copies: int = 1) -> BuildInfoFile:
    """The last copy's text (None: not a small regular file), and how many copies there are."""
    if text is None:
        return BuildInfoFile(info=None, problem="it is not a small regular file", shown="no text")
    shown = repr(text[:SHOWN_CHARS]) + ("..." if len(text) > SHOWN_CHARS else "")
    problem = _problem(text)
    info = None if problem else parse_build_info(text.removesuffix("\n"))
    if copies > 1 and not problem:
        problem = f"the archive holds {copies} copies of it (extraction keeps the last)"
    return BuildInfoFile(info=info, problem=problem, shown=shown)
