"""v0.9.4+ sidecars for fixture releases (contract sheet 1.7-1.10): one SPDX SBOM per payload,
release-provenance.json, and cosign-style keyless signatures (`.sig`: base64 of the DER ECDSA
signature; `.pem`: the signing certificate) from a test CA made here with `cryptography`.

Keys are derived from fixed numbers, so certificates are stable; ECDSA signatures are not
(they take a random nonce), which no golden output shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPOSITORY = "dmitrijkiltau/FUSE"
WORKFLOW = ".github/workflows/release-artifacts.yml"
ISSUER = "https://token.actions.githubusercontent.com"
OID_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")  # the raw issuer URL
OID_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")  # a DER UTF8String
PAYLOAD_PREFIXES = ("fuse-cli-", "fuse-aot-", "fuse-vscode-")
SIDECARS = (
    "SHA256SUMS.sig",
    "SHA256SUMS.pem",
    "release-provenance.json",
    "release-provenance.sig",
    "release-provenance.pem",
)


def identity(tag: str, repository: str = REPOSITORY) -> str:
    return f"https://github.com/{repository}/{WORKFLOW}@refs/tags/{tag}"


def parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class Signer:
    """Who the signing certificate says signed, and when it was valid."""

    identity: str
    issuer: str = ISSUER
    not_before: datetime
    not_after: datetime
    base64_pem: bool = False  # cosign writes the certificate base64-encoded in some versions
    extensions: tuple[x509.ObjectIdentifier, ...] = field(default=(OID_ISSUER_V1, OID_ISSUER_V2))


def signer_for(tag: str, built: datetime) -> Signer:
    """A Fulcio-like certificate: valid ten minutes, an hour after the commit (the build stamp)."""
    start = built + timedelta(hours=1)
    return Signer(identity=identity(tag), not_before=start, not_after=start + timedelta(minutes=10))


def _key(seed: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(seed, ec.SECP256R1())


CA_KEY = _key(0x5EED_CA)
LEAF_KEY = _key(0x5EED_1EAF)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fixtures.invalid"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def certificate(signer: Signer, key: ec.EllipticCurvePrivateKey = LEAF_KEY) -> x509.Certificate:
    """The leaf certificate for `key`, issued by the fixture CA, as Fulcio shapes it."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(_name("fixture sigstore-intermediate"))
        .public_key(key.public_key())
        .serial_number(0x1EAF)
        .not_valid_before(signer.not_before)
        .not_valid_after(signer.not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(signer.identity)]), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    )
    for oid in signer.extensions:
        value = signer.issuer.encode()
        der = value if oid == OID_ISSUER_V1 else b"\x0c" + bytes([len(value)]) + value
        builder = builder.add_extension(x509.UnrecognizedExtension(oid, der), critical=False)
    return builder.sign(CA_KEY, hashes.SHA256())


def sign(path: Path, signer: Signer, data: bytes | None = None) -> None:
    """`<path stem>.sig` and `.pem` beside `path`, as `cosign sign-blob` writes them.
    `data`: sign these bytes instead of the file's (a signature of other bytes)."""
    signature = LEAF_KEY.sign(path.read_bytes() if data is None else data, ec.ECDSA(hashes.SHA256()))
    base = path.with_suffix("") if path.suffix == ".json" else path
    Path(f"{base}.sig").write_text(base64.b64encode(signature).decode())
    pem = certificate(signer).public_bytes(serialization.Encoding.PEM)
    Path(f"{base}.pem").write_bytes(base64.b64encode(pem) if signer.base64_pem else pem)


def _row(path: Path) -> dict[str, object]:
    return {
        "name": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "size": path.stat().st_size,
    }


def payloads(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.startswith(PAYLOAD_PREFIXES) and p.name.endswith((".tar.gz", ".zip", ".vsix"))
    )


def stem(name: str) -> str:
    return next(name.removesuffix(s) for s in (".tar.gz", ".zip", ".vsix") if name.endswith(s))


def sbom(payload: Path, members: list[str], created: str, sha256: str | None = None) -> dict[str, object]:
    """FUSE's SPDX 2.3 document for one payload (sheet 1.8)."""
    digest = sha256 or hashlib.sha256(payload.read_bytes()).hexdigest()
    s = stem(payload.name)
    files = [{"SPDXID": f"SPDXRef-File-{n}", "fileName": m} for n, m in enumerate(sorted(members), 1)]
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{s} SBOM",
        "documentNamespace": f"https://github.com/{REPOSITORY.lower()}/releases/sbom/{s}/{digest}",
        "creationInfo": {"created": created, "creators": ["Tool: fuse scripts/generate_release_sboms.sh"]},
        "packages": [
            {
                "SPDXID": "SPDXRef-Package",
                "name": s,
                "downloadLocation": "NOASSERTION",
                "packageFileName": payload.name,
                "filesAnalyzed": False,
                "checksums": [{"algorithm": "SHA256", "checksumValue": digest}],
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "NOASSERTION",
                "copyrightText": "NOASSERTION",
            }
        ],
        "files": files,
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-Package",
            },
            *(
                {
                    "spdxElementId": "SPDXRef-Package",
                    "relationshipType": "CONTAINS",
                    "relatedSpdxElement": f["SPDXID"],
                }
                for f in files
            ),
        ],
    }


def write_sboms(folder: Path, members: dict[str, list[str]], created: str) -> None:
    for payload in payloads(folder):
        document = sbom(payload, members.get(payload.name, []), created)
        (folder / f"{stem(payload.name)}.spdx.json").write_text(json.dumps(document, indent=2) + "\n")


def provenance(folder: Path, tag: str, stamp: str) -> dict[str, object]:
    """FUSE's own release-provenance.json (sheet 1.9; not in-toto)."""
    ref = f"refs/tags/{tag}"
    return {
        "schemaVersion": 1,
        "generatedAtUtc": stamp,
        "sourceDateEpoch": int(parse_stamp(stamp).timestamp()),
        "repository": REPOSITORY,
        "ref": ref,
        "tag": tag,
        "commit": hashlib.sha1(tag.encode()).hexdigest(),  # a stand-in commit id
        "workflow": {
            "name": "Release Artifacts",
            "path": WORKFLOW,
            "ref": ref,
            "event": "push",
            "actor": "fuse-bot",
            "runId": "4242",
            "runAttempt": 1,
        },
        "artifacts": [_row(p) for p in payloads(folder)],
        "sboms": [
            {**_row(p), "subject": p.name.removesuffix(".spdx.json")}
            for p in sorted(folder.glob("*.spdx.json"))
        ],
        "checksums": _row(folder / "SHA256SUMS"),
    }


def subjects(folder: Path) -> dict[str, str]:
    """SBOM file -> its payload's name."""
    return {f"{stem(p.name)}.spdx.json": p.name for p in payloads(folder)}


def _with_subject(row: dict[str, object], kind: str, subject: str) -> dict[str, object]:
    return {**row, "kind": kind, **({"subject": subject} if subject else {})}


def integrity_artifacts(folder: Path) -> list[dict[str, object]]:
    """release-artifacts.json's integrityArtifacts: the sidecars on disk (sheet 1.7)."""
    sboms = subjects(folder)
    rows = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.encode()):
        name = path.name
        if name in sboms:
            rows.append(_with_subject(_row(path), "sbom", sboms[name]))
        elif name == "SHA256SUMS":
            rows.append(_with_subject(_row(path), "checksums", ""))
        elif name == "release-provenance.json":
            rows.append(_with_subject(_row(path), "provenance", ""))
        elif name in SIDECARS:
            kind = "signature" if name.endswith(".sig") else "certificate"
            subject = "SHA256SUMS" if name.startswith("SHA256SUMS") else "release-provenance.json"
            rows.append(_with_subject(_row(path), kind, subject))
    return rows


def write_metadata(folder: Path, stamp: str, with_sidecars: bool) -> None:
    """release-artifacts.json as FUSE writes it: 2-space indent, one object per line."""

    def lines(rows: list[dict[str, object]]) -> str:
        return ",\n".join(f"    {json.dumps(r)}" for r in rows)

    artifacts = lines([_row(p) for p in payloads(folder)])
    body = f'{{\n  "generatedAtUtc": "{stamp}",\n  "artifacts": [\n{artifacts}\n  ]'
    if with_sidecars:
        body += f',\n  "integrityArtifacts": [\n{lines(integrity_artifacts(folder))}\n  ]'
    (folder / "release-artifacts.json").write_text(body + "\n}\n")


def write_provenance(folder: Path, tag: str, stamp: str, edit: dict[str, object] | None = None) -> None:
    document = {**provenance(folder, tag, stamp), **(edit or {})}
    (folder / "release-provenance.json").write_text(json.dumps(document, indent=2) + "\n")


def write_all(folder: Path, tag: str, stamp: str, members: dict[str, list[str]]) -> None:
    """SBOMs, provenance, both signatures, then the metadata listing them (after SHA256SUMS)."""
    write_sboms(folder, members, stamp)
    write_provenance(folder, tag, stamp)
    signer = signer_for(tag, parse_stamp(stamp))
    sign(folder / "SHA256SUMS", signer)
    sign(folder / "release-provenance.json", replace(signer, base64_pem=True))
    write_metadata(folder, stamp, with_sidecars=True)
