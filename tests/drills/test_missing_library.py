"""missing-library drops a real dependency of the binary's own closure; `drill validate`
and `drill run` (its image builder) refuse the same scenarios with the same words."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from drills.engine.closure import closure, library_to_drop
from drills.faults.catalogue import FAULTS
from drills.run.wiring import image_builder
from drills.scenario.aot_binary import missing_library
from drills.scenario.model import SUITES, load
from drills.scenario.notes_suite import suite_dir
from drills.standard.toolchain import Toolchain, build_toolchain, notes_package
from fixtures.fake_engine import FakeDocker
from harness.errors import ConfigError


@pytest.fixture(scope="module")
def tc() -> Toolchain:
    return build_toolchain("0.7.1")


def test_default_is_the_first_library_that_is_not_the_loader_or_libc(tc: Toolchain) -> None:
    assert library_to_drop(closure(tc.notes_aot), None, None) == "libm.so.6"  # glibc-only
    assert library_to_drop(closure(tc.aot_binary, [tc.runtime_lib.parent]), None, None) == "libfuse_rt.so"


def test_a_named_library_must_be_in_the_closure_and_not_the_loader(tc: Toolchain) -> None:
    libs = closure(tc.notes_aot)
    assert library_to_drop(libs, "libc.so.6", None) == "libc.so.6"
    with pytest.raises(
        ConfigError, match=r"'libz\.so\.1' is not in the AOT's closure \(it loads libm\.so\.6, "
    ):
        library_to_drop(libs, "libz.so.1", None)
    with pytest.raises(ConfigError, match=r"'ld-linux-x86-64\.so\.2' is the dynamic loader"):
        library_to_drop(libs, "ld-linux-x86-64.so.2", None)


def test_on_a_base_image_only_the_binarys_own_libraries_can_go(tc: Toolchain) -> None:
    with pytest.raises(ConfigError, match=r"on base image debian:12 the AOT has no library of its own"):
        library_to_drop(closure(tc.notes_aot), None, "debian:12")
    own = closure(tc.aot_binary, [tc.runtime_lib.parent])
    assert library_to_drop(own, None, "debian:12") == "libfuse_rt.so"
    with pytest.raises(ConfigError, match=r"'libm\.so\.6' comes with base image debian:12"):
        library_to_drop(own, "libm.so.6", "debian:12")


def test_the_library_parameter_is_checked_when_the_scenario_loads() -> None:
    FAULTS["missing-library"].prepare({"library": "libm.so.6"})
    with pytest.raises(ConfigError, match=r"fault\.params\.library: expected a library name"):
        FAULTS["missing-library"].prepare({"library": "/lib/libm.so.6"})


def _glibc_only_on_a_base(tmp_path: Path, tc: Toolchain) -> Path:
    pkg = shutil.copytree(notes_package(), tmp_path / "pkg")
    (tmp_path / "fuse-cli-linux-x64.tar.gz").write_bytes(b"")
    doc = {
        "name": "ml",
        "fault": {"id": "missing-library"},
        "expect": {"fallback": True},
        "base_image": "debian:12",
        "app": {
            "package": str(pkg),
            "aot": {"candidate": str(tc.notes_aot)},
            "fallback": {"bundle": "fuse-cli-linux-x64.tar.gz"},
        },
    }
    path = tmp_path / "ml.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_validate_and_run_refuse_a_glibc_only_binary_on_a_base_image_with_the_same_words(
    tmp_path: Path, tc: Toolchain
) -> None:
    path = _glibc_only_on_a_base(tmp_path, tc)
    with pytest.raises(ConfigError) as validated:
        load(path)
    # the run's image builder, given the same scenario (validation bypassed), says the same
    doc = yaml.safe_load(path.read_text())
    doc.pop("base_image")
    path.write_text(yaml.safe_dump(doc))
    unbased = replace(load(path), base_image="debian:12")
    fake = FakeDocker()
    fake.images["debian:12"] = {}
    with pytest.raises(ConfigError) as ran:
        image_builder(fake, tmp_path / "work")(unbased, {})
    assert str(validated.value) == f"{unbased.origin}: {ran.value}"


def test_the_standard_suites_missing_library_fault_resolves_on_both_shapes(tc: Toolchain) -> None:
    scenario = load(SUITES["standard"] / "missing-library.yaml")
    assert missing_library(scenario) == "libfuse_rt.so"
    assert missing_library(load(suite_dir() / "missing-library.yaml")) == "libm.so.6"
