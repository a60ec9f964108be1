"""Fallback CLI bundles from GitHub Releases, for `drill validate`, `drill run` and `drill init`.

A scenario's `app: {fallback: {release: github:OWNER/REPO, tag: T, platform: P}}` names the
release's `fuse-cli-<P>.tar.gz`. drills/ may not import gates/, so the command line fetches it
through the gate's GitHub source (GITHUB_TOKEN and GITHUB_API_URL, its retries, time budget
and size bounds, its ETag and asset caches) and hands the scenario loader a local path
(`drills.scenario.app.FetchBundle`).

The copy lives under the gate's cache root (GATE_CACHE_DIR, else the user's cache folder):
`bundles/<OWNER>/<REPO>/<tag>/fuse-cli-<P>.tar.gz`, so `drill validate` fetches it once and
`drill run` reuses it. Every use still asks GitHub for the asset, and a kept copy is used only
while it hashes to the digest GitHub publishes for it (or, for an asset published without
one, its line in the release's SHA256SUMS); a download is written to a temporary name, hashed
as it is written, and renamed into place only when it matches.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from drills.scenario.app import FetchBundle, RemoteBundle
from harness.errors import ConfigError, HarnessError, InfraError

if TYPE_CHECKING:
    from gates.sources.github import GitHubSource
    from gates.sources.github_transport import Sleep
    from gates.sources.release import AssetRef, ReleaseRef

CHUNK = 1 << 20
MAX_SUMS_BYTES = 1 << 20  # a SHA256SUMS of a few dozen lines


def github_fetcher(env: Mapping[str, str], *, sleep: Sleep = time.sleep) -> FetchBundle:
    """A `FetchBundle` for the loader: one GitHub source per repository, each bundle once."""
    from gates.sources.etag_cache import default_cache_dir  # noqa: PLC0415 - requests loads lazily

    root = default_cache_dir(env) / "bundles"
    sources: dict[str, GitHubSource] = {}
    fetched: dict[RemoteBundle, Path] = {}

    def fetch(ref: RemoteBundle, where: str) -> Path:
        if ref not in fetched:
            if ref.repo not in sources:
                sources[ref.repo] = _open(ref.repo, env, sleep, where)
            try:
                fetched[ref] = _fetch(sources[ref.repo], ref, root, where)
            except HarnessError as exc:  # the source's own words, said of this key
                if str(exc).startswith(where):
                    raise
                raise type(exc)(f"{where}: {exc}") from exc
        return fetched[ref]

    return fetch


def _open(repo: str, env: Mapping[str, str], sleep: Sleep, where: str) -> GitHubSource:
    from gates.sources.github import REPO_RE, open_github  # noqa: PLC0415

    if not REPO_RE.match(repo):
        raise ConfigError(f"{where}.release: github:{repo}: expected github:OWNER/REPO")
    return open_github(repo, env, sleep=sleep)


def _fetch(source: GitHubSource, ref: RemoteBundle, root: Path, where: str) -> Path:
    """The verified local copy of the bundle; kept when it still matches GitHub's digest."""
    release = source.published(ref.tag)
    if release is None:
        raise ConfigError(
            f"{where}.tag: github:{ref.repo} has no published release {ref.tag} (or no such repository is "
            f"visible{'' if source.http.settings.token else ' without GITHUB_TOKEN'}); "
            "name a published release's tag"
        )
    assets = source.assets(release)
    asset = next((a for a in assets if a.name == ref.asset), None)
    if asset is None:
        bundles = sorted(a.name for a in assets if a.name.startswith("fuse-cli-")) or ["none"]
        raise ConfigError(
            f"{where}.platform: github:{ref.repo} {ref.tag} has no {ref.asset} (its CLI bundles: "
            f"{', '.join(bundles)}); name a release that ships it"
        )
    expected = _expected_sha256(source, release, assets, asset)
    target = root / ref.repo / ref.tag / ref.asset
    if target.is_file() and _sha256_of(target) == expected:
        return target
    with source.open(release, asset) as stream:
        _write_verified(stream, target, expected, asset.location)
    return target


def _expected_sha256(
    source: GitHubSource, release: ReleaseRef, assets: list[AssetRef], asset: AssetRef
) -> str:
    """The hex digest GitHub publishes for the asset, else its line in the release's SHA256SUMS."""
    if asset.digest is not None:
        return asset.digest.removeprefix("sha256:")
    sums = next((a for a in assets if a.name == "SHA256SUMS" and a.size <= MAX_SUMS_BYTES), None)
    if sums is not None:
        text = _read_small(source, release, sums).decode("utf-8", "replace")
        for line in text.splitlines():
            hexdigest, _, name = line.partition("  ")
            if name.strip() == asset.name and len(hexdigest) == 64:
                return hexdigest.lower()
    raise InfraError(
        f"{asset.location}: GitHub publishes no digest for it and the release's SHA256SUMS does not "
        "list it, so its bytes cannot be verified; download and check it, then name it with bundle:"
    )


def _read_small(source: GitHubSource, release: ReleaseRef, asset: AssetRef) -> bytes:
    """A small asset's bytes, checked against its own published digest when it has one."""
    with source.open(release, asset) as stream:
        data = stream.read(MAX_SUMS_BYTES)
        actual = hashlib.sha256(data).hexdigest()
        verified_by = getattr(stream, "verified_by", None)  # a copy from the asset cache
        if verified_by is not None:
            verified_by(actual, len(data))
    if asset.digest is not None and asset.digest != f"sha256:{actual}":
        raise InfraError(
            f"{asset.location}: its bytes hash to sha256:{actual}, not the published {asset.digest}"
        )
    return data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_verified(stream: IO[bytes], target: Path, expected: str, label: str) -> None:
    """Copy to a temporary name beside `target`, hashing; rename into place only on a match."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".part-", delete=False) as out:
            part = Path(out.name)
            digest, size = hashlib.sha256(), 0
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except OSError as exc:
        raise InfraError(
            f"{target.parent}: cannot keep the bundle there ({exc.strerror}); set GATE_CACHE_DIR "
            "to a writable folder"
        ) from exc
    try:
        verified_by = getattr(stream, "verified_by", None)  # a copy from the asset cache
        if verified_by is not None:
            verified_by(digest.hexdigest(), size)
        if digest.hexdigest() != expected:
            raise InfraError(
                f"{label}: its bytes hash to sha256:{digest.hexdigest()}, not the published "
                f"sha256:{expected}; the download or the release is corrupt, rerun or check the release"
            )
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
