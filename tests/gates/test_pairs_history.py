"""P001 follows FUSE's history: the AOT bundle arrived with v0.4.0, so an older release may
lack it (skipped, saying why), and one that has it anyway is still judged."""

from __future__ import annotations

from pathlib import Path

from drills.standard.releases import write_release
from gates import contract
from gates.checks import pairs
from gates.checks.base import NotApplicable
from gates.reading.facts import read_releases
from gates.retention import window_state
from gates.sources.folder import FolderSource

RULES = contract.load(None)


def facts_of(folder: Path, tag: str):  # type: ignore[no-untyped-def]
    source = FolderSource(folder, single_tag=tag)
    (release,) = source.releases()
    window = window_state(release.line, [release], RULES, release.published_at.date())  # type: ignore[union-attr]
    (facts,) = read_releases(source, [(release, window)], RULES, None)
    return facts


def test_a_release_before_the_aot_rollout_may_lack_the_aot_bundle(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.3.0", "v0.3.0")
    for p in folder.glob("fuse-aot-*"):
        p.unlink()
    try:
        pairs.primary_present(facts_of(folder, "v0.3.0"), RULES)
    except NotApplicable as skipped:
        assert "from v0.4.0" in str(skipped)
    else:
        raise AssertionError("P001 judged a release older than the AOT rollout")


def test_an_old_release_that_holds_an_aot_bundle_anyway_is_judged(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.3.0", "v0.3.0")
    (folder / "fuse-aot-macos-arm64.tar.gz").unlink()  # one AOT bundle shipped, one not
    found = pairs.primary_present(facts_of(folder, "v0.3.0"), RULES)
    assert [f.subject for f in found] == ["macos-arm64"]


def test_the_aot_bundle_is_required_from_the_rollout_on(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.4.0", "v0.4.0")
    (folder / "fuse-aot-macos-arm64.tar.gz").unlink()
    found = pairs.primary_present(facts_of(folder, "v0.4.0"), RULES)
    assert [f.subject for f in found] == ["macos-arm64"]
