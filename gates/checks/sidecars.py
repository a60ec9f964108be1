"""Sidecars (v0.9.4+): release-artifacts.json's `integrityArtifacts[]` lists every sidecar on
disk with its kind, subject, sha256 and size (contract sheet 1.7). Also what the SBOM,
provenance and signature checks share: a sidecar's bytes and its JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gates.assets import is_required, is_sidecar, stem, why_not_required
from gates.checks.base import CannotEvaluate, NotApplicable
from gates.checks.integrity import actual_sha, json_text, listed_right, payloads, repeated_entries
from gates.contract import Contract
from gates.reading.archive import MAX_TEXT_FILE
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness import bounded_read
from harness.results import Finding
from harness.text import printable

KEY = "integrityArtifacts"


class Invalid(Exception):
    """A sidecar is not what FUSE writes: the finding's message."""


def content(asset: AssetFacts) -> bytes:
    """The bytes of a small sidecar as read (its text, losslessly re-encoded)."""
    if asset.text is None:
        raise CannotEvaluate(f"{asset.ref.name} was not read")
    if (asset.size_read or 0) > MAX_TEXT_FILE:
        raise Invalid(f"is {asset.size_read} bytes, more than the {MAX_TEXT_FILE} a sidecar may hold")
    return asset.text.encode("utf-8", "surrogateescape")


def json_object(asset: AssetFacts) -> dict[str, Any]:
    content(asset)  # read, and not cut short
    try:
        document = bounded_read.parse_json(json_text(asset))  # UTF-8, each key once
    except ValueError as exc:
        raise Invalid(f"is not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise Invalid("is not a JSON object")
    return document


def sha_of(release: ReleaseFacts, name: str) -> str | None:
    asset = release.asset(name)
    return actual_sha(asset) if asset else None


def expected_kind(contract: Contract, name: str) -> str:
    """FUSE's `kind` for a sidecar's name (sheet 1.7)."""
    if name == contract.checksums_name:
        return "checksums"
    if name == contract.kinds["provenance"].name:
        return "provenance"
    if name.endswith(".spdx.json"):
        return "sbom"
    return {".sig": "signature", ".pem": "certificate"}.get(name[name.rfind(".") :], "auxiliary")


def expected_subject(release: ReleaseFacts, contract: Contract, name: str) -> str:
    """The `subject` FUSE writes: a signature's file, an SBOM's payload, else none."""
    for kind in (
        "checksums-signature",
        "checksums-certificate",
        "provenance-signature",
        "provenance-certificate",
    ):
        if name == contract.kinds[kind].name:
            return contract.kinds[kind].subject
    if expected_kind(contract, name) == "sbom":
        base = name.removesuffix(".spdx.json")
        return next((p for p in sorted(payloads(release, contract)) if stem(p) == base), "")
    return ""


@dataclass(frozen=True, kw_only=True)
class Listing:
    """integrityArtifacts as read: its object entries (strings printable) and the others."""

    meta: AssetFacts
    rows: list[dict[str, Any]]
    strays: list[tuple[int, object]]  # (index, value) of the entries that are not objects


class Malformed(Exception):
    """integrityArtifacts is there but not an array: the finding's message."""

    def __init__(self, value: object) -> None:
        super().__init__(f"{KEY} is {json_kind(value)}, not an array of objects")
        self.value = value


def json_kind(value: object) -> str:
    """How JSON names a parsed value's type: `a string`, `an object`, `true`..."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    kinds = ((str, "a string"), (dict, "an object"), (list, "an array"), ((int, float), "a number"))
    return next(name for kind, name in kinds if isinstance(value, kind))


def shown(value: object, limit: int = 60) -> str:
    """A parsed JSON value as (at most `limit` characters of) its JSON text."""
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def entries(release: ReleaseFacts, contract: Contract) -> Listing | None:
    """The metadata's integrityArtifacts (None: the key is absent; Malformed: not an array)."""
    meta = release.asset(contract.metadata_name)
    if meta is None:
        raise NotApplicable(f"{contract.metadata_name} is absent (I004 reports it)")
    try:
        document = json_object(meta)
    except Invalid as exc:
        raise NotApplicable(f"{contract.metadata_name} {exc} (I004 reports it)") from exc
    if KEY not in document:
        return None
    rows = document[KEY]
    if not isinstance(rows, list):
        raise Malformed(rows)
    return Listing(
        meta=meta,
        rows=[
            {k: printable(v) if isinstance(v, str) else v for k, v in r.items()}
            for r in rows
            if isinstance(r, dict)
        ],
        strays=[(i, r) for i, r in enumerate(rows) if not isinstance(r, dict)],
    )


def on_disk(release: ReleaseFacts, contract: Contract) -> list[str]:
    """The sidecars a release holds, SHA256SUMS included (FUSE lists it too)."""
    names = [n for n in release.names if is_sidecar(contract, n)]
    return sorted([*names, contract.checksums_name] if release.asset(contract.checksums_name) else names)


ROW_SHAPE = "{name, kind, sha256, size, subject?}"


def _missing(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """integrityArtifacts is absent: a finding when the release has (or must have) sidecars."""
    if not is_required(contract, "sbom", release.ref) and not any(
        is_sidecar(contract, n) for n in release.names
    ):
        raise NotApplicable(f"{KEY}: {why_not_required(contract, 'sbom', release.ref)}")
    meta = release.asset(contract.metadata_name)
    where = meta.ref.location if meta else release.ref.location
    return [
        Finding(
            subject=contract.metadata_name,
            message=f"{KEY} is missing: the sidecars are not listed",
            expected=f"{KEY}[] listing {', '.join(on_disk(release, contract))}",
            actual="absent",
            where=where,
        )
    ]


def _malformed(release: ReleaseFacts, contract: Contract, exc: Malformed) -> list[Finding]:
    meta = release.asset(contract.metadata_name)
    assert meta is not None  # entries() read it
    return [
        Finding(
            subject=contract.metadata_name,
            message=f"{exc}: list each sidecar as an object {ROW_SHAPE}",
            expected=f"an array of {ROW_SHAPE} objects",
            actual=shown(exc.value),
            where=meta.ref.location,
        )
    ]


def _stray_findings(listing: Listing) -> list[Finding]:
    return [
        Finding(
            subject=listing.meta.ref.name,
            message=f"{KEY}[{index}] is {json_kind(value)}, not an object: list the sidecar as {ROW_SHAPE}",
            expected=f"an object {ROW_SHAPE}",
            actual=shown(value),
            where=listing.meta.ref.location,
        )
        for index, value in listing.strays
    ]


def _field(value: object) -> str:
    """A listed field as shown: its text, `(none)` when absent or empty, else its JSON."""
    if value is None or value == "":
        return "(none)"
    return value if isinstance(value, str) else shown(value)


def _entry_findings(
    release: ReleaseFacts, contract: Contract, row: dict[str, Any], where: str
) -> list[Finding]:
    name = str(row.get("name"))
    if release.asset(name) is None:
        return [
            Finding(
                subject=name,
                message=f"{KEY} lists a file the release does not have",
                expected="file present",
                actual="absent",
                where=where,
            )
        ]
    out = []
    for key, want in (
        ("kind", expected_kind(contract, name)),
        ("subject", expected_subject(release, contract, name)),
    ):
        have = row.get(key)
        if have != want if want else have not in (None, ""):  # false, 0 or [] is no "none"
            out.append(
                Finding(
                    subject=name,
                    message=f"{KEY} gives it the wrong {key}",
                    expected=want or "(none)",
                    actual=_field(have),
                    where=where,
                )
            )
    return out


def integrity_artifacts_listed(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """integrityArtifacts lists every sidecar on disk, each present, with its kind and subject."""
    try:
        listing = entries(release, contract)
    except Malformed as exc:
        return _malformed(release, contract, exc)
    if listing is None:
        return _missing(release, contract)
    where = listing.meta.ref.location
    listed = {str(r.get("name")) for r in listing.rows}
    findings = _stray_findings(listing)
    findings += repeated_entries(listing.rows, KEY, listing.meta.ref.name, where)
    findings += [f for r in listing.rows for f in _entry_findings(release, contract, r, where)]
    findings += [
        Finding(
            subject=n,
            message=f"sidecar is not listed in {KEY}",
            expected=f"listed in {KEY}",
            actual="not listed",
            where=where,
        )
        for n in on_disk(release, contract)
        if n not in listed
    ]
    return findings


def integrity_artifacts_match(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """integrityArtifacts sha256 and size agree with the bytes."""
    try:
        listing = entries(release, contract)
    except Malformed as exc:
        raise NotApplicable(f"{contract.metadata_name}: {exc} (I007 reports it)") from exc
    if listing is None:
        raise NotApplicable(f"{contract.metadata_name} has no {KEY} (I007 says whether it must)")
    return [
        finding
        for row in listing.rows
        if (asset := release.asset(str(row.get("name")))) is not None
        for finding in listed_right(asset, row, KEY, listing.meta.ref.location)
    ]
