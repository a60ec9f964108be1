"""The kinds of asset a FUSE release holds (contract sheet 1.2): the names each kind takes,
which kinds a release of a given version must hold, and which files are none of them."""

from __future__ import annotations

from fnmatch import fnmatchcase

from gates.contract import Contract, asset_name
from gates.sources.release import ReleaseRef, version_key

SIDECARS = (
    "sbom",
    "checksums-signature",
    "checksums-certificate",
    "provenance",
    "provenance-signature",
    "provenance-certificate",
)
PAYLOAD_SUFFIXES = (".tar.gz", ".zip", ".vsix")
PUBLISHED = "published"  # asset_kinds.<kind>.required: only of a published release
ANY_PLATFORM = "*-*"


def is_required(contract: Contract, kind: str, release: ReleaseRef) -> bool:
    """Whether `release` must hold assets of `kind`: by its version, and for a kind required
    only of published releases, by whether its source published it."""
    rule = contract.kinds[kind]
    if rule.required is False or (rule.required == PUBLISHED and not release.published):
        return False
    return rule.since is None or version_key(release.tag) >= version_key(rule.since)


def why_not_required(contract: Contract, kind: str, release: ReleaseRef) -> str:
    rule = contract.kinds[kind]
    if rule.required is False:
        return f"the contract does not require {kind} files (asset_kinds.{kind}.required: false)"
    if rule.required == PUBLISHED and not release.published:
        return (
            f"{kind} files are required of published releases (asset_kinds.{kind}.required: "
            f"published); {release.tag} from a folder is judged only on what it holds"
        )
    return f"{kind} files are required from {rule.since}; {release.tag} predates them"


def stem(payload: str) -> str:
    """A payload's name without its archive suffix (FUSE names its SBOM after it)."""
    return next((payload.removesuffix(s) for s in PAYLOAD_SUFFIXES if payload.endswith(s)), payload)


def sbom_name(contract: Contract, payload: str) -> str:
    return contract.kinds["sbom"].name.replace("{stem}", stem(payload))


def sidecar_name(contract: Contract, kind: str) -> str:
    return contract.kinds[kind].name


def vsix_name(contract: Contract, platform: str) -> str:
    return contract.assets.vsix.replace("{platform}", platform)


def is_sidecar(contract: Contract, name: str) -> bool:
    """An SBOM, a signature, a certificate or the provenance file (of any payload)."""
    if fnmatchcase(name, contract.kinds["sbom"].name.replace("{stem}", "*")):
        return True
    return name in {sidecar_name(contract, k) for k in SIDECARS if k != "sbom"}


def is_vsix(contract: Contract, name: str) -> bool:
    return fnmatchcase(name, contract.assets.vsix.replace("{platform}", ANY_PLATFORM))


def is_known(contract: Contract, name: str) -> bool:
    """A name some asset kind takes, for any platform (the contract may check fewer)."""
    bundles = [contract.assets.primary, contract.assets.fallback]
    return (
        any(fnmatchcase(name, p) for p in contract.assets.payload_patterns)
        or any(fnmatchcase(name, b.replace("{platform}", ANY_PLATFORM) + ".*") for b in bundles)
        or is_vsix(contract, name)
        or name in (contract.checksums_name, contract.metadata_name)
        or is_sidecar(contract, name)
    )


def expected_names(contract: Contract, kind: str, payloads: list[str]) -> list[str]:
    """The files of `kind` a release holds, for the contract's platforms and these payloads."""
    platforms = contract.platforms
    match kind:
        case "primary" | "fallback":
            pattern = contract.assets.primary if kind == "primary" else contract.assets.fallback
            return [asset_name(pattern, p) for p in platforms]
        case "vsix":
            return [vsix_name(contract, p) for p in platforms]
        case "checksums":
            return [contract.checksums_name]
        case "metadata":
            return [contract.metadata_name]
        case "sbom":
            return [sbom_name(contract, p) for p in payloads]
        case _:
            return [sidecar_name(contract, kind)]


def applies_to(contract: Contract, tag: str) -> dict[str, dict[str, object]]:
    """What the contract asks of the release `tag` once published: per kind, required or why
    not, and names (a kind required only of published releases says so)."""
    release = ReleaseRef(tag=tag, location="", published=True)
    payloads = [
        n
        for k in ("primary", "fallback", "vsix")
        if is_required(contract, k, release)
        for n in expected_names(contract, k, [])
    ]
    out: dict[str, dict[str, object]] = {}
    for kind, rule in contract.kinds.items():
        entry: dict[str, object] = {"group": rule.group, "since": rule.since or "(every release)"}
        if is_required(contract, kind, release):
            entry["required"] = rule.required
            entry["files"] = expected_names(contract, kind, sorted(payloads))
            notes = ["FUSE's CI makes it on tag runs only; a published release is one"] * rule.tag_runs_only
            if rule.required == PUBLISHED:
                notes.append("required of a published release; a release folder is judged on what it holds")
            if notes:
                entry["note"] = "; ".join(notes)
        else:
            entry["required"] = False
            entry["why"] = why_not_required(contract, kind, release)
        out[kind] = entry
    return out
