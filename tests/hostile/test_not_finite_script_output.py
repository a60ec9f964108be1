"""A recovery gate's script printing a step marker whose numbers have more digits than
Python turns into an int (`[<5,000 digits>/3] step`): no step shown, and the rest of its
output still read. Before, int() raised in the thread reading the output: a traceback on
stderr, and nothing the script printed after it was read (its pass line neither).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from gates.recovery.progress import marker
from tests.gates.conftest import run_gate

pytestmark = pytest.mark.timeout(60)
HUGE = "9" * 5000


def test_a_marker_past_any_int_is_no_marker() -> None:
    assert marker("[2/3] step") is not None
    assert marker(f"[{HUGE}/3] step") is None
    assert marker(f"[1/{HUGE}] step") is None


def test_the_output_after_such_a_marker_is_still_read(tmp_path: Path) -> None:
    script = f"print('[{HUGE}/3] step'); print('smoke ok')"
    gate = {"id": "smoke", "title": "smoke", "command": [sys.executable, "-c", script], "timeout_s": 30}
    contract = tmp_path / "contract.yaml"
    contract.write_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "platforms": ["linux-x64"],
                "recovery_gates": [{**gate, "pass_line": "smoke ok"}],
            }
        )
    )
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    proc = run_gate("recover", "--checkout", str(checkout), "--contract", str(contract))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed   smoke" in proc.stdout
