"""The release contract: what a release must hold, its SLOs, windows and waivers.

Loaded from YAML (the embedded FUSE default, or --contract FILE), validated against the
schema in gates/data, then frozen into dataclasses the checks read. The embedded default is
read from its parse, gates/data/default-contract.json (`python -m gates.contract` writes it
from the YAML; a test fails when the two differ): PyYAML's import alone costs more than the
rest of loading the contract, and a plain `gate check` never needs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from harness.config import load_schema, load_yaml_file, package_json, parse_yaml
from harness.errors import ConfigError

DEFAULT_NAME = "default-contract.yaml"
DEFAULT_JSON = "default-contract.json"  # DEFAULT_NAME parsed (written by `python -m gates.contract`)
SCHEMA_NAME = "release-contract.schema.json"
DATA = Path(__file__).parent / "data"  # shipped in the wheel beside this module


@dataclass(frozen=True, kw_only=True)
class AssetRules:
    primary: str
    fallback: str
    primary_members: tuple[str, ...]
    fallback_members: tuple[str, ...]
    primary_binary: str
    build_info_member: str
    build_info_contract: str
    payload_patterns: tuple[str, ...]
    vsix: str = "fuse-vscode-{platform}.vsix"
    vsix_members: tuple[str, ...] = ()
    build_targets: dict[str, str] = field(default_factory=dict)
    build_profile: str = "release"
    not_assets: tuple[str, ...] = ()  # globs of files a dist/ holds that no release publishes


@dataclass(frozen=True, kw_only=True)
class AssetKind:
    """One kind of release asset and the version from which a release must hold it."""

    kind: str
    group: str  # bundle, payload, integrity, sidecar
    since: str | None = None  # a tag; None: every release
    # True, False, or "published": required of a published release (GitHub), judged when present
    # in a folder (a dist/ built outside FUSE's CI has no keyless signature, perhaps no VSIX)
    required: bool | str = True
    name: str = ""  # sidecars: the file name ({stem} for an SBOM)
    subject: str = ""  # what a signature or certificate is about
    tag_runs_only: bool = False


@dataclass(frozen=True, kw_only=True)
class Signing:
    """Who signs a release (cosign keyless) and which workflow the provenance names."""

    repository: str
    workflow_path: str
    workflow_ref: str
    identity: str
    identity_regexp: str | None
    oidc_issuer: str
    signing_window_days: int

    def expected_ref(self, tag: str) -> str:
        return self.workflow_ref.replace("{tag}", tag)

    def expected_identity(self, tag: str) -> str:
        return (
            self.identity.replace("{repository}", self.repository)
            .replace("{workflow_path}", self.workflow_path)
            .replace("{workflow_ref}", self.expected_ref(tag))
        )


@dataclass(frozen=True, kw_only=True)
class ArchiveLimits:
    max_members: int
    max_unpacked_bytes: int
    max_member_bytes: int
    max_vsix_members: int = 20000


@dataclass(frozen=True, kw_only=True)
class Slo:
    cold_start_p50_improvement_pct: float
    cold_start_p95_improvement_pct: float
    throughput_p50_improvement_pct: float | None
    max_binary_bytes: int | None


@dataclass(frozen=True, kw_only=True)
class Window:
    """A line's release window: an explicit close date, or N days after the next line."""

    closes: date | None = None
    days_after_next_line: int | None = None


@dataclass(frozen=True, kw_only=True)
class Waiver:
    id: str
    check: str
    scope: str
    reason: str
    approver: str
    expires: date


@dataclass(frozen=True, kw_only=True)
class Contract:
    origin: str
    platforms: tuple[str, ...]
    assets: AssetRules
    checksums_name: str
    metadata_name: str
    limits: ArchiveLimits
    slo: Slo
    retention_note: str
    default_window: Window
    line_windows: dict[str, Window]
    waivers: tuple[Waiver, ...]
    recovery_gates: tuple[dict[str, Any], ...] = ()
    kinds: dict[str, AssetKind]
    signing: Signing
    raw: dict[str, Any] = field(default_factory=dict)

    def window_for(self, line: str) -> Window:
        return self.line_windows.get(line, self.default_window)


def is_windows(platform: str) -> bool:
    return platform.startswith("windows-")


def extension(platform: str) -> str:
    """FUSE's hard-coded rule: windows-* ships .zip, everything else .tar.gz."""
    return ".zip" if is_windows(platform) else ".tar.gz"


def exe(name: str, platform: str) -> str:
    return name.replace("{exe}", ".exe" if is_windows(platform) else "")


def asset_name(pattern: str, platform: str) -> str:
    return pattern.replace("{platform}", platform) + extension(platform)


def _date(text: str, where: str, origin: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {where}: '{text}' is not a date (use YYYY-MM-DD)") from exc


def _window(data: dict[str, Any], where: str, origin: str) -> Window:
    closes = data.get("closes")
    return Window(
        closes=_date(closes, f"{where}.closes", origin) if closes else None,
        days_after_next_line=data.get("days_after_next_line"),
    )


def _waivers(items: list[dict[str, Any]], origin: str) -> tuple[Waiver, ...]:
    waivers = []
    for index, item in enumerate(items):
        where = f"waivers[{index}]"
        waivers.append(
            Waiver(
                id=item.get("id") or f"{item['check']}@{item['scope']}",
                check=item["check"],
                scope=item["scope"],
                reason=item["reason"],
                approver=item["approver"],
                expires=_date(item["expires"], f"{where}.expires", origin),
            )
        )
    return tuple(waivers)


def _assets(data: dict[str, Any]) -> AssetRules:
    return AssetRules(
        primary=data["primary"],
        fallback=data["fallback"],
        primary_members=tuple(data["primary_members"]),
        fallback_members=tuple(data["fallback_members"]),
        primary_binary=data["primary_binary"],
        build_info_member=data["build_info_member"],
        build_info_contract=data["build_info_contract"],
        payload_patterns=tuple(data["payload_patterns"]),
        vsix=data.get("vsix", "fuse-vscode-{platform}.vsix"),
        vsix_members=tuple(data.get("vsix_members", ())),
        build_targets=dict(data.get("build_targets", {})),
        build_profile=data.get("build_profile", "release"),
        not_assets=tuple(data.get("not_assets", ())),
    )


def _signing(data: dict[str, Any], origin: str) -> Signing:
    regexp = data.get("identity_regexp")
    if regexp:
        from gates import identity_match  # noqa: PLC0415  (RE2 only for a contract that names a regexp)

        try:
            identity_match.check(regexp)
        except identity_match.NotRE2 as exc:
            raise ConfigError(
                f"{origin}: signing.identity_regexp: not a regular expression cosign accepts ({exc}); "
                "write an RE2 (Go regexp) pattern, without backreferences or lookaround, "
                "that fully matches the certificate identity"
            ) from exc
    return Signing(**data)


def _kinds(data: dict[str, Any]) -> dict[str, AssetKind]:
    return {kind: AssetKind(kind=kind, **rule) for kind, rule in data.items()}


# sections merged one level deeper: a user's `asset_kinds: {sbom: {required: false}}` keeps `since`
_DEEP = ("asset_kinds",)


def _merged(document: dict[str, Any]) -> dict[str, Any]:
    """The document over the embedded default, one section deep."""
    base = default_document()
    for key, value in document.items():
        if key in _DEEP and isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {k: {**base[key].get(k, {}), **v} for k, v in {**base[key], **value}.items()}
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def from_document(document: dict[str, Any], origin: str) -> Contract:
    """A contract from a user's document, merged over the embedded default."""
    return _frozen(_merged(document), origin)


def _frozen(data: dict[str, Any], origin: str) -> Contract:
    retention = data["retention"]
    return Contract(
        origin=origin,
        platforms=tuple(data["platforms"]),
        assets=_assets(data["assets"]),
        checksums_name=data["integrity"]["checksums"],
        metadata_name=data["integrity"]["metadata"],
        limits=ArchiveLimits(**data["archive_limits"]),
        slo=Slo(**data["slo"]),
        retention_note=retention.get("note", ""),
        default_window=_window(retention["default"], "retention.default", origin),
        line_windows={
            line: _window(w, f"retention.lines.{line}", origin)
            for line, w in retention.get("lines", {}).items()
        },
        waivers=_waivers(data.get("waivers", []), origin),
        recovery_gates=tuple(data.get("recovery_gates", [])),
        kinds=_kinds(data.get("asset_kinds", {})),
        signing=_signing(data["signing"], origin),
        raw=data,
    )


def default_document() -> dict[str, Any]:
    """The embedded default contract, as parsed from its YAML (read from DEFAULT_JSON)."""
    return package_json(DATA / DEFAULT_JSON)


def default_yaml_document() -> dict[str, Any]:
    """The embedded default parsed from DEFAULT_NAME itself, the file people edit."""
    text = (DATA / DEFAULT_NAME).read_text(encoding="utf-8")
    document: dict[str, Any] = parse_yaml(text, DEFAULT_NAME)
    return document


def write_default_json() -> Path:
    """Write DEFAULT_JSON from DEFAULT_NAME (after editing the YAML: `python -m gates.contract`)."""
    path = DATA / DEFAULT_JSON
    path.write_text(json.dumps(default_yaml_document(), indent=2) + "\n", encoding="utf-8")
    return path


def schema() -> dict[str, Any]:
    return load_schema(DATA / SCHEMA_NAME)


def load(path: Path | None) -> Contract:
    """The contract from `path`, or the embedded FUSE default."""
    if path is None:
        # the embedded default is validated by the test suite, not on every run:
        # importing jsonschema would double the gate's start-up time; nor is it merged
        # over itself, which would read it twice
        return _frozen(default_document(), f"(embedded) {DEFAULT_NAME}")
    document = load_yaml_file(path, schema())
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping of contract keys")
    return from_document(document, str(path))


if __name__ == "__main__":
    print(f"wrote {write_default_json()}")
