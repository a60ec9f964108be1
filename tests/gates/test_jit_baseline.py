"""S003: the gate notices a perf bench that times JIT-native through a debug `cargo run`
(FUSE's `scripts/fuse` wrapper), and the contract decides whether that is fatal."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from gates.recovery.jit_baseline import debug_wrapper
from tests.gates.conftest import run_gate
from tests.gates.recovery_support import STANDIN

# the shape of FUSE's own scripts (fuse-contract 2.1, 4.8), written for these tests
FUSE_BENCH = """#!/usr/bin/env bash
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIXTURE_DIR="$ROOT/examples"
"$ROOT/scripts/fuse" build --manifest-path "$FIXTURE_DIR" --release
start="$(date +%s%N)"
"$ROOT/scripts/fuse" run --manifest-path "$FIXTURE_DIR" --backend native >/dev/null
echo bench done
"""
DEBUG_WRAPPER = '#!/usr/bin/env bash\nsource scripts/cargo_env.sh\nexec cargo run -q -p fuse -- "$@"\n'
RELEASE_WRAPPER = '#!/usr/bin/env bash\nexec cargo run --release -q -p fuse -- "$@"\n'


def test_a_debug_cargo_run_wrapper_is_noticed() -> None:
    why = debug_wrapper(FUSE_BENCH, DEBUG_WRAPPER)
    assert why == (
        "the JIT-native runs go through $ROOT/scripts/fuse, `cargo run` without --release "
        "(a debug build), not the released `fuse` CLI"
    )


@pytest.mark.parametrize(
    ("bench", "wrapper"),
    [
        (FUSE_BENCH, RELEASE_WRAPPER),  # a release-profile wrapper is a fair baseline
        ((STANDIN / "scripts" / "aot_perf_bench.sh").read_text(), ""),  # $FUSE_BIN: the CLI bundle
        ('"$FUSE_BIN" run --manifest-path x --backend native\n', DEBUG_WRAPPER),
    ],
)
def test_a_released_cli_baseline_is_not_a_finding(bench: str, wrapper: str) -> None:
    assert debug_wrapper(bench, wrapper) == ""


def checkout_with(tmp_path: Path, wrapper: str) -> Path:
    checkout = tmp_path / "fuse"
    (checkout / "scripts").mkdir(parents=True)
    for name, text in (
        ("aot_perf_bench.sh", FUSE_BENCH.replace('"$ROOT/scripts/fuse" ', ": ")),
        ("fuse", wrapper),
    ):
        path = checkout / "scripts" / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    # the bench really calls the wrapper in FUSE's; here it must run without cargo
    bench = checkout / "scripts" / "aot_perf_bench.sh"
    bench.write_text(bench.read_text() + '# JIT: "$ROOT/scripts/fuse" run --backend native\n')
    return checkout


def recover(tmp_path: Path, checkout: Path, debug_baseline: str) -> tuple[int, dict[str, object], str]:
    doc = {
        "schema_version": 1,
        "platforms": ["linux-x64"],
        "recovery_gates": [
            {
                "id": "aot-perf-bench",
                "command": ["./scripts/aot_perf_bench.sh"],
                "debug_baseline": debug_baseline,
            }
        ],
    }
    rules = tmp_path / "contract.yaml"
    rules.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    done = run_gate(
        "recover", "--checkout", str(checkout), "--contract", str(rules), "--report-dir", str(out)
    )
    s003 = next(r for r in json.loads((out / "report.json").read_text())["results"] if r["check"] == "S003")
    return done.returncode, s003, done.stdout


def test_the_contract_makes_a_debug_baseline_fatal(tmp_path: Path) -> None:
    code, s003, stdout = recover(tmp_path, checkout_with(tmp_path, DEBUG_WRAPPER), "fail")
    assert code == 1 and s003["outcome"] == "failed"
    assert "failed   S003 aot-perf-bench" in stdout and "debug JIT baseline" in stdout


def test_by_default_a_debug_baseline_is_shown_waived_never_passed(tmp_path: Path) -> None:
    code, s003, stdout = recover(tmp_path, checkout_with(tmp_path, DEBUG_WRAPPER), "note")
    assert code == 0 and s003["outcome"] == "waived"
    assert s003["findings"][0]["waived_by"] == "contract: debug_baseline: note"
    assert "waived   S003 aot-perf-bench" in stdout


def test_a_release_wrapper_passes_s003(tmp_path: Path) -> None:
    code, s003, _ = recover(tmp_path, checkout_with(tmp_path, RELEASE_WRAPPER), "fail")
    assert code == 0 and s003["outcome"] == "passed"


def test_the_default_contract_judges_fuse_bench_baseline() -> None:
    from gates import contract  # noqa: PLC0415
    from gates.recovery import plan as recovery_plan  # noqa: PLC0415

    bench = recovery_plan.gates_of(contract.load(None))[0]
    assert (bench.id, bench.debug_baseline) == ("aot-perf-bench", "note")
