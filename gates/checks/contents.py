"""Contents: what the AOT and CLI archives hold, and the AOT build-info line.

A check with nothing to judge (no bundle of its kind, none read in full, no build-info line
that parses) is skipped, saying which check reports why, never passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from gates.checks.base import NotApplicable, bundles
from gates.checks.buildinfo import BuildInfoFile, read_build_info
from gates.contract import Contract, exe, is_windows
from gates.reading.archive import ArchiveListing, Member
from gates.reading.extracted import normal
from gates.reading.facts import AssetFacts, ReleaseFacts
from harness.results import Finding

_BUNDLE = {"primary": ("primary AOT bundle", "P001"), "fallback": ("fallback CLI bundle", "P002")}


def _listed(
    release: ReleaseFacts, contract: Contract, role: str
) -> list[tuple[str, AssetFacts, ArchiveListing]]:
    """Bundles whose full member list we have (unreadable or cut-short ones are skipped:
    C008/C007/A001 report those)."""
    out = []
    for platform, asset in bundles(release, contract, role):
        listing = asset.listing
        if listing is not None and not listing.error and not listing.truncated:
            out.append((platform, asset, listing))
    return out


def _nothing_listed(
    release: ReleaseFacts, contract: Contract, *roles: str, unix_only: bool = False
) -> NotApplicable:
    """The skip of a check none of whose bundles was listed in full, and who says why."""
    what = "unix bundle" if unix_only else " or ".join(_BUNDLE[r][0] for r in roles)
    present = [p for r in roles for p, _a in bundles(release, contract, r)]
    if any(not (unix_only and is_windows(p)) for p in present):
        return NotApplicable(f"no {what} could be listed in full (A001, C007 or C008 says why)")
    reporters = sorted(_BUNDLE[r][1] for r in roles)
    verb = "reports" if len(reporters) == 1 else "report"
    return NotApplicable(f"no {what} to judge ({' and '.join(reporters)} {verb} it)")


def _judged(
    release: ReleaseFacts, contract: Contract, role: str
) -> list[tuple[str, AssetFacts, ArchiveListing]]:
    """`_listed`, or the skip when there is none."""
    found = _listed(release, contract, role)
    if not found:
        raise _nothing_listed(release, contract, role)
    return found


def _last_copies(listing: ArchiveListing) -> list[Member]:
    """What extraction leaves: the last copy of each path (duplicates are C007 findings), a
    hard link as the file it names (GNU tar and bsdtar store a file's second name so, as a
    multi-call binary's `fuse-lsp` beside `fuse`: extraction gives it that file's mode)."""
    last = {m.path: m for m in listing.members}
    return [_linked_file(m, last) for m in last.values()]


def _linked_file(member: Member, last: dict[str, Member]) -> Member:
    """`member`, or the file a hard link names, under the link's name (C007 reports a link to
    anything else)."""
    target = last.get(normal(member.link)) if member.kind == "hardlink" else None
    return replace(target, name=member.name) if target is not None and target.kind == "file" else member


def _missing_members(release: ReleaseFacts, contract: Contract, role: str) -> list[Finding]:
    required = contract.assets.primary_members if role == "primary" else contract.assets.fallback_members
    findings = []
    for platform, asset, listing in _judged(release, contract, role):
        files = {m.path for m in _last_copies(listing) if m.kind == "file"}
        for name in (exe(r, platform) for r in required):
            if name not in files:
                actual = ", ".join(sorted(m.name for m in listing.members)) or "empty archive"
                findings.append(
                    Finding(
                        subject=asset.ref.name,
                        message=f"member '{name}' is missing",
                        expected=name,
                        actual=actual,
                        where=asset.ref.location,
                    )
                )
    return findings


def fallback_members(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The CLI bundle holds fuse and fuse-lsp."""
    return _missing_members(release, contract, "fallback")


def primary_members(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The AOT bundle holds its binary and AOT_BUILD_INFO.txt."""
    return _missing_members(release, contract, "primary")


def unix_binaries_executable(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Binaries in unix bundles carry the executable bit."""
    wanted = {"fallback": contract.assets.fallback_members, "primary": (contract.assets.primary_binary,)}
    unix = [
        (names, platform, asset, listing)
        for role, names in wanted.items()
        for platform, asset, listing in _listed(release, contract, role)
        if not is_windows(platform)
    ]
    if not unix:
        raise _nothing_listed(release, contract, *wanted, unix_only=True)
    findings = []
    for names, platform, asset, listing in unix:
        binaries = {exe(n, platform) for n in names}
        findings += [
            Finding(
                subject=asset.ref.name,
                message=f"'{m.name}' is not executable",
                expected="mode with +x",
                actual=f"mode {m.mode:o}",
                where=asset.ref.location,
            )
            for m in _last_copies(listing)
            if m.path in binaries and m.kind == "file" and not m.executable
        ]
    return findings


def _build_infos(release: ReleaseFacts, contract: Contract) -> list[tuple[AssetFacts, BuildInfoFile]]:
    """The build-info file of every AOT bundle that holds one (the skip when none does)."""
    member = contract.assets.build_info_member
    out = []
    for _platform, asset, listing in _judged(release, contract, "primary"):
        copies = sum(1 for m in listing.members if m.path == member)
        if copies:
            out.append((asset, read_build_info(listing.texts.get(member), copies)))
    if not out:
        raise NotApplicable(f"no AOT bundle holds {member} (C003 reports it)")
    return out


def _parsed_build_infos(release: ReleaseFacts, contract: Contract) -> list[tuple[AssetFacts, BuildInfoFile]]:
    """The build-info files whose line parses (the skip when none does: C004 says why)."""
    parsed = [(a, found) for a, found in _build_infos(release, contract) if found.info is not None]
    if not parsed:
        raise NotApplicable(
            f"no {contract.assets.build_info_member} holds a line that parses (C004 reports it)"
        )
    return parsed


def build_info_parses(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """AOT_BUILD_INFO.txt holds one build-info line of the frozen shape."""
    member = contract.assets.build_info_member
    return [
        Finding(
            subject=asset.ref.name,
            message=f"{member} does not hold exactly one build-info line: {found.problem}",
            expected="mode=… profile=… target=… rustc=… cli=… runtime_cache=N contract=… and a newline",
            actual=found.shown,
            where=f"{asset.ref.location}:{member}",
        )
        for asset, found in _build_infos(release, contract)
        if found.problem
    ]


def field_mismatches(
    release: ReleaseFacts,
    contract: Contract,
    key: str,
    want: Callable[[AssetFacts], str | None],
    message: Callable[[AssetFacts], str],
) -> list[Finding]:
    """A finding per AOT bundle whose build-info `key=` is not what `want` says for it (None:
    nothing to say), judged on the copy extraction keeps; C004 reports lines that do not parse."""
    findings = []
    for asset, found in _parsed_build_infos(release, contract):
        expected = want(asset)
        actual = getattr(found.info, key, None)
        if expected is None or actual == expected:
            continue
        findings.append(
            Finding(
                subject=asset.ref.name,
                message=message(asset),
                expected=f"{key}={expected}",
                actual=f"{key}={actual}",
                where=f"{asset.ref.location}:{contract.assets.build_info_member}",
            )
        )
    return findings


def build_info_contract(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info line says contract=aot-v1."""
    return field_mismatches(
        release,
        contract,
        "contract",
        lambda _asset: contract.assets.build_info_contract,
        lambda _asset: "the AOT binary was built for another contract",
    )


def build_info_version(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The build-info cli= version equals the release version."""
    return field_mismatches(
        release,
        contract,
        "cli",
        lambda _asset: release.ref.version,
        lambda _asset: "the AOT binary comes from another release",
    )


def _archives(release: ReleaseFacts, contract: Contract) -> list[tuple[AssetFacts, ArchiveListing]]:
    """Every pair bundle that was read, with what its reader found (the skip when none was)."""
    found = [a for role in _BUNDLE for _p, a in bundles(release, contract, role)]
    read = [(a, a.listing) for a in found if a.listing is not None]
    if not read:
        raise NotApplicable(
            "no bundle was read (A001 says why)" if found else "no bundle to judge (P001 and P002 report it)"
        )
    return read


def archives_safe(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Archives are safe to unpack: no escaping paths, no links out, within size limits."""
    return [
        Finding(subject=asset.ref.name, message=problem, where=asset.ref.location)
        for asset, listing in _archives(release, contract)
        for problem in listing.problems
    ]


def archives_readable(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Bundles are well-formed archives of their kind."""
    return [
        Finding(subject=asset.ref.name, message=listing.error, where=asset.ref.location)
        for asset, listing in _archives(release, contract)
        if listing.error
    ]
