"""Provenance (v0.9.4+, tag runs): FUSE's own release-provenance.json (contract sheet 1.9, not
in-toto) lists exactly the payloads, SBOMs and SHA256SUMS with their bytes' sha256 and size,
and names this release's tag and the release workflow at that tag."""

from __future__ import annotations

from typing import Any

from gates.assets import is_required, stem, why_not_required
from gates.checks.base import NotApplicable
from gates.checks.integrity import is_integer, listed_right, payloads, repeated_entries
from gates.checks.sidecars import Invalid, expected_subject, json_object, shown
from gates.contract import Contract
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness.results import Finding

STRINGS = ("repository", "ref", "tag", "commit")
WORKFLOW_STRINGS = ("name", "path", "ref", "event", "actor", "runId")


def _shape(document: dict[str, Any]) -> None:
    """FUSE's keys and types, or Invalid naming the first one that is wrong."""
    version = document.get("schemaVersion")
    if not is_integer(version) or version != 1:  # Python has True == 1 == 1.0; JSON's 1 is neither
        raise Invalid(f"schemaVersion is {shown(version)}, not 1")
    for key in STRINGS:
        if not isinstance(document.get(key), str) or not document[key]:
            raise Invalid(f"'{key}' is not a non-empty string")
    workflow = document.get("workflow")
    if not isinstance(workflow, dict):
        raise Invalid("'workflow' is not an object")
    for key in WORKFLOW_STRINGS:
        if not isinstance(workflow.get(key), str) or not workflow[key]:
            raise Invalid(f"'workflow.{key}' is not a non-empty string")
    attempt = workflow.get("runAttempt")
    if not is_integer(attempt) or attempt < 1:
        raise Invalid(f"'workflow.runAttempt' is {attempt!r}, not an integer >= 1")
    for key, kind in (("artifacts", list), ("sboms", list), ("checksums", dict)):
        if not isinstance(document.get(key), kind):
            raise Invalid(f"'{key}' is not a JSON {'array' if kind is list else 'object'}")


def _document(release: ReleaseFacts, contract: Contract) -> tuple[AssetFacts, dict[str, Any]]:
    name = contract.kinds["provenance"].name
    asset = release.asset(name)
    if asset is None:
        raise NotApplicable(f"{name} is absent (V001 says whether it must be there)")
    try:
        document = json_object(asset)
        _shape(document)
    except Invalid as exc:
        raise NotApplicable(f"{name} is not FUSE provenance (V001 reports it)") from exc
    return asset, document


def provenance_present(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """release-provenance.json is present and is FUSE's provenance (schemaVersion 1 and its keys)."""
    name = contract.kinds["provenance"].name
    asset = release.asset(name)
    if asset is None:
        if not is_required(contract, "provenance", release.ref):
            raise NotApplicable(why_not_required(contract, "provenance", release.ref))
        return [
            Finding(
                subject=name,
                message="the provenance file is missing",
                expected=name,
                actual="absent",
                where=release.ref.location,
            )
        ]
    try:
        _shape(json_object(asset))
    except Invalid as exc:
        return [
            Finding(subject=name, message=f"not FUSE release provenance: {exc}", where=asset.ref.location)
        ]
    return []


def _row_findings(release: ReleaseFacts, rows: list[Any], key: str, where: str) -> list[Finding]:
    findings = []
    for row in rows:
        name = str(row.get("name")) if isinstance(row, dict) else repr(row)
        asset = release.asset(name)
        if asset is None:
            findings.append(
                Finding(
                    subject=name,
                    message=f"provenance {key} lists a file the release does not have",
                    expected="file present",
                    actual="absent",
                    where=where,
                )
            )
        elif isinstance(row, dict):
            findings += listed_right(asset, row, f"the provenance's {key}", where)
    return findings


def _set_findings(listed: set[str], present: set[str], key: str, where: str) -> list[Finding]:
    return [
        Finding(
            subject=n,
            message=f"provenance {key} do not list it",
            expected=f"listed in {key}",
            actual="not listed",
            where=where,
        )
        for n in sorted(present - listed)
    ]


def _foreign_findings(
    release: ReleaseFacts, listed: set[str], present: set[str], key: str, where: str
) -> list[Finding]:
    """Files the release has, listed under the wrong key (an SBOM among the artifacts)."""
    return [
        Finding(
            subject=n,
            message=f"provenance {key} lists a file that is not one of the release's {key}",
            expected=f"{key} only: {', '.join(sorted(present))}",
            actual=n,
            where=where,
        )
        for n in sorted(listed - present)
        if release.asset(n) is not None
    ]


def _subject_findings(
    release: ReleaseFacts, contract: Contract, sboms: list[dict[str, Any]], where: str
) -> list[Finding]:
    """Each SBOM's `subject` is its own payload (sheet 1.9), by file name or by stem (the sheet
    does not pin the spelling; integrityArtifacts uses the name): never another payload."""
    findings = []
    for row in sboms:
        name, have = str(row.get("name")), row.get("subject")
        want = expected_subject(release, contract, name)
        if want and have not in (want, stem(want)):
            findings.append(
                Finding(
                    subject=name,
                    message="the provenance's sboms gives this SBOM another subject than its payload: "
                    "each SBOM's subject is its own payload",
                    expected=want,
                    actual=have if isinstance(have, str) else shown(have),
                    where=where,
                )
            )
    return findings


def _listing_findings(
    release: ReleaseFacts, asset: AssetFacts, rows: list[dict[str, Any]], present: set[str], key: str
) -> list[Finding]:
    """One of the provenance's lists: every file of its kind once, and nothing else."""
    names, where = {str(r.get("name")) for r in rows}, asset.ref.location
    findings = repeated_entries(rows, key, asset.ref.name, where)
    findings += _set_findings(names, present, key, where)
    return findings + _foreign_findings(release, names, present, key, where)


def provenance_matches(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The provenance lists exactly the payloads, SBOMs and SHA256SUMS, with their bytes' sha256 and size."""
    asset, document = _document(release, contract)
    where = asset.ref.location
    artifacts, sboms = document["artifacts"], document["sboms"]
    findings = _row_findings(release, artifacts, "artifacts", where)
    findings += _row_findings(release, sboms, "sboms", where)
    findings += _row_findings(release, [document["checksums"]], "checksums", where)
    artifact_rows = [r for r in artifacts if isinstance(r, dict)]
    sbom_rows = [r for r in sboms if isinstance(r, dict)]
    on_disk = {n for n in release.names if n.endswith(".spdx.json")}
    findings += _listing_findings(release, asset, artifact_rows, payloads(release, contract), "artifacts")
    findings += _listing_findings(release, asset, sbom_rows, on_disk, "sboms")
    return findings + _subject_findings(release, contract, sbom_rows, where)


def _ref_ok(have: str, want: str, contract: Contract) -> bool:
    """`refs/tags/<tag>`, or GitHub's `<owner>/<repo>/<path>@refs/tags/<tag>` workflow ref."""
    signing = contract.signing
    full = f"{signing.repository}/{signing.workflow_path}@{want}"
    return have == want or (have.lower() == full.lower() and have.endswith(f"@{want}"))


def provenance_origin(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The provenance names this release's tag, built by the release workflow at that tag."""
    asset, document = _document(release, contract)
    signing, tag = contract.signing, release.ref.tag
    want_ref = signing.expected_ref(tag)
    workflow = document["workflow"]
    checks = [
        ("tag", document["tag"], tag, document["tag"] == tag),
        ("ref", document["ref"], want_ref, document["ref"] == want_ref),
        (
            "repository",
            document["repository"],
            signing.repository,
            document["repository"].lower() == signing.repository.lower(),
        ),
        ("workflow.path", workflow["path"], signing.workflow_path, workflow["path"] == signing.workflow_path),
        ("workflow.ref", workflow["ref"], want_ref, _ref_ok(workflow["ref"], want_ref, contract)),
    ]
    return [
        Finding(
            subject=asset.ref.name,
            message=f"the provenance's {key} is not this release's",
            expected=want,
            actual=have,
            where=asset.ref.location,
        )
        for key, have, want, ok in checks
        if not ok
    ]
