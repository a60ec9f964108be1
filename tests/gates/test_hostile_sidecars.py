"""Hostile JSON sidecars (release-artifacts.json, the provenance, the SBOMs, the signatures):
each shape a reader could take two ways, or that the checks used to skip, is a finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from harness.results import Finding
from tests.gates.conftest import run_gate
from tests.gates.test_sidecar_rules import findings

TAG = "v1.1.0"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_release(tmp_path_factory.mktemp("clean") / TAG, TAG)


def copy_of(clean: Path, tmp_path: Path) -> Path:
    folder = tmp_path / TAG
    folder.mkdir(parents=True)
    for path in clean.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def edit(path: Path, key: str, value: object) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), key: value}))


def outcome(folder: Path, check: str) -> tuple[str, list[Finding]]:
    """`passed`, `failed` or `skipped`, and the findings."""
    try:
        found = findings(folder, check)
    except Exception as exc:  # NotApplicable, CannotEvaluate
        return type(exc).__name__, []
    return ("failed" if found else "passed"), found


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("x", "a string"),
        ({}, "an object"),
        ({"name": "SHA256SUMS", "kind": "checksums"}, "an object"),
        (None, "null"),
        (5, "a number"),
        (1.5, "a number"),
        (True, "true"),
        (False, "false"),
    ],
)
def test_integrity_artifacts_that_is_no_array_fails_i007(
    clean: Path, tmp_path: Path, value: object, kind: str
) -> None:
    folder = copy_of(clean, tmp_path)
    edit(folder / "release-artifacts.json", "integrityArtifacts", value)
    state, found = outcome(folder, "I007")
    assert state == "failed"
    (finding,) = found
    assert finding.subject == "release-artifacts.json"
    assert finding.message.startswith(f"integrityArtifacts is {kind}, not an array of objects: list each")
    assert outcome(folder, "I008")[0] == "NotApplicable"  # I007 reports it


@pytest.mark.parametrize(
    ("stray", "kind"),
    [
        (1, "a number"),
        ("SHA256SUMS", "a string"),
        ([], "an array"),
        (None, "null"),
        (True, "true"),
        ([{"name": "SHA256SUMS"}], "an array"),
    ],
)
def test_an_entry_that_is_no_object_fails_i007_and_the_others_are_still_judged(
    clean: Path, tmp_path: Path, stray: object, kind: str
) -> None:
    folder = copy_of(clean, tmp_path)
    meta = folder / "release-artifacts.json"
    rows = json.loads(meta.read_text())["integrityArtifacts"]
    edit(meta, "integrityArtifacts", [stray, *rows[:-1]])  # and the last sidecar unlisted
    state, found = outcome(folder, "I007")
    assert state == "failed"
    assert [f.message for f in found] == [
        f"integrityArtifacts[0] is {kind}, not an object: "
        "list the sidecar as {name, kind, sha256, size, subject?}",
        "sidecar is not listed in integrityArtifacts",
    ]
    assert found[1].subject == rows[-1]["name"]
    assert outcome(folder, "I008")[0] == "passed"


def test_a_malformed_integrity_artifacts_fails_the_release(clean: Path, tmp_path: Path) -> None:
    for value in ("x", [1], {"a": 1}):
        folder = copy_of(clean, tmp_path / type(value).__name__)
        edit(folder / "release-artifacts.json", "integrityArtifacts", value)
        proc = run_gate("check", "--release", TAG, "--source", str(folder))
        assert proc.returncode == 1, proc.stdout
        assert "failed   I007" in proc.stdout
