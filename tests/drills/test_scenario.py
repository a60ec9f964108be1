"""Scenario files: schema, defaults, playbook lint, suites."""

from __future__ import annotations

import json

import pytest

from drills.scenario import model as scenario
from drills.standard.releases import write_line, write_release
from harness.errors import ConfigError
from tests.drills.test_faults import ISSUE_CATALOGUE


def _write(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def test_the_standard_suite_covers_every_fault_and_control():
    loaded = scenario.load_all(scenario.scenario_files((), "standard"))
    assert {s.fault_id for s in loaded} == ISSUE_CATALOGUE


def test_defaults_fill_in(tmp_path):
    s = scenario.load(_write(tmp_path, "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"))
    assert s.base_image is None
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
    write_line(tmp_path / "rel", ("v0.7.0", "v0.7.1"))
    (tmp_path / "lib").mkdir()
    (tmp_path / "opt" / "lib").mkdir(parents=True)
    s = scenario.load(
        _write(
            tmp_path,
            "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"
            f"release: {{path: rel, lib_dirs: [lib, {tmp_path / 'opt' / 'lib'}]}}\n"
            "aot_env: {STANDIN_AOT_LOAD_MS: '40'}\n",
        )
    )
    assert s.release.lib_dirs == (tmp_path / "lib", tmp_path / "opt" / "lib")
    assert s.aot_env == {"STANDIN_AOT_LOAD_MS": "40"}
    with pytest.raises(ConfigError, match="aot_env"):
        scenario.load(
            _write(
                tmp_path,
                "name: x\nfault: {id: crash}\nexpect: {fallback: true}\naot_env: {STANDIN_AOT_LOAD_MS: 40}\n",
            )
        )


def test_recover_to_aot_with_a_checkout_reruns_the_recovery_gates(tmp_path):
    (tmp_path / "fix").mkdir()
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


CRASH = "name: x\nfault: {id: crash}\nexpect: {fallback: true}\n"


REFUSED = [
    # fault parameters are the fault's own checks, run when the file loads
    (
        "name: x\nfault: {id: slow-start, params: {cpus: 5}}\nexpect: {fallback: true}\n",
        r"fault\.params\.cpus: expected a number in \[0\.01, 1\.0\], got 5",
    ),
    (
        "name: x\nfault: {id: crash, params: {signal: SIGSEGV}}\nexpect: {fallback: true}\n",
        r"fault\.params\.signal: 'SIGSEGV': only SIGKILL crashes the service: it is PID 1",
    ),
    (
        "name: x\nfault: {id: hang, params: {for_s: 3}}\nexpect: {fallback: true}\n",
        r"fault\.params\.for_s: not a parameter",
    ),
    # paths exist
    (CRASH + "release: {path: nowhere}\n", r"release\.path: .*nowhere is not a folder"),
    (CRASH + "release: {lib_dirs: [nolib]}\n", r"release\.lib_dirs\[0\]: .*nolib is not a folder"),
    (CRASH + "app_package: noapp\n", r"app_package: .*noapp is not a folder"),
    (CRASH + "app_package: .\n", r"app_package: .* has no fuse\.toml"),
    (CRASH + "recover_to_aot: {checkout: nope}\n", r"recover_to_aot\.checkout: .*nope is not a folder"),
    (
        CRASH + "recover_to_aot: {checkout: ., contract: c.yaml}\n",
        r"recover_to_aot\.contract: .*c\.yaml: no such file",
    ),
    # tags are anchored and exist in the release source
    (
        CRASH + 'release: {previous: "v0.7.0 (old)"}\n',
        r"release\.previous: 'v0\.7\.0 \(old\)' does not match",
    ),
    (CRASH + "release: {tag: v0.7.1x}\n", r"release\.tag: 'v0\.7\.1x' does not match"),
    (
        CRASH + "release: {previous: v0.6.9}\n",
        r"release\.previous: v0\.6\.9 is not a release of the fixture line \(v0\.7\.0, v0\.7\.1, "
        r"v0\.8\.0\)",
    ),
    (CRASH + "release: {tag: v0.9.0}\n", r"release\.tag: v0\.9\.0 is not a release of the fixture line"),
    # expectations that can never be met, checks that would be switched off
    (
        "name: x\nfault: {id: broken-fallback}\nexpect: {fallback: false, verdict: failed}\n",
        r"expect\.fallback: 'broken-fallback' is found broken only by falling back",
    ),
    (CRASH + "load: {requests: 0}\n", r"load\.requests: 0 is less than the minimum of 1"),
    (
        CRASH + "budgets: {contain_s: 15, recover_s: 15}\n",
        r"budgets\.contain_s: 15 s of containment leaves the fallback no time within budgets\.recover_s",
    ),
    (CRASH + "budgets: {recover_s: 4}\n", r"budgets\.contain_s: 10 s"),  # the default contain_s
    # a base image is one image reference: FROM scratch is the default, not a base
    (CRASH + "base_image: scratch\n", r"base_image: 'scratch' should not be valid"),
    (
        CRASH + 'base_image: "debian:12\\nRUN rm -rf /"\n',
        r"base_image: 'debian:12\\nRUN rm -rf /' does not match",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), REFUSED, ids=[m.split(":")[0].replace("\\", "") for _, m in REFUSED]
)
def test_what_drill_run_would_refuse_is_refused_at_load_naming_file_and_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        scenario.load(path)
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)


def test_budgets_may_overlap_when_nothing_is_contained(tmp_path):
    no_previous = scenario.load(
        _write(tmp_path, CRASH + "release: {previous: null}\nbudgets: {recover_s: 4}\n")
    )
    assert no_previous.budgets.contain_s == 10 and no_previous.release.previous is None
    control = scenario.load(
        _write(tmp_path, "name: x\nfault: {id: none}\nexpect: {fallback: false}\nbudgets: {recover_s: 4}\n")
    )
    assert control.budgets.recover_s == 4


def test_tags_must_be_in_the_release_line_the_scenario_names(tmp_path):
    write_line(tmp_path / "line", ("v0.7.0", "v0.7.1"))
    ok = scenario.load(_write(tmp_path, CRASH + "release: {path: line}\n"))
    assert (ok.release.path, ok.release.tag, ok.release.previous) == (tmp_path / "line", "v0.7.1", "v0.7.0")
    for release, key, tag in (
        ("{path: line, previous: v0.7.9}", "previous", "v0.7.9"),  # a misspelled previous tag
        ("{path: line, tag: v0.7.2}", "tag", "v0.7.2"),
    ):
        path = _write(tmp_path, CRASH + f"release: {release}\n")
        with pytest.raises(ConfigError, match=rf"^{path}: release\.{key}: .*line holds no {tag} bundle"):
            scenario.load(path)


def test_one_release_folder_needs_previous_null(tmp_path):
    write_release(tmp_path / "dist", "v0.7.1")
    path = _write(tmp_path, CRASH + "release: {path: dist}\n")
    with pytest.raises(ConfigError, match=r"release\.previous: .* set previous: null to skip containment"):
        scenario.load(path)
    one = scenario.load(_write(tmp_path, CRASH + "release: {path: dist, previous: null}\n"))
    assert one.release.path == tmp_path / "dist" and one.release.previous is None


def test_the_tag_of_a_single_release_folder_must_be_the_release_it_holds(tmp_path):
    write_release(tmp_path / "line" / "v0.7.1", "v0.7.1")
    path = _write(tmp_path, CRASH + "release: {path: line/v0.7.1, tag: v0.9.9, previous: null}\n")
    with pytest.raises(ConfigError) as caught:
        scenario.load(path)
    assert str(caught.value) == (
        f"{path}: release.tag: v0.9.9 is not the release in {tmp_path / 'line' / 'v0.7.1'}, a single "
        "release folder of v0.7.1 (its name); set tag: v0.7.1, or point release.path at a release "
        "line holding v0.9.9"
    )
    ok = scenario.load(
        _write(tmp_path, CRASH + "release: {path: line/v0.7.1, tag: v0.7.1, previous: null}\n")
    )
    assert ok.release.tag == "v0.7.1"


def test_a_release_folder_not_named_after_its_tag_is_checked_against_its_metadata(tmp_path):
    dist = write_release(tmp_path / "dist", "v0.7.1")
    metadata = dist / "release-artifacts.json"
    metadata.write_text(json.dumps({**json.loads(metadata.read_text()), "version": "0.7.1"}))
    path = _write(tmp_path, CRASH + "release: {path: dist, tag: v0.9.9, previous: null}\n")
    with pytest.raises(ConfigError, match=r"a single release folder of v0\.7\.1 \(the version in its "):
        scenario.load(path)
    assert (
        scenario.load(_write(tmp_path, CRASH + "release: {path: dist, previous: null}\n")).release.tag
        == "v0.7.1"
    )
