"""A release's own JSON (release-artifacts.json, release-provenance.json) whose sizes are
NaN, an infinity, 1e400 or a 401-digit integer: a failed check naming the file, never a
traceback and never an error of the gate. Checked safe when it was written (every size is
compared for equality, which NaN never has); this keeps it so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drills.standard.defects import DEFECTS
from drills.standard.releases import Bundle, build_info, write_release
from harness.formats import find_fatals, parse_fatal
from tests.gates.test_v1_release import gate_check

pytestmark = pytest.mark.timeout(120)

NOT_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400]


@pytest.mark.parametrize(
    ("listing", "check"), [("release-artifacts.json", "I005"), ("release-provenance.json", "V002")]
)
@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_listed_size_that_is_no_finite_number_fails_its_check(
    tmp_path: Path, listing: str, check: str, value: str
) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    path = folder / listing
    text, count = re.subn(r'("size": )\d+', lambda m: m[1] + value, path.read_text(), count=1)
    assert count == 1
    path.write_text(text)
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports")
    assert code == 1, out
    assert outcomes[check] == "failed", out
    assert "error" not in outcomes.values(), out
    assert listing in out


def _huge_runtime_cache(bundles: list[Bundle], dest: Path, phase: str) -> None:
    """AOT_BUILD_INFO.txt of linux-x64 with a runtime_cache= of 5,000 digits: digits, as the
    frozen shape says, but more than Python turns into an int (a ValueError)."""
    if phase == "before":
        member = next(b for b in bundles if b.name.startswith("fuse-aot-linux-x64")).member(
            "AOT_BUILD_INFO.txt"
        )
        member.data = member.data.replace(b"runtime_cache=", b"runtime_cache=" + b"9" * 5000)


def test_a_build_info_count_past_any_int_is_a_c004_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(DEFECTS, "huge-runtime-cache", _huge_runtime_cache)
    folder = write_release(tmp_path / "v0.7.1", "v0.7.1", defects=("huge-runtime-cache",))
    code, out, outcomes = gate_check(folder, "v0.7.1", tmp_path / "reports", published=False)
    assert code == 1, out
    assert outcomes["C004"] == "failed" and "error" not in outcomes.values(), out
    assert "fuse-aot-linux-x64.tar.gz: AOT_BUILD_INFO.txt does not hold exactly one build-info line" in out


def test_a_fatal_line_with_a_pid_past_any_int_is_no_fatal_envelope() -> None:
    line = "fatal: class=panic pid=" + "9" * 5000 + " message=boom " + build_info("0.7.1")
    assert parse_fatal(line.replace("9" * 5000, "42")) is not None  # the line is of the shape
    assert parse_fatal(line) is None
    assert find_fatals(line + "\n") == []
