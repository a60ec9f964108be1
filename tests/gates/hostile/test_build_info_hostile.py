"""AOT_BUILD_INFO.txt must hold exactly one build-info line (a trailing newline aside);
the checks judge the copy extraction keeps, and a second copy is itself a failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gates.checks.buildinfo import read_build_info
from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.bytes_builder import ZipEntry
from tests.gates.hostile.conftest import failed_checks

pytestmark = pytest.mark.timeout(60)

GOOD = b.build_info().decode()
LINE = GOOD.removesuffix("\n")

BAD_TEXTS = [
    ("second-line", GOOD + "mode=aot cli=0.6.9\n", "2 lines"),
    ("second-build-info-line", GOOD + b.build_info("0.6.9", "aot-v2").decode(), "2 lines"),
    ("blank-second-line", GOOD + "\n", "2 lines"),
    ("garbage-after-newline", GOOD + "garbage", "2 lines"),
    ("nul-after-line", LINE + "\0garbage\n", "control character"),
    ("form-feed-split", LINE + "\x0cmode=aot cli=0.6.9\n", "control character"),
    ("record-separator", LINE + "\x1econtract=aot-v2\n", "control character"),
    ("vertical-tab", LINE + "\x0b\n", "control character"),
    ("line-separator", LINE + "\u2028cli=0.6.9\n", "control character"),
    ("next-line-c1", LINE + "\x85cli=0.6.9\n", "control character"),
    ("carriage-return", LINE + "\rcli=0.6.9\n", "control character"),
    ("crlf", LINE + "\r\n", "control character"),
    ("tab-in-rustc", LINE.replace("rustc 1.85.0", "rustc\t1.85.0") + "\n", "control character"),
    ("byte-order-mark", "\ufeff" + GOOD, "control character"),
    ("escape-sequence", LINE.replace("cli=0.7.0", "cli=0.7.0\x1b[2K") + "\n", "control character"),
    ("not-utf8", LINE.replace("release", "rel\ufffdase") + "\n", "not UTF-8"),
    ("trailing-garbage-field", LINE + " extra=1\n", "frozen shape"),
    (
        "second-cli-hidden-in-rustc",
        LINE.replace(" cli=0.7.0", " cli=0.6.9 runtime_cache=1 contract=aot-v2 cli=0.7.0") + "\n",
        "more than once",
    ),
    ("empty", "", "frozen shape"),
    ("only-newline", "\n", "frozen shape"),
    ("leading-space", " " + GOOD, "frozen shape"),
]


@pytest.mark.parametrize(("text", "problem"), [pytest.param(t, p, id=i) for i, t, p in BAD_TEXTS])
def test_a_file_that_is_not_exactly_one_line_fails(text: str, problem: str) -> None:
    found = read_build_info(text)
    assert problem in found.problem and found.info is None


@pytest.mark.parametrize("text", [GOOD, LINE], ids=["with-newline", "without-newline"])
def test_exactly_one_line_passes(text: str) -> None:
    found = read_build_info(text)
    assert found.problem == "" and found.info is not None and found.info.cli == "0.7.0"
    assert found.info.rustc == "rustc 1.85.0 (4d91de4e4 2025-02-17)"


def test_a_second_copy_fails_and_the_last_is_judged() -> None:
    found = read_build_info(b.build_info("0.6.9", "aot-v2").decode(), copies=2)
    assert "2 copies" in found.problem
    assert found.info is not None and (found.info.cli, found.info.contract) == ("0.6.9", "aot-v2")


def test_the_control_character_named_is_the_one_found() -> None:
    found = read_build_info(LINE.replace(" cli=", "\x0c cli=", 1) + "\n")
    assert found.problem == "it holds the control character '\\x0c'"


def test_no_text_is_its_own_problem_not_a_parse() -> None:
    found = read_build_info(None)
    assert (found.info, found.problem, found.shown) == (None, "it is not a small regular file", "no text")


@pytest.mark.parametrize(("length", "cut"), [(200, ""), (201, "...")], ids=["at-limit", "one-over"])
def test_the_text_shown_is_cut_after_200_characters(length: int, cut: str) -> None:
    text = LINE + "x" * (length - len(LINE))
    assert read_build_info(text).shown == repr(text[:200]) + cut


def test_a_build_info_that_is_a_symlink_fails_c004_as_no_regular_file(
    release_with: Callable[..., Path],
) -> None:
    blob = _tar(
        b.file("fuse-aot-demo", b"\x7fELF placeholder", 0o755),
        b.link("AOT_BUILD_INFO.txt", "LICENSE"),
        b.file("LICENSE", b.build_info()),
        b.file("README.txt", b"readme\n"),
    )
    failed = failed_checks(release_with({"fuse-aot-linux-x64.tar.gz": blob}))
    assert any("it is not a small regular file" in line for line in failed["C004"]), failed


def _tar(*blocks: bytes) -> bytes:
    return b.tar_gz(*blocks)


WHOLE_GATE = [
    (
        "tar-second-copy",
        "fuse-aot-linux-x64.tar.gz",
        _tar(b.aot_members(), b.file("AOT_BUILD_INFO.txt", b.build_info("0.6.9", "aot-v2"))),
        {"C004", "C005", "C006", "C007"},
    ),
    (
        "tar-dot-slash-copy",
        "fuse-aot-linux-x64.tar.gz",
        _tar(b.aot_members(), b.file("./AOT_BUILD_INFO.txt", b.build_info("0.7.0", "aot-v2"))),
        {"C004", "C005", "C007"},
    ),
    (
        "tar-second-line",
        "fuse-aot-linux-x64.tar.gz",
        _tar(b.aot_members(info=b.build_info() + b"mode=aot cli=0.6.9\n")),
        {"C004"},
    ),
    (
        "zip-second-copy",
        "fuse-aot-windows-x64.zip",
        b.zip_bytes(
            [
                *b.aot_zip_entries(),
                ZipEntry(
                    "AOT_BUILD_INFO.txt", b.build_info("0.6.9", "aot-v2", target="x86_64-pc-windows-msvc")
                ),
            ]
        ),
        {"C004", "C005", "C006", "C007"},
    ),
    (
        "zip-garbage-after-line",
        "fuse-aot-windows-x64.zip",
        b.zip_bytes(
            b.aot_zip_entries(
                info=b.build_info(target="x86_64-pc-windows-msvc").rstrip(b"\n") + b"\x0ccli=0.6.9\n"
            )
        ),
        {"C004"},
    ),
]


@pytest.mark.parametrize(
    ("name", "blob", "failed"), [pytest.param(n, blob, f, id=i) for i, n, blob, f in WHOLE_GATE]
)
def test_the_gate_fails_build_info_it_used_to_pass(
    release_with: Callable[..., Path], name: str, blob: bytes, failed: set[str]
) -> None:
    assert set(failed_checks(release_with({name: blob}))) == failed
