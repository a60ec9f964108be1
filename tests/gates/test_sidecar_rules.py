"""The sidecar rules one by one, on a real v1.x fixture folder edited in place: each finding
turns up when (and only when) its rule is broken."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from drills.standard.releases import write_release
from gates import contract
from gates.checks import CHECKS
from gates.reading.facts import read_releases
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from harness.results import Finding

TAG = "v1.1.0"


def findings(folder: Path, check: str) -> list[Finding]:
    source = FolderSource(folder, single_tag=TAG)
    (release,) = source.releases()
    rules = contract.load(None)
    (facts,) = read_releases(source, [(release, WindowState(open=True, closes=None, reason=""))], rules)
    return CHECKS[check](facts, rules)


def edit_json(path: Path, edit: dict[str, object]) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), **edit}))


def test_a_wrong_kind_or_subject_in_integrity_artifacts_is_found(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    meta = folder / "release-artifacts.json"
    text = meta.read_text()
    text = text.replace(
        '"kind": "sbom", "subject": "fuse-cli-linux-x64.tar.gz"', '"kind": "sbom", "subject": "x.zip"'
    )
    meta.write_text(text.replace('"size": 96, "kind": "signature"', '"size": 96, "kind": "auxiliary"', 1))
    found = {(f.subject, f.expected, f.actual) for f in findings(folder, "I007")}
    assert found == {
        ("fuse-cli-linux-x64.spdx.json", "fuse-cli-linux-x64.tar.gz", "x.zip"),
        ("SHA256SUMS.sig", "signature", "auxiliary"),
    }


def test_an_sbom_that_is_not_spdx_2_is_found(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    assert findings(folder, "B002") == []
    edit_json(folder / "fuse-cli-linux-x64.spdx.json", {"spdxVersion": "SPDX-3.0"})
    (found,) = findings(folder, "B002")
    assert found.message == "the SBOM is not an SPDX 2.x document (spdxVersion 'SPDX-3.0')"


def test_an_sbom_without_its_payload_is_found(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    (folder / "fuse-cli-linux-arm64.spdx.json").write_text("{}")
    (found,) = findings(folder, "B001")
    assert found.subject == "fuse-cli-linux-arm64.spdx.json"
    assert found.message == "an SBOM of a payload the release does not have"


def test_provenance_of_another_shape_or_tag_is_found(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    provenance = folder / "release-provenance.json"
    assert findings(folder, "V001") == [] and findings(folder, "V003") == []
    edit_json(provenance, {"tag": "v1.0.0"})
    (found,) = findings(folder, "V003")
    assert (found.expected, found.actual) == ("v1.1.0", "v1.0.0")
    edit_json(provenance, {"schemaVersion": 2})
    (shape,) = findings(folder, "V001")
    assert shape.message == "not FUSE release provenance: schemaVersion is 2, not 1"


def test_the_full_workflow_ref_form_is_accepted(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    provenance = folder / "release-provenance.json"
    workflow = json.loads(provenance.read_text())["workflow"]
    full = "dmitrijkiltau/fuse/.github/workflows/release-artifacts.yml@refs/tags/v1.1.0"
    edit_json(provenance, {"workflow": {**workflow, "ref": full}})
    assert findings(folder, "V003") == []
    edit_json(provenance, {"workflow": {**workflow, "ref": full.replace("v1.1.0", "v1.0.0")}})
    assert [f.actual for f in findings(folder, "V003")] == [full.replace("v1.1.0", "v1.0.0")]


def test_an_unreadable_certificate_or_signature_is_a_finding(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    (folder / "SHA256SUMS.pem").write_text("not a certificate\n")
    (folder / "release-provenance.sig").write_text("***\n")
    found = sorted(f.message for f in findings(folder, "G001"))
    assert found[0].startswith("cannot verify the signature of SHA256SUMS: SHA256SUMS.pem: not base64")
    assert found[1].startswith("cannot verify the signature of release-provenance.json: not base64")


def test_a_vsix_that_is_no_zip_is_found(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG)
    (folder / "fuse-vscode-windows-x64.vsix").write_bytes(b"not a zip")
    (found,) = findings(folder, "E002")
    assert found.subject == "fuse-vscode-windows-x64.vsix"
    assert found.message.startswith("not a readable zip")


def test_metadata_with_a_name_that_is_not_utf8_is_still_judged(tmp_path: Path) -> None:
    """integrityArtifacts is read as I004 reads artifacts: an auxiliary file whose name is not
    UTF-8, listed there (as JSON spells the byte: `\\udcff`), is neither skipped over nor an
    unknown file."""
    folder = write_release(tmp_path / TAG, TAG)
    name = b"notes-\xff.txt"
    (folder / os.fsdecode(name)).write_bytes(b"x")
    meta = folder / "release-artifacts.json"
    row = b'{"name": %s, "sha256": "%s", "size": 1, "kind": "auxiliary"}, ' % (
        json.dumps(os.fsdecode(name)).encode(),
        hashlib.sha256(b"x").hexdigest().encode(),
    )
    data = meta.read_bytes().replace(b'"integrityArtifacts": [\n', b'"integrityArtifacts": [\n' + row, 1)
    meta.write_bytes(data)
    assert findings(folder, "I007") == []
    assert findings(folder, "I008") == []
    assert findings(folder, "A003") == []
