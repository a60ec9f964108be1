"""Hostile JSON sidecars (release-artifacts.json, the provenance, the SBOMs, the signatures):
each shape a reader could take two ways, or that the checks used to skip, is a finding."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from gates.assets import stem
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


LISTINGS = [
    ("release-artifacts.json", "artifacts", "I004"),
    ("release-artifacts.json", "integrityArtifacts", "I007"),
    ("release-provenance.json", "artifacts", "V002"),
    ("release-provenance.json", "sboms", "V002"),
]


def listing_copy(
    clean: Path, tmp_path: Path, file: str, key: str
) -> tuple[Path, Path, list[dict[str, object]]]:
    """A copy of the clean release, the path of `file` in it, and the rows of its `key`."""
    folder = copy_of(clean, tmp_path)
    return folder, folder / file, rows_of(folder / file, key)


def rows_of(path: Path, key: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(path.read_text())[key]
    return rows


@pytest.mark.parametrize(("file", "key", "check"), LISTINGS)
@pytest.mark.parametrize(
    ("where", "copies"),
    [("first", 2), ("last", 2), ("middle", 2), ("first", 3)],
)
def test_an_entry_listed_twice_is_a_finding_even_when_identical(
    clean: Path, tmp_path: Path, file: str, key: str, check: str, where: str, copies: int
) -> None:
    folder, path, rows = listing_copy(clean, tmp_path, file, key)
    index = {"first": 0, "last": len(rows) - 1, "middle": len(rows) // 2}[where]
    edit(path, key, rows[: index + 1] + [rows[index]] * (copies - 1) + rows[index + 1 :])
    state, found = outcome(folder, check)
    assert state == "failed"
    (finding,) = found
    name = rows[index]["name"]
    assert finding.subject == file
    assert finding.message == (
        f"'{name}' is listed {copies} times in {key}: which entry holds is ambiguous; list each file once"
    )


@pytest.mark.parametrize(("file", "key", "check"), LISTINGS)
def test_an_entry_listed_twice_with_another_digest_is_a_finding(
    clean: Path, tmp_path: Path, file: str, key: str, check: str
) -> None:
    """The reader that keeps the first entry and the one that keeps the last see different bytes."""
    folder, path, rows = listing_copy(clean, tmp_path, file, key)
    edit(path, key, [*rows, {**rows[0], "sha256": "0" * 64}])
    assert any("is listed 2 times" in f.message for f in outcome(folder, check)[1])
    assert outcome(clean, check)[0] == "passed"


@pytest.mark.parametrize(
    "subject", ["fuse-cli-linux-x64.tar.gz", "fuse-aot-windows-x64.zip", "", None, 1, []]
)
def test_an_sbom_whose_provenance_subject_is_not_its_payload_is_a_finding(
    clean: Path, tmp_path: Path, subject: object
) -> None:
    folder, path, rows = listing_copy(clean, tmp_path, "release-provenance.json", "sboms")
    edit(path, "sboms", [{**r, "subject": subject} for r in rows])
    state, found = outcome(folder, "V002")
    assert state == "failed"
    own = f"{stem(subject)}.spdx.json" if isinstance(subject, str) else ""  # the SBOM it is right for
    wrong = {str(r["name"]) for r in rows} - {own}
    assert {f.subject for f in found} == wrong
    assert all(f.message.startswith("the provenance's sboms gives this SBOM another subject") for f in found)


def test_an_sbom_without_a_provenance_subject_is_a_finding(clean: Path, tmp_path: Path) -> None:
    folder, path, rows = listing_copy(clean, tmp_path, "release-provenance.json", "sboms")
    edit(path, "sboms", [{k: v for k, v in r.items() if k != "subject"} for r in rows])
    assert len(outcome(folder, "V002")[1]) == len(rows)


def test_an_sbom_subject_may_spell_its_payload_by_name_or_by_stem(clean: Path, tmp_path: Path) -> None:
    folder, path, rows = listing_copy(clean, tmp_path, "release-provenance.json", "sboms")
    payloads = {stem(str(r["name"])): r["name"] for r in rows_of(path, "artifacts")}
    by_name = [{**r, "subject": payloads[str(r["name"]).removesuffix(".spdx.json")]} for r in rows]
    edit(path, "sboms", by_name)
    assert outcome(folder, "V002") == ("passed", [])
    assert outcome(clean, "V002") == ("passed", [])  # the fixture spells the stem


@pytest.mark.parametrize(
    ("key", "other"),
    [
        ("artifacts", "fuse-cli-linux-x64.spdx.json"),
        ("sboms", "fuse-cli-linux-x64.tar.gz"),
        ("artifacts", "SHA256SUMS"),
    ],
)
def test_a_file_listed_under_the_wrong_provenance_key_is_a_finding(
    clean: Path, tmp_path: Path, key: str, other: str
) -> None:
    folder = copy_of(clean, tmp_path)
    path = folder / "release-provenance.json"
    data = (folder / other).read_bytes()
    row = {"name": other, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "subject": "x"}
    edit(path, key, [*rows_of(path, key), row])
    found = [f for f in outcome(folder, "V002")[1] if f.subject == other]
    assert [f.message for f in found] == [
        f"provenance {key} lists a file that is not one of the release's {key}"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "true"), (1.0, "1.0"), ("1", '"1"'), (None, "null"), ([1], "[1]"), (False, "false"), (2, "2")],
)
def test_a_provenance_schema_version_that_is_not_the_integer_1_is_a_finding(
    clean: Path, tmp_path: Path, value: object, shown: str
) -> None:
    """Python has True == 1 == 1.0: the provenance's schemaVersion must be JSON's integer 1."""
    folder = copy_of(clean, tmp_path)
    edit(folder / "release-provenance.json", "schemaVersion", value)
    (finding,) = outcome(folder, "V001")[1]
    assert finding.message == f"not FUSE release provenance: schemaVersion is {shown}, not 1"


def test_a_provenance_without_a_schema_version_is_a_finding(clean: Path, tmp_path: Path) -> None:
    folder = copy_of(clean, tmp_path)
    path = folder / "release-provenance.json"
    path.write_text(
        json.dumps({k: v for k, v in json.loads(path.read_text()).items() if k != "schemaVersion"})
    )
    assert outcome(folder, "V001")[0] == "failed"


@pytest.mark.parametrize(
    ("file", "key", "check", "listing"),
    [
        ("release-artifacts.json", "artifacts", "I005", "release-artifacts.json"),
        ("release-artifacts.json", "integrityArtifacts", "I008", "integrityArtifacts"),
        ("release-provenance.json", "artifacts", "V002", "the provenance's artifacts"),
        ("release-provenance.json", "sboms", "V002", "the provenance's sboms"),
    ],
)
@pytest.mark.parametrize("as_json", ["float", "string", "bool"])
def test_a_size_that_is_no_json_integer_is_a_finding(
    clean: Path, tmp_path: Path, file: str, key: str, check: str, listing: str, as_json: str
) -> None:
    """6529.0 == 6529 in Python; the listing says a float (or a string, or true for 1 byte)."""
    folder, path, rows = listing_copy(clean, tmp_path, file, key)
    size = rows[0]["size"]
    assert isinstance(size, int)
    spelled = {"float": float(size), "string": str(size), "bool": True}[as_json]
    if as_json == "bool":  # a file of one byte, listed as true
        (folder / str(rows[0]["name"])).write_bytes(b"x")
    edit(path, key, [{**rows[0], "size": spelled}, *rows[1:]])
    found = [f for f in outcome(folder, check)[1] if f.subject == rows[0]["name"] and "size" in f.message]
    assert [f.message for f in found] == [f"size listed in {listing} does not match the file"]


@pytest.mark.parametrize("subject", [False, 0, [], {}])
def test_a_subject_that_is_false_or_zero_is_no_absent_subject(
    clean: Path, tmp_path: Path, subject: object
) -> None:
    """SHA256SUMS has no subject: `false`, `0` or `[]` in its place is a finding (so is such a kind)."""
    folder = copy_of(clean, tmp_path)
    meta = folder / "release-artifacts.json"
    rows = rows_of(meta, "integrityArtifacts")
    assert rows[0]["name"] == "SHA256SUMS" and "subject" not in rows[0]
    edit(meta, "integrityArtifacts", [{**rows[0], "subject": subject, "kind": subject}, *rows[1:]])
    found = {(f.subject, f.message, f.actual) for f in outcome(folder, "I007")[1]}
    assert found == {
        ("SHA256SUMS", "integrityArtifacts gives it the wrong subject", json.dumps(subject)),
        ("SHA256SUMS", "integrityArtifacts gives it the wrong kind", json.dumps(subject)),
    }


def with_checksums(path: Path, values: list[str], algorithm: str = "SHA256") -> None:
    document = json.loads(path.read_text())
    document["packages"][0]["checksums"] = [{"algorithm": algorithm, "checksumValue": v} for v in values]
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("order", ["right first", "right last", "right between", "never right"])
def test_an_sbom_with_two_different_sha256s_is_a_finding_in_either_order(
    clean: Path, tmp_path: Path, order: str
) -> None:
    """The first-vs-last split: both orders fail, whichever copy is the payload's."""
    folder = copy_of(clean, tmp_path)
    sbom = folder / "fuse-cli-linux-x64.spdx.json"
    right = hashlib.sha256((folder / "fuse-cli-linux-x64.tar.gz").read_bytes()).hexdigest()
    zero, other = "0" * 64, "f" * 64
    values = {
        "right first": [right, zero],
        "right last": [zero, right],
        "right between": [zero, right, other],
        "never right": [zero, other],
    }[order]
    with_checksums(sbom, values)
    (finding,) = outcome(folder, "B002")[1]
    assert finding.subject == sbom.name
    assert finding.message == (
        f"the SBOM gives fuse-cli-linux-x64.tar.gz {len(values)} different SHA256 checksums: "
        "give it one, its bytes' sha256"
    )
    assert finding.actual == ", ".join(values)


def test_an_sbom_with_the_same_sha256_twice_or_another_algorithm_beside_it_passes(
    clean: Path, tmp_path: Path
) -> None:
    folder = copy_of(clean, tmp_path)
    sbom = folder / "fuse-cli-linux-x64.spdx.json"
    right = hashlib.sha256((folder / "fuse-cli-linux-x64.tar.gz").read_bytes()).hexdigest()
    with_checksums(sbom, [right, right])
    assert outcome(folder, "B002") == ("passed", [])
    document = json.loads(sbom.read_text())
    document["packages"][0]["checksums"].append({"algorithm": "SHA1", "checksumValue": "0" * 40})
    sbom.write_text(json.dumps(document))
    assert outcome(folder, "B002") == ("passed", [])
    with_checksums(sbom, [])
    assert (
        outcome(folder, "B002")[1][0].message
        == "the SBOM's SHA256 is not the sha256 of fuse-cli-linux-x64.tar.gz"
    )


@pytest.mark.parametrize("sig", ["SHA256SUMS.sig", "release-provenance.sig"])
@pytest.mark.parametrize(
    ("at", "stray"),
    [
        (10, b" "),
        (0, b" "),
        (-1, b" "),
        (10, b"\t"),
        (10, b"\x0b"),
        (10, b"\x0c"),
        (10, b"\xc2\xa0"),
        (10, b"-"),
    ],
)
def test_a_signature_whose_base64_holds_a_stray_byte_is_a_finding(
    clean: Path, tmp_path: Path, sig: str, at: int, stray: bytes
) -> None:
    """cosign decodes the .sig with Go's base64.StdEncoding, which skips line breaks only."""
    folder = copy_of(clean, tmp_path)
    data = (folder / sig).read_bytes()
    at = len(data) if at == -1 else at
    (folder / sig).write_bytes(data[:at] + stray + data[at:])
    (finding,) = outcome(folder, "G001")[1]
    assert finding.subject == sig
    assert f"not base64 (byte {stray[:1]!r} at offset {at}; cosign decodes base64 strictly" in finding.message


@pytest.mark.parametrize("breaks", [b"\n", b"\r\n"])
def test_a_signature_wrapped_in_lines_still_verifies(clean: Path, tmp_path: Path, breaks: bytes) -> None:
    folder = copy_of(clean, tmp_path)
    data = (folder / "SHA256SUMS.sig").read_bytes().strip()
    (folder / "SHA256SUMS.sig").write_bytes(
        breaks.join(data[i : i + 16] for i in range(0, len(data), 16)) + breaks
    )
    assert outcome(folder, "G001") == ("passed", [])


def test_a_certificate_in_base64_with_a_space_is_a_finding(clean: Path, tmp_path: Path) -> None:
    folder = copy_of(clean, tmp_path)
    pem = (folder / "SHA256SUMS.pem").read_bytes()
    encoded = base64.b64encode(pem)
    (folder / "SHA256SUMS.pem").write_bytes(encoded + b"\n")
    assert outcome(folder, "G001") == ("passed", [])  # base64 of the PEM, as some cosign versions write it
    (folder / "SHA256SUMS.pem").write_bytes(encoded[:40] + b" " + encoded[40:])
    (finding,) = outcome(folder, "G001")[1]
    assert "SHA256SUMS.pem: not base64 (byte b' ' at offset 40" in finding.message
