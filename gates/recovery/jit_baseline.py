"""S003: an honest perf baseline. FUSE's `aot_perf_bench.sh` times JIT-native through
`./scripts/fuse`, a developer wrapper that runs `cargo run -p fuse` of a *debug* CLI
(fuse-contract §0 item 6, §2.1, §4.8), so its cold-start improvement compares a release AOT
with a debug build plus cargo's freshness check (about 97 % at p50 on genuine v0.7.0 builds,
about 45 % against the released CLI). The gate reads the bench script the contract runs, and
the wrapper it calls, and says so.

What the finding costs is the contract's: `debug_baseline: fail` on the bench gate makes it
fatal; `note` (the default contract's) shows it as waived by contract, never as passed.
The probe reads text only (bounded), it never runs anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gates.recovery.gates import RecoveryGate
from harness.results import Finding, Outcome, Result

S003_TITLE = "The perf bench times JIT-native through a released CLI, not a debug `cargo run`"
MAX_SCRIPT_BYTES = 1 << 20
# the wrapper called to run the JIT path: `scripts/fuse run` / "$ROOT/scripts/fuse" run
_WRAPPER_RUN = re.compile(r"""(?P<wrapper>(?:\$\{?\w+\}?/|\./)?scripts/fuse)["']?\s+run\b""")
_CARGO_RUN = re.compile(r"\bcargo\s+run\b(?P<rest>[^\n]*)")
_RELEASE = re.compile(r"--release\b|--profile[= ]+release\b")


def _text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_SCRIPT_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def debug_wrapper(bench: str, wrapper: str) -> str:
    """Why the bench's JIT runs are a debug `cargo run` ('' when they are not)."""
    called = _WRAPPER_RUN.search(bench)
    if called is None:
        return ""
    cargo = _CARGO_RUN.search(wrapper)
    if cargo is not None and _RELEASE.search(cargo["rest"]):
        return ""
    how = "`cargo run` without --release (a debug build)" if cargo else "a developer wrapper"
    return f"the JIT-native runs go through {called['wrapper']}, {how}, not the released `fuse` CLI"


def judge(gate: RecoveryGate, ran: Result, checkout: Path) -> Result:
    """S003 for the bench gate `gate` (whose own result is `ran`) in `checkout`."""
    base: dict[str, Any] = {"check": "S003", "title": S003_TITLE, "scope": gate.id}
    if ran.outcome is Outcome.SKIPPED:
        return Result(**base, outcome=Outcome.SKIPPED, summary=ran.summary)
    # the script is the first argument naming a file in the checkout (after any shell)
    script = next(
        (checkout / gate.cwd / p for p in gate.command if (checkout / gate.cwd / p).is_file()),
        checkout / gate.cwd / gate.command[0],
    )
    why = debug_wrapper(_text(script), _text(checkout / "scripts" / "fuse"))
    if not why:
        return Result(**base, outcome=Outcome.PASSED, summary=f"{script.name} times no debug wrapper")
    fatal = gate.debug_baseline == "fail"
    finding = Finding(
        subject=gate.id,
        message=f"debug JIT baseline: {why}; its improvement figures overstate the fallback gap "
        "(fuse-contract 0.6)",
        expected="JIT-native timed with the release's own CLI bundle",
        actual="cargo run of a debug CLI",
        where=str(script),
        waived_by="" if fatal else "contract: debug_baseline: note",
    )
    return Result(
        **base,
        outcome=Outcome.FAILED if fatal else Outcome.WAIVED,
        summary=finding.message,
        findings=(finding,),
        data={"debug_baseline": gate.debug_baseline},
    )
