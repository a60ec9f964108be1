"""A release's own JSON (release-artifacts.json, release-provenance.json) whose sizes are
NaN, an infinity, 1e400 or a 401-digit integer: a failed check naming the file, never a
traceback and never an error of the gate. Checked safe when it was written (every size is
compared for equality, which NaN never has); this keeps it so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drills.standard.releases import write_release
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
