"""Scenario files: schema, defaults, playbook lint, suites."""

from __future__ import annotations

from pathlib import Path

import pytest

from drills import scenario
from harness.errors import ConfigError


def _write(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def test_the_standard_suite_covers_every_fault_and_control():
    loaded = scenario.load_all(scenario.scenario_files((), "standard"))
    assert {s.fault_id for s in loaded} == {
        "crash",
        "crash-loop",
        "corrupt-binary",
        "missing-library",
        "slow-start",
        "hang",
        "oom",
        "port-conflict",
        "none",
        "both-backends",
        "broken-fallback",
    }


def test_defaults_fill_in(tmp_path):
    s = scenario.load(_write(tmp_path, "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"))
    assert s.probing.interval_s == 0.1 and s.release.tag == "v0.7.1" and s.release.path is None
    assert s.release.previous == "v0.7.0" and s.budgets.recover_s == 15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nfault: {id: meteor}\nexpect: {fallback: true}\n", "fault.id"),
        ("name: x\nfault: {id: crash}\n", "'expect' is a required property"),
        ("name: x\nfault: {id: none}\nexpect: {fallback: true}\n", "must not fall back"),
        ("name: x\nfault: {id: broken-fallback}\nexpect: {fallback: true}\n", "reported broken"),
        ("name: x\nfault: {id: crash}\nexpect: {fallback: true, verdict: failed}\n", "only"),
        (
            "name: x\nfault: {id: crash}\nexpect: {fallback: true}\nprobe: {interval_ms: 1}\n",
            "probe.interval_ms",
        ),
        ("name: [x\n", "fix the YAML syntax"),
    ],
)
def test_bad_scenarios_are_one_line_config_errors(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        scenario.load(_write(tmp_path, text))


def test_duplicate_names_and_unknown_suites_are_refused(tmp_path):
    path = _write(tmp_path, "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n")
    with pytest.raises(ConfigError, match="unique"):
        scenario.load_all([path, path])
    with pytest.raises(ConfigError, match="unknown suite"):
        scenario.scenario_files((), "nightly")


def test_lib_dirs_resolve_against_the_scenario_and_aot_env_is_kept(tmp_path):
    s = scenario.load(
        _write(
            tmp_path,
            "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"
            "release: {path: rel, lib_dirs: [lib, /opt/fuse/lib]}\n"
            "aot_env: {STANDIN_AOT_LOAD_MS: '40'}\n",
        )
    )
    assert s.release.lib_dirs == (tmp_path / "lib", Path("/opt/fuse/lib"))
    assert s.aot_env == {"STANDIN_AOT_LOAD_MS": "40"}
    with pytest.raises(ConfigError, match="aot_env"):
        scenario.load(
            _write(
                tmp_path,
                "name: x\nfault: {id: crash}\nexpect: {fallback: true}\naot_env: {STANDIN_AOT_LOAD_MS: 40}\n",
            )
        )


def test_recover_to_aot_with_a_checkout_reruns_the_recovery_gates(tmp_path):
    s = scenario.load(
        _write(
            tmp_path,
            "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"
            "recover_to_aot: {checkout: fix, timeout_s: 90}\n",
        )
    )
    assert s.recover_to_aot and s.recovery_gates == scenario.RecoveryGates(
        checkout=tmp_path / "fix", timeout_s=90
    )
    plain = scenario.load(
        _write(tmp_path, "name: x\nfault: {id: crash}\nexpect: {fallback: true}\nrecover_to_aot: true\n")
    )
    assert plain.recover_to_aot and plain.recovery_gates is None
    with pytest.raises(ConfigError, match="recover_to_aot"):
        scenario.load(
            _write(
                tmp_path,
                "name: x\nfault: {id: crash}\nexpect: {fallback: true}\nrecover_to_aot: {contract: c.yaml}\n",
            )
        )
