"""Release variants of v0.9.4+ releases and of the build and VSIX rules, each named for the
one rule it breaks (the sidecar checks of gates/checks/: SBOM, provenance, signatures,
integrityArtifacts, the inventory, build target and profile, the VSIX). `defects.DEFECTS`
holds them too; each runs `before` (edit bundles) and `after` (edit files on disk)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from drills.standard import sidecars
from drills.standard.releases import Bundle, Defect, build_info

ISSUER_OTHER = "https://accounts.google.com"


def _bundle(bundles: list[Bundle], name: str) -> Bundle:
    return next(b for b in bundles if b.name == name)


def _stamp(dest: Path) -> str:
    return str(json.loads((dest / "release-artifacts.json").read_text())["generatedAtUtc"])


def _tag(dest: Path) -> str:
    return str(json.loads((dest / "release-provenance.json").read_text())["tag"])


def _signer(dest: Path) -> sidecars.Signer:
    return sidecars.signer_for(_tag(dest), sidecars.parse_stamp(_stamp(dest)))


def _refresh(dest: Path) -> None:
    """release-artifacts.json again, so the edit is the only thing wrong."""
    sidecars.write_metadata(dest, _stamp(dest), with_sidecars=True)


def _reprovenance(dest: Path, edit: dict[str, object] | None = None) -> None:
    """The provenance written (and signed) again over what is on disk now, with `edit`."""
    sidecars.write_provenance(dest, _tag(dest), _stamp(dest), edit)
    sidecars.sign(dest / "release-provenance.json", replace(_signer(dest), base64_pem=True))
    _refresh(dest)


def sbom_missing(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        (dest / "fuse-cli-linux-x64.spdx.json").unlink()


def sbom_wrong_digest(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        path = dest / "fuse-aot-linux-x64.spdx.json"
        document = json.loads(path.read_text())
        document["packages"][0]["checksums"][0]["checksumValue"] = "0" * 64
        path.write_text(json.dumps(document, indent=2) + "\n")
        _reprovenance(dest)


def provenance_changed(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        path = dest / "release-provenance.json"
        path.write_text(path.read_text().replace('"runId": "4242"', '"runId": "4243"'))


def provenance_missing_payload(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        rows = sidecars.provenance(dest, _tag(dest), _stamp(dest))["artifacts"]
        assert isinstance(rows, list)
        _reprovenance(dest, {"artifacts": [r for r in rows if r["name"] != "fuse-vscode-windows-x64.vsix"]})


def provenance_other_workflow(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        workflow = sidecars.provenance(dest, _tag(dest), _stamp(dest))["workflow"]
        assert isinstance(workflow, dict)
        _reprovenance(dest, {"workflow": {**workflow, "path": ".github/workflows/ci.yml"}})


def _resign_sums(dest: Path, signer: sidecars.Signer, data: bytes | None = None) -> None:
    sidecars.sign(dest / "SHA256SUMS", signer, data)
    _refresh(dest)


def signature_other_bytes(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        _resign_sums(dest, _signer(dest), b"other bytes\n")


def certificate_other_identity(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        other = sidecars.identity(_tag(dest), repository="someone/fuse-fork")
        _resign_sums(dest, replace(_signer(dest), identity=other))


def certificate_other_issuer(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        _resign_sums(dest, replace(_signer(dest), issuer=ISSUER_OTHER))


def certificate_expired(bundles: list[Bundle], dest: Path, phase: str) -> None:
    """A certificate that had expired a day before the release was built."""
    if phase == "after":
        built = sidecars.parse_stamp(_stamp(dest))
        signer = replace(
            _signer(dest), not_before=built - timedelta(days=2), not_after=built - timedelta(days=1)
        )
        _resign_sums(dest, signer)


def unlisted_extra_file(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        (dest / "build-debug.log").write_text("left behind by a build\n")


def sidecar_unlisted(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        meta = dest / "release-artifacts.json"
        lines = meta.read_text().splitlines(keepends=True)
        meta.write_text("".join(line for line in lines if '"fuse-cli-macos-arm64.spdx.json"' not in line))


def _build_info_of(bundles: list[Bundle], edit: str, to: str) -> None:
    aot = _bundle(bundles, "fuse-aot-linux-x64.tar.gz")
    member = aot.member("AOT_BUILD_INFO.txt")
    version = member.data.decode().split(" cli=")[1].split()[0]
    member.data = (build_info(version, "linux-x64").replace(edit, to) + "\n").encode()


def wrong_target(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _build_info_of(bundles, "target=x86_64-unknown-linux-gnu", "target=aarch64-apple-darwin")


def debug_profile(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _build_info_of(bundles, "profile=release", "profile=debug")


def vsix_missing(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        bundles.remove(_bundle(bundles, "fuse-vscode-linux-x64.vsix"))


def vsix_without_lsp(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        vsix = _bundle(bundles, "fuse-vscode-macos-arm64.vsix")
        vsix.members.remove(vsix.member("extension/bin/macos-arm64/fuse-lsp"))


SIDECAR_DEFECTS: dict[str, Defect] = {
    "sbom-missing": sbom_missing,
    "sbom-wrong-digest": sbom_wrong_digest,
    "provenance-changed": provenance_changed,
    "provenance-missing-payload": provenance_missing_payload,
    "provenance-other-workflow": provenance_other_workflow,
    "signature-other-bytes": signature_other_bytes,
    "certificate-other-identity": certificate_other_identity,
    "certificate-other-issuer": certificate_other_issuer,
    "certificate-expired": certificate_expired,
    "unlisted-extra-file": unlisted_extra_file,
    "sidecar-unlisted": sidecar_unlisted,
    "wrong-target": wrong_target,
    "debug-profile": debug_profile,
    "vsix-missing": vsix_missing,
    "vsix-without-fuse-lsp": vsix_without_lsp,
}
