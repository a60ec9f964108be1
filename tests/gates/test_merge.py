"""`gate merge`: one verdict from `gate check` and one `gate recover --platform P` per
platform, through the installed console script; per-platform recovery gates."""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from gates import contract
from gates.platforms import platform_id
from gates.recovery import plan as recovery_plan
from harness.errors import ConfigError
from tests.gates.conftest import run_gate

PLATFORMS = ("linux-x64", "macos-arm64", "windows-x64")
SHA = "0123456789abcdef0123456789abcdef01234567"
OK = [sys.executable, "-c", "print('smoke ok')"]
BAD = [sys.executable, "-c", "import sys; print('smoke broke'); sys.exit(4)"]


def contract_file(tmp_path: Path, **gate: Any) -> Path:
    """A contract whose one recovery gate is a quick real command."""
    doc = {
        "schema_version": 1,
        "platforms": list(PLATFORMS),
        "recovery_gates": [{"id": "smoke", "title": "smoke", "command": OK, "timeout_s": 30, **gate}],
    }
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def recover(tmp_path: Path, rules: Path, platform: str, *extra: str, sha: str = SHA) -> Path:
    out = tmp_path / f"recover-{platform}"
    done = run_gate(
        "recover",
        "--checkout",
        str(tmp_path),
        "--contract",
        str(rules),
        "--platform",
        platform,
        "--tag",
        "v0.7.1",
        "--report-dir",
        str(out),
        *extra,
        env={"GITHUB_SHA": sha},
    )
    assert done.returncode in (0, 1, 3), done.stderr
    return out / "report.json"


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """The passing contract and one `gate recover` report of it per platform, made once for
    the module: the merge tests only read them (a test that alters one copies it first)."""
    root = tmp_path_factory.mktemp("passing")
    rules = contract_file(root)
    return rules, {p: recover(root, rules, p) for p in PLATFORMS}


def merge(rules: Path, *reports: Path, out: Path | None = None, sha: str = SHA) -> Any:
    args = ["merge", *map(str, reports), "--contract", str(rules)]
    return run_gate(*args, *(["--report-dir", str(out)] if out else []), env={"GITHUB_SHA": sha})


def test_recover_records_platform_tag_and_commit(tmp_path: Path) -> None:
    data = json.loads(recover(tmp_path, contract_file(tmp_path), "macos-arm64").read_text())
    assert (data["platforms"], data["release"], data["commit"]) == (["macos-arm64"], "v0.7.1", SHA)


def test_three_platforms_one_failing_exit_1_naming_it_in_every_format(tmp_path: Path) -> None:
    rules = contract_file(tmp_path, per_platform={"windows-x64": {"command": BAD}})
    reports = [recover(tmp_path, rules, p) for p in PLATFORMS]
    out = tmp_path / "merged"
    done = merge(rules, *reports, out=out)
    assert done.returncode == 1, done.stderr
    assert "failed   smoke windows-x64/recovery" in done.stdout
    assert "linux-x64/recovery" not in done.stdout  # passes are quiet
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    failing = suites["gate merge windows-x64/recovery"]
    assert failing.get("failures") == "1" and failing.find("testcase/failure") is not None
    assert suites["gate merge linux-x64/recovery"].get("failures") == "0"
    summary = (out / "summary.md").read_text()
    assert "FAILED" in summary and "| ❌ | `smoke` | windows-x64/recovery |" in summary
    merged = json.loads((out / "report.json").read_text())
    assert merged["platforms"] == list(PLATFORMS) and merged["commit"] == SHA
    assert merged["release"] == "v0.7.1"


def test_all_platforms_passing_merge_passes(passing: tuple[Path, dict[str, Path]]) -> None:
    rules, reports = passing
    done = merge(rules, *(reports[p] for p in PLATFORMS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gate merge: PASSED" in done.stdout


def test_a_missing_platform_fails_naming_it(passing: tuple[Path, dict[str, Path]]) -> None:
    rules, reports = passing
    done = merge(rules, reports["linux-x64"], reports["windows-x64"])
    assert done.returncode == 1
    assert "failed   M001 macos-arm64" in done.stdout
    assert "no gate recover report covers macos-arm64" in done.stdout


def test_gate_check_report_covers_every_platform(
    tmp_path: Path, make_release: Any, passing: tuple[Path, dict[str, Path]]
) -> None:
    rules, reports = passing
    out = tmp_path / "check"
    done = run_gate(
        "check", "--release", "v0.7.1", "--source", str(make_release("v0.7.1")), "--report-dir", str(out),
        env={"GITHUB_SHA": SHA},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    check = json.loads((out / "report.json").read_text())
    assert (check["platforms"], check["release"], check["commit"]) == (list(PLATFORMS), "v0.7.1", SHA)
    recovered = [reports[p] for p in PLATFORMS[:2]]
    done = merge(rules, out / "report.json", *recovered)
    assert done.returncode == 1  # gate check covers all three; gate recover misses windows
    assert "no gate recover report covers windows-x64" in done.stdout
    assert "M001 linux-x64" not in done.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"commit": "f" * 40}, f"commit '{'f' * 40}' is not expected '{SHA}'"),
        ({"release": "v0.7.2"}, "release 'v0.7.2' is not"),
        ({"platforms": ["linux-x64"]}, "linux-x64 is also covered by"),
        ({"platforms": ["linux-arm64"]}, "'linux-arm64' is not a platform of"),
        ({"platforms": []}, "the report names no platform"),
        ({"schema_version": 7}, "schema_version: expected 1"),
        ({"results": [{"outcome": "great"}]}, "results[0]: outcome: 'great' is not one of"),
    ],
)
def test_reports_of_another_run_or_malformed_are_refused_exit_2(
    tmp_path: Path, passing: tuple[Path, dict[str, Path]], change: dict[str, Any], message: str
) -> None:
    rules, reports = passing
    first = reports["linux-x64"]
    second = Path(shutil.copy2(reports["macos-arm64"], tmp_path / "report.json"))  # altered below
    data = json.loads(second.read_text())
    second.write_text(json.dumps({**data, **change}))
    done = merge(rules, first, second)
    assert done.returncode == 2, done.stdout
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_unreadable_report_is_one_line(tmp_path: Path) -> None:
    done = merge(contract_file(tmp_path), tmp_path / "absent.json")
    assert done.returncode == 2 and "absent.json: cannot read the report" in done.stderr


def test_a_gate_the_contract_keeps_off_a_platform_is_skipped_there_never_passed(tmp_path: Path) -> None:
    rules = contract_file(tmp_path, platforms=["linux-x64", "macos-arm64"], skip_reason="bash only")
    report = json.loads(recover(tmp_path, rules, "windows-x64").read_text())
    smoke = next(r for r in report["results"] if r["check"] == "smoke")
    assert smoke["outcome"] == "skipped"
    assert smoke["summary"] == "skipped by contract on windows-x64: bash only"
    assert report["verdict"] == "error"  # nothing ran and nothing was measured: not a pass
    assert "the contract runs none of its recovery gates on this platform" in report["results"][-1]["summary"]
    linux = json.loads(recover(tmp_path, rules, "linux-x64").read_text())
    assert [r["outcome"] for r in linux["results"] if r["check"] == "smoke"] == ["passed"]


def test_unknown_platform_is_a_usage_error(tmp_path: Path) -> None:
    done = run_gate("recover", "--checkout", str(tmp_path), "--platform", "linux-arm64")
    assert done.returncode == 2
    assert "--platform: 'linux-arm64' is not a platform of" in done.stderr


def test_per_platform_overrides_and_shell(tmp_path: Path) -> None:
    rules = contract.load(
        contract_file(
            tmp_path,
            shell=["bash"],
            per_platform={"windows-x64": {"shell": ["bash.exe", "-e"], "timeout_s": 99, "command": ["x.sh"]}},
        )
    )
    (linux,) = recovery_plan.gates_of(rules, "linux-x64")
    (windows,) = recovery_plan.gates_of(rules, "windows-x64")
    assert linux.command == ("bash", *OK) and linux.timeout_s == 30
    assert windows.command == ("bash.exe", "-e", "x.sh") and windows.timeout_s == 99


def test_default_contract_keeps_the_bash_gates_off_windows() -> None:
    rules = contract.load(None)
    on_windows = recovery_plan.gates_of(rules, "windows-x64")
    assert [g.id for g in on_windows] == ["aot-perf-bench", "aot-perf-slo", "release-smoke"]
    assert all(
        g.skip_reason.startswith("skipped by contract on windows-x64: FUSE's script is bash")
        for g in on_windows
    )
    assert not any(g.skip_reason for g in recovery_plan.gates_of(rules, "linux-x64"))
    smoke = recovery_plan.gates_of(rules, "macos-arm64")[2]
    assert smoke.timeout_s == 10800 and not smoke.skip_reason


@pytest.mark.parametrize(
    ("system", "machine", "expected"),
    [
        ("Linux", "x86_64", "linux-x64"),
        ("Darwin", "arm64", "macos-arm64"),
        ("Windows", "AMD64", "windows-x64"),
    ],
)
def test_platform_ids(system: str, machine: str, expected: str) -> None:
    assert platform_id(system, machine) == expected


def test_unknown_machine_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no FUSE platform"):
        platform_id("Plan9", "mips")


def test_windows_run_measures_its_own_aot_and_reports_the_skips(tmp_path: Path, make_release: Any) -> None:
    rules = contract_file(tmp_path, platforms=["linux-x64", "macos-arm64"])
    bundles = make_release("v0.7.1")
    path = recover(tmp_path, rules, "windows-x64", "--release", "v0.7.1", "--source", str(bundles))
    report = json.loads(path.read_text())
    outcomes = {(r["check"], r["scope"]): r["outcome"] for r in report["results"]}
    assert outcomes == {("smoke", "recovery"): "skipped", ("S002", "windows-x64"): "passed"}
    assert report["verdict"] == "passed" and report["counts"]["skipped"] == 1


def test_an_expected_command_without_any_report_fails_every_platform(
    passing: tuple[Path, dict[str, Path]],
) -> None:
    rules, reports = passing
    done = run_gate(
        "merge", *(str(reports[p]) for p in PLATFORMS), "--contract", str(rules), "--expect", "gate check",
        env={"GITHUB_SHA": SHA},
    )  # fmt: skip
    assert done.returncode == 1
    assert all(f"no gate check report covers {p}" in done.stdout for p in PLATFORMS)
