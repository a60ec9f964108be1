"""SHA256SUMS read as `sha256sum -c` reads it: only `\\n` (and `\\r\\n`) end a line, and any
other control character makes the line malformed (I001)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gates.checks.integrity import sums_lines
from tests.gates.hostile.conftest import failed_checks

pytestmark = pytest.mark.timeout(60)

# characters str.splitlines() breaks on, and sha256sum does not
NOT_SEPARATORS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]


@pytest.mark.parametrize("sep", NOT_SEPARATORS, ids=lambda s: f"U+{ord(s):04X}")
def test_entries_joined_by_a_character_sha256sum_does_not_split_on_fail(
    release_with: Callable[..., Path], sep: str
) -> None:
    def join(text: str) -> str:
        lines = text.splitlines()
        return sep.join(lines[:2]) + "\n" + "".join(f"{line}\n" for line in lines[2:])

    failed = failed_checks(release_with({}, sums=join))
    assert set(failed) == {"I001", "I002"}
    assert "malformed line" in failed["I001"][0]


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x01", "\x1b", "\x7f", "\x9b", "\u200e", "\u202e", "\ufeff", "\x08"],
    ids=lambda s: f"U+{ord(s):04X}",
)
def test_a_control_character_in_a_line_makes_it_malformed(
    release_with: Callable[..., Path], char: str
) -> None:
    def poison(text: str) -> str:
        first, rest = text.split("\n", 1)
        return first + char + "\n" + rest

    failed = failed_checks(release_with({}, sums=poison))
    assert "I001" in failed


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda t: t.replace("  ", " \t", 1), "tab for a space"),
        (lambda t: t.replace("  ", " *", 1), "binary marker"),
        (lambda t: t.replace("  ", " ", 1), "one space"),
        (lambda t: "\\" + t, "escaped-name marker"),
        (lambda t: t.upper(), "upper-case hex and name"),
        (lambda t: "\n" + t, "blank line"),
        (lambda t: t[1:], "short digest"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_lines_sha256sum_would_reject_are_malformed(
    release_with: Callable[..., Path], edit: Callable[[str], str], why: str
) -> None:
    assert "I001" in failed_checks(release_with({}, sums=edit)), why


def test_a_trailing_space_is_part_of_the_name(release_with: Callable[..., Path]) -> None:
    """As for sha256sum: the line names another file, so the real payload is unlisted."""
    failed = failed_checks(release_with({}, sums=lambda t: t.replace("\n", " \n", 1)))
    assert set(failed) == {"I002"}


def test_crlf_line_ends_are_line_ends(release_with: Callable[..., Path]) -> None:
    assert failed_checks(release_with({}, sums=lambda t: t.replace("\n", "\r\n"))) == {}


def test_no_final_newline_is_fine(release_with: Callable[..., Path]) -> None:
    assert failed_checks(release_with({}, sums=lambda t: t.rstrip("\n"))) == {}


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\x0cb\n", ["a\x0cb"]),
        ("a\u2028b", ["a\u2028b"]),
        ("a\r\r\n", ["a\r"]),
        ("\n", [""]),
        ("", []),
        ("a\n\nb", ["a", "", "b"]),
    ],
)
def test_sums_lines_splits_only_on_newline(text: str, lines: list[str]) -> None:
    assert sums_lines(text) == lines
