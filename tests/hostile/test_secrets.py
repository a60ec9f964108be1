"""The token never reaches a recovery script, and no output the harness writes shows a
secret: not the token, not a value a script masked with `::add-mask::`, not a token a
server echoes back into an asset name.

Fails on the code before gates/recovery/env.py and harness/redact.py: the scripts saw
GITHUB_TOKEN, their logs and the step output printed it and masked values verbatim, and
an asset name echoing the Authorization header landed in every report.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gates.recovery import env as recovery_env
from gates.recovery.gates import RecoveryGate
from gates.recovery.progress import GithubProgress, TerminalProgress
from harness import redact
from harness.script_log import ScriptLog
from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, READ_TOKEN, State, fake_github, published_line

pytestmark = pytest.mark.timeout(90)
TOKEN = "ghp_SECRETtoken0123456789abcdefXYZ"


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    redact.forget_all()
    yield
    redact.forget_all()


INHERITED = {
    "PATH": "/bin",
    "HOME": "/home/u",
    "LC_ALL": "C",
    "GITHUB_TOKEN": TOKEN,
    "GH_TOKEN": TOKEN,
    "GITHUB_WORKSPACE": "/w",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "CARGO_HOME": "/c",
}


@pytest.mark.parametrize(
    ("passed", "values", "expected"),
    [
        ((), {}, {"PATH", "HOME", "LC_ALL"}),
        (("CARGO_*",), {}, {"PATH", "HOME", "LC_ALL", "CARGO_HOME"}),
        (("GITHUB_*",), {}, {"PATH", "HOME", "LC_ALL", "GITHUB_WORKSPACE"}),
        (("*",), {}, set(INHERITED) - {"GITHUB_TOKEN", "GH_TOKEN"}),
        (("G*",), {}, {"PATH", "HOME", "LC_ALL", "GITHUB_WORKSPACE"}),
        (("GITHUB_TOKEN",), {}, {"PATH", "HOME", "LC_ALL", "GITHUB_TOKEN"}),
        ((), {"X": "1"}, {"PATH", "HOME", "LC_ALL", "X"}),
        (("MISSING",), {}, {"PATH", "HOME", "LC_ALL"}),
    ],
    ids=["base-only", "pattern", "github-pattern", "star", "g-star", "named-token", "set", "missing"],
)
def test_a_gate_gets_the_base_and_what_the_contract_names(
    passed: tuple[str, ...], values: dict[str, str], expected: set[str]
) -> None:
    assert set(recovery_env.environment(INHERITED, passed, values)) == expected


SCRIPT = """#!/bin/sh
echo "token=${GITHUB_TOKEN:-unset} gh=${GH_TOKEN:-unset}"
echo "::add-mask::hunter2-masked"
echo "the password is hunter2-masked, json \\"hunter2-masked\\""
printf 'bell\\007 escape\\033[31m cr\\rend\\n'
exit 1
"""


def _checkout(tmp_path: Path, env: Any = None) -> tuple[Path, Path]:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    script = checkout / "leak.sh"
    script.write_text(SCRIPT)
    script.chmod(0o755)
    gate: dict[str, Any] = {"id": "leak", "title": "leak", "command": ["./leak.sh"]}
    if env is not None:
        gate["env"] = env
    contract = tmp_path / "contract.yaml"
    contract.write_text(
        yaml.safe_dump({"schema_version": 1, "platforms": ["linux-x64"], "recovery_gates": [gate]})
    )
    return checkout, contract


def _recover(tmp_path: Path, env: Any = None, **extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    checkout, contract = _checkout(tmp_path, env)
    reports = tmp_path / "reports"
    summary = tmp_path / "step-summary.md"
    proc = run_gate(
        "recover",
        "--checkout",
        str(checkout),
        "--contract",
        str(contract),
        "--report-dir",
        str(reports),
        env={"GITHUB_TOKEN": TOKEN, "GH_TOKEN": TOKEN, "GITHUB_STEP_SUMMARY": str(summary), **extra},
    )
    return proc, reports


def _everything(proc: subprocess.CompletedProcess[str], reports: Path) -> str:
    files = [p.read_text(errors="replace") for p in reports.rglob("*") if p.is_file()]
    summary = reports.parent / "step-summary.md"
    return "\n".join([proc.stdout, proc.stderr, *files, summary.read_text() if summary.exists() else ""])


@pytest.mark.parametrize("actions", ["false", "true"])
def test_a_recovery_script_never_sees_the_token(tmp_path: Path, actions: str) -> None:
    proc, reports = _recover(tmp_path, GITHUB_ACTIONS=actions)
    assert proc.returncode == 1, proc.stderr
    (log,) = (reports / "logs").glob("leak.attempt-1.log")
    assert "token=unset gh=unset" in log.read_text()
    assert TOKEN not in _everything(proc, reports)


@pytest.mark.parametrize("actions", ["false", "true"])
def test_masked_values_are_redacted_from_logs_and_output(tmp_path: Path, actions: str) -> None:
    proc, reports = _recover(tmp_path, GITHUB_ACTIONS=actions)
    everything = _everything(proc, reports)
    assert "hunter2-masked" not in everything
    log = next((reports / "logs").glob("leak.attempt-1.log")).read_text()
    assert "the password is ***" in log and "::add-mask::***" in log


def test_a_token_the_contract_names_reaches_the_script_but_no_output(tmp_path: Path) -> None:
    proc, reports = _recover(tmp_path, ["GITHUB_TOKEN"], GITHUB_ACTIONS="true")
    log = next((reports / "logs").glob("leak.attempt-1.log")).read_text()
    assert "token=*** gh=unset" in log  # it was there, and redacted
    assert TOKEN not in _everything(proc, reports)


def test_script_output_under_actions_shows_control_characters(tmp_path: Path) -> None:
    proc, _ = _recover(tmp_path, GITHUB_ACTIONS="true")
    assert "bell\\x07 escape\\x1b[31m cr\\rend" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout


@pytest.mark.parametrize(
    "env",
    [{"GITHUB_TOKEN": 1}, ["GITHUB TOKEN"], ["A", "A"], "GITHUB_TOKEN", {"bad name": "x"}],
    ids=["number-value", "space", "twice", "string", "bad-key"],
)
def test_a_malformed_env_key_is_a_config_error(tmp_path: Path, env: Any) -> None:
    proc, _ = _recover(tmp_path, env)
    assert proc.returncode == 2, proc.stderr
    assert "recovery_gates[0].env" in proc.stderr and proc.stderr.count("\n") == 1


def _gate() -> RecoveryGate:
    return RecoveryGate(id="g", title="t", command=("x",))


def test_a_script_log_is_cut_at_its_cap_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "log"
    with path.open("wb") as out:
        log = ScriptLog(out, limit=100)
        for _ in range(50):
            log.write(b"0123456789\n")
        log.close_note()
    data = path.read_bytes()
    assert data.startswith(b"0123456789\n" * 9 + b"0")
    assert data.endswith(b"[log cut at 9.53674e-05 MiB: 450 more bytes of output were not kept]\n")
    assert len(data) < 200


def test_a_mask_applies_from_its_own_line_on(tmp_path: Path) -> None:
    path = tmp_path / "log"
    with path.open("wb") as out:
        log = ScriptLog(out)
        log.write(b"before s3cret-value\n::add-mask::s3cret-value\nafter s3cret-value\n")
    assert path.read_bytes() == b"before s3cret-value\n::add-mask::***\nafter ***\n"


@pytest.mark.parametrize(
    "value",
    ['quo"te-secret', "back\\slash-secret", "<xml&secret>", "tab\tsecret", "caf\u00e9-secret"],
)
def test_a_secret_is_redacted_as_every_format_escapes_it(value: str) -> None:
    redact.register(value)
    for spelled in (value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        assert value not in redact.redact(f"x {spelled} y") and spelled not in redact.redact(f"x {spelled} y")


def test_a_short_mask_is_not_registered() -> None:
    redact.register("ab")
    assert redact.redact("abc") == "abc"


def test_progress_off_a_terminal_shows_control_characters() -> None:
    out: list[str] = []
    TerminalProgress(out.append, tty=False).output(_gate(), "[1/3] build\x1b]0;title\x07")
    GithubProgress(out.append, "tok").output(_gate(), "plain\x1b[2Jline\r")
    assert out[0] == "  g [1/3] build\\x1b]0;title\\x07\n"
    assert out[-1] == "plain\\x1b[2Jline\\r\n"


@pytest.fixture
def echoing_github(tmp_path: Path) -> Iterator[State]:
    state = published_line(tmp_path / "line", ("v0.7.0", "v0.7.1"))
    state.echo_auth = True
    with fake_github(state) as running:
        yield running


def test_a_token_a_server_echoes_into_asset_names_is_redacted_in_every_report(
    echoing_github: State, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    summary = tmp_path / "step-summary.md"
    proc = run_gate(
        "check",
        "--release",
        "v0.7.1",
        "--source",
        f"github:{OWNER_REPO}",
        "--report-dir",
        str(reports),
        env={
            "GITHUB_API_URL": echoing_github.base,
            "GITHUB_TOKEN": READ_TOKEN,
            "GATE_CACHE_DIR": str(tmp_path / "cache"),
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
        },
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the names are wrong: findings
    written = [p.read_text() for p in reports.iterdir()] + [summary.read_text()]
    assert any("[Bearer ***]" in text for text in written)
    assert all(READ_TOKEN not in text for text in [proc.stdout, proc.stderr, *written])
