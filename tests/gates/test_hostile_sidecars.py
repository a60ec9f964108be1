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


# (file, the check that reads it first, a key it holds at the top, a nested key)
JSON_FILES = [
    ("release-artifacts.json", "I004", b'"generatedAtUtc"', b'"sha256"'),
    ("release-provenance.json", "V001", b'"tag"', b'"runAttempt"'),
    ("fuse-cli-linux-x64.spdx.json", "B002", b'"SPDXID"', b'"checksumValue"'),
]


def twice(data: bytes, key: bytes, value: bytes) -> bytes:
    """`data` with `key` given a second time, before its first copy."""
    return data.replace(key, key + b": " + value + b", " + key, 1)


@pytest.mark.parametrize(("name", "check", "top", "nested"), JSON_FILES)
@pytest.mark.parametrize("where", ["top", "nested"])
@pytest.mark.parametrize("value", [b'"v9.9.9"', b"null", b"2", b"{}"])
def test_a_key_given_twice_is_a_finding(
    clean: Path, tmp_path: Path, name: str, check: str, top: bytes, nested: bytes, where: str, value: bytes
) -> None:
    """`{"tag": "v9.9.9", "tag": "v1.1.0"}` is v1.1.0 to Python and Node (the last copy) and
    v9.9.9 to a reader that keeps the first: refused, whichever copy is right."""
    folder = copy_of(clean, tmp_path)
    path = folder / name
    key = top if where == "top" else nested
    path.write_bytes(twice(path.read_bytes(), key, value))
    state, found = outcome(folder, check)
    assert state == "failed", found
    assert any(
        f.subject == name and f"key {key.decode()[1:-1]!r} is given twice in one object" in f.message
        for f in found
    ), found


@pytest.mark.parametrize(("name", "check", "top", "nested"), JSON_FILES)
@pytest.mark.parametrize(
    "stray",
    [
        b"\xff",  # never UTF-8
        b"\xc0\xaf",  # an overlong '/'
        b"\xe2\x82",  # a sequence cut short
        b"\xed\xa0\x80",  # a surrogate, encoded
        b"\x80",  # a continuation byte alone
        b"\xf4\x90\x80\x80",  # past U+10FFFF
    ],
)
def test_json_that_is_not_utf8_is_a_finding(
    clean: Path, tmp_path: Path, name: str, check: str, top: bytes, nested: bytes, stray: bytes
) -> None:
    """Node and Go read a stray byte as U+FFFD, Python refuses it: the file names one thing to
    FUSE's own verifier and another to us."""
    folder = copy_of(clean, tmp_path)
    path = folder / name
    data = path.read_bytes()
    at = data.index(b'": "') + 5  # inside the first string value
    path.write_bytes(data[:at] + stray + data[at:])
    state, found = outcome(folder, check)
    assert state == "failed"
    (finding,) = [f for f in found if f.subject == name]
    assert f"not UTF-8: byte 0x{stray[0]:02x} at offset {at}" in finding.message
    assert "JSON must be UTF-8" in finding.message


def test_the_same_keys_in_different_objects_are_no_finding(clean: Path) -> None:
    assert [outcome(clean, check)[0] for _, check, _, _ in JSON_FILES] == ["passed"] * 3


def test_a_tag_given_twice_fails_the_release(clean: Path, tmp_path: Path) -> None:
    folder = copy_of(clean, tmp_path)
    meta = folder / "release-artifacts.json"
    meta.write_bytes(meta.read_bytes().replace(b"{", b'{"tag": "v9.9.9", "tag": "v1.1.0", ', 1))
    proc = run_gate("check", "--release", TAG, "--source", str(folder))
    assert proc.returncode == 1
    assert "failed   I004" in proc.stdout
