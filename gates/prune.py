"""`gate prune`: plan (and with --apply, perform) deletions of old pair bundles.

Never touches the newest release of a line (pre-releases aside: an RC is not what users
fall back to), integrity files, or any bundle whose release window is still open (the
playbook keeps both the AOT and the CLI bundle until it closes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gates import retention
from gates.contract import Contract
from gates.reading.facts import is_pair_archive
from gates.sources.release import AssetRef, ReleaseRef, ReleaseSource, releases_of_line
from harness.errors import ConfigError, HarnessError


class Action(StrEnum):
    DELETE = "delete"
    KEEP = "keep"
    REFUSE = "refuse"
    DELETED = "deleted"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class PlanItem:
    release: ReleaseRef
    asset: AssetRef
    action: Action
    reason: str


def newest_kept(releases: list[ReleaseRef]) -> str:
    """The tag of the release of a line (`releases`, oldest first) prune always keeps: its
    newest that is not a pre-release (a line of pre-releases only keeps its newest one)."""
    return next((r for r in reversed(releases) if not r.is_prerelease), releases[-1]).tag


def always_kept(release: ReleaseRef, newest: str) -> str:
    """Why prune never deletes this release's bundles, whatever its window ("": it may)."""
    if release.tag == newest:
        return "the newest release of the line"
    if release.immutable:
        return "an immutable release: assets cannot be deleted"
    return ""


def _item(
    release: ReleaseRef, asset: AssetRef, newest: str, window_open: bool, why: str, contract: Contract
) -> PlanItem:
    fallback = asset.name.startswith(contract.assets.fallback.split("{")[0])
    kept = always_kept(release, newest)
    if kept:
        return PlanItem(release=release, asset=asset, action=Action.KEEP, reason=kept)
    if window_open:
        role = "fallback CLI bundle" if fallback else "primary AOT bundle"
        return PlanItem(
            release=release,
            asset=asset,
            action=Action.REFUSE,
            reason=f"{role} inside an open release window: {why}",
        )
    return PlanItem(release=release, asset=asset, action=Action.DELETE, reason=why)


def plan(source: ReleaseSource, line: str, contract: Contract, today: date) -> list[PlanItem]:
    """What pruning `line` would do, asset by asset."""
    all_releases = source.releases()
    releases = releases_of_line(all_releases, line)
    if not releases:
        raise ConfigError(f"--release {line}: no release of that line in {source.description}")
    window = retention.window_state(line, all_releases, contract, today)
    newest = newest_kept(releases)
    return [
        _item(r, a, newest, window.open, window.reason, contract)
        for r in releases
        for a in sorted(source.assets(r), key=lambda a: a.name)
        if is_pair_archive(a.name)
    ]


def apply(source: ReleaseSource, items: list[PlanItem]) -> list[PlanItem]:
    """Delete what the plan says to delete; a failed deletion is recorded, not fatal."""
    done = []
    for item in items:
        if item.action is not Action.DELETE:
            done.append(item)
            continue
        try:
            source.delete(item.release, item.asset)
            done.append(
                PlanItem(release=item.release, asset=item.asset, action=Action.DELETED, reason=item.reason)
            )
        except HarnessError as exc:
            done.append(
                PlanItem(release=item.release, asset=item.asset, action=Action.FAILED, reason=str(exc))
            )
    return done
