"""GitHub Releases as a release source, over the HTTP seam in gates/sources/github_transport.py.

Lists follow the `Link` header; JSON GETs are conditional (an on-disk ETag cache, and a 304
costs no rate limit); downloads ask for `application/octet-stream` and follow a 302 with a
bare session, so the token never reaches the storage host. 5xx and connection errors are
retried with backoff; rate limits wait when the wait is short, else fail clearly.
The token is sent, never shown: no message, log or report carries it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Any, TypeVar

from gates.sources.asset_cache import AssetCache
from gates.sources.etag_cache import EtagCache, default_cache_dir
from gates.sources.github_transport import Clock, NotFound, Settings, Sleep, Transport, shown
from gates.sources.release import TAG_RE, AssetRef, ReleaseRef, StrayEntry
from harness import numbers
from harness.errors import ConfigError, InfraError
from harness.stamps import parse_utc
from harness.text import printable

T = TypeVar("T")
REPO_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+\Z")
MAX_ASSET_BYTES = 2**63 - 1  # what a signed 64-bit size, GitHub's, can hold


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    return parse_utc(stamp)


def release_ref(data: Mapping[str, Any]) -> ReleaseRef:
    """A release as the API lists it. Strings that reports show go through `printable` (JSON
    can spell a lone surrogate, which no report can encode); the key stays the API's URL."""
    return ReleaseRef(
        tag=printable(str(data["tag_name"])),
        location=printable(str(data.get("html_url") or data["url"])),
        published_at=_when(data.get("published_at")),
        draft=bool(data.get("draft")),
        prerelease=bool(data.get("prerelease")),
        immutable=bool(data.get("immutable")),
        key=str(data["url"]),
        published=not data.get("draft"),
    )


def _byte_count(value: Any) -> int:
    """An asset's `size`: a whole number of bytes. JSON can spell Infinity, NaN, 1e400, 1.5
    or true there; int() made OverflowError of the first, 1 of the last two, and a negative
    or 400-digit size then bounded the download (a ValueError: an answer of another shape)."""
    if not numbers.is_number(value) or not isinstance(value, int) or not 0 <= value <= MAX_ASSET_BYTES:
        shown_value = numbers.shown(value) if numbers.is_number(value) else repr(value)[:40]
        raise ValueError(f"asset size {shown_value} is not a number of bytes")
    return value


def asset_ref(data: Mapping[str, Any]) -> AssetRef:
    """An asset as the API lists it; shown strings are `printable`, as in `release_ref`."""
    digest = data.get("digest")
    return AssetRef(
        name=printable(str(data["name"])),
        size=_byte_count(data["size"]),
        location=printable(str(data.get("browser_download_url") or data["url"])),
        digest=printable(digest) if isinstance(digest, str) and digest.startswith("sha256:") else None,
        state=printable(str(data.get("state", "uploaded"))),
        key=str(data["url"]),
    )


def fetched(read: Callable[[], Any]) -> Iterator[Any]:
    """One JSON body, read only when `parsed` iterates: a body that is not JSON (an HTML
    page from a proxy) is then the same InfraError as one of another shape."""
    yield read()


def push_access(repository: Mapping[str, Any]) -> bool:
    """Whether the token may push, from the repository object GitHub answers a token with."""
    return bool((repository.get("permissions") or {}).get("push"))


def parsed(parse: Callable[[Mapping[str, Any]], T], items: Iterable[Any], where: str) -> list[T]:
    """API objects through `parse`; an answer of another shape is one InfraError line, not a crash."""
    try:
        return [parse(item) for item in items]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InfraError(
            f"{where}: not the answer of a GitHub REST API ({type(exc).__name__}: {exc}); "
            "check GITHUB_API_URL"
        ) from exc


class GitHubSource:
    """Releases of one GitHub repository, read through the REST API."""

    def __init__(
        self, repo: str, transport: Transport, *, selector: str = "", asset_cache: AssetCache | None = None
    ) -> None:
        self.repo = repo
        self.http = transport
        self.asset_cache = asset_cache  # downloads once: assets by their published digest
        self.selector = selector
        self.description = f"github:{repo}"
        self._drafts = "hidden: no GITHUB_TOKEN" if not transport.settings.token else "unknown"
        self._last_delete: float | None = None

    def releases(self) -> list[ReleaseRef]:
        try:
            pages = self.http.pages(f"/repos/{self.repo}/releases")
            listed = parsed(release_ref, pages, f"github:{self.repo}: release list")
        except NotFound as exc:
            raise self._no_repository() from exc
        if any(r.draft for r in listed):
            self._drafts = "visible"
        if TAG_RE.match(self.selector):
            found = self._by_tag(self.selector, listed)
            listed = [r for r in listed if r.tag != found.tag] + [found]
        return listed

    def _no_repository(self) -> ConfigError:
        """The release list of an existing repository is never 404, an empty one included."""
        where = f"--source github:{self.repo}: no such repository at {shown(self.http.settings.api_url)}"
        if self.http.settings.token:
            return ConfigError(
                f"{where}, or it is not visible to GITHUB_TOKEN; check OWNER/REPO and the token's access"
            )
        return ConfigError(
            f"{where}, or it is private and GITHUB_TOKEN is unset; check OWNER/REPO, "
            "or set a GITHUB_TOKEN that can read it"
        )

    def published(self, tag: str) -> ReleaseRef | None:
        """The published release of `tag`; None when GitHub has none (or no such repository)."""
        url = self.http.url(f"/repos/{self.repo}/releases/tags/{tag}")
        response = self.http.send("GET", url)
        if response.status_code == 200:
            read = fetched(lambda: self.http.json_body(response, "GET", url))
            return parsed(release_ref, read, f"GET {shown(url)}")[0]
        if response.status_code != 404:
            raise self.http.fail("GET", url, response)
        response.close()
        return None

    def _by_tag(self, tag: str, listed: list[ReleaseRef]) -> ReleaseRef:
        """A published release by tag; a draft only through the list (needs push access)."""
        found = self.published(tag)
        if found is not None:
            return found
        draft = next((r for r in listed if r.tag == tag and r.draft), None)
        if draft is not None:
            return draft
        raise ConfigError(
            f"--release {tag}: no published release with that tag in "
            f"github:{self.repo}, and no draft of it is listed; {self._draft_note()}"
        )

    def _draft_note(self) -> str:
        if not self.http.settings.token:
            return "drafts are listed only for a token with push access; GITHUB_TOKEN is unset"
        path = f"/repos/{self.repo}"
        read = fetched(lambda: self.http.get_json(path)[0])
        push = parsed(push_access, read, f"GET {shown(self.http.url(path))}")[0]
        self._drafts = "visible" if push else "hidden: the token has no push access"
        return (
            "the token has push access, so drafts would be listed"
            if push
            else "drafts are listed only for a token with push access, and GITHUB_TOKEN has none "
            "(a workflow needs `contents: write` to see drafts)"
        )

    def assets(self, release: ReleaseRef) -> list[AssetRef]:
        pages = self.http.pages(f"{release.key}/assets")
        return parsed(asset_ref, pages, f"github:{self.repo}: assets of {release.tag}")

    def strays(self, release: ReleaseRef) -> list[StrayEntry]:
        """None: a GitHub release holds only assets."""
        return []

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        """Stream the asset to an anonymous temporary file (gone once closed)."""
        if asset.state != "uploaded":
            raise InfraError(f"{shown(asset.location)}: asset state is '{asset.state}', not 'uploaded'")
        cached = self.asset_cache.get(asset.digest) if self.asset_cache else None
        if cached is not None:
            return cached
        downloaded = self._download(asset)
        return self.asset_cache.put(asset.digest, downloaded) if self.asset_cache else downloaded

    def _download(self, asset: AssetRef) -> IO[bytes]:
        octets = {"Accept": "application/octet-stream"}
        response = self.http.send("GET", asset.key, headers=octets, download=True)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "")
            response.close()
            # a bare session: the storage host rejects (and must never see) the token
            response = self.http.send("GET", location, session=self.http.bare)
        if response.status_code != 200:
            raise self.http.fail("GET", asset.key, response)
        return self.http.spool(response, shown(asset.location), asset.size)

    def delete(self, release: ReleaseRef, asset: AssetRef) -> None:
        """DELETE one asset through the API, at most one deletion per pause."""
        if self._last_delete is not None:
            gap = self.http.settings.delete_pause_s - (self.http.clock() - self._last_delete)
            if gap > 0:
                self.http.sleep(gap)
        self._last_delete = self.http.clock()
        response = self.http.send("DELETE", asset.key)
        if response.status_code == 422:
            raise InfraError(
                f"{release.tag}/{asset.name}: GitHub refused the deletion "
                "(422; an immutable release keeps its assets)"
            )
        if response.status_code not in (204, 404):
            raise self.http.fail("DELETE", asset.key, response)
        self.http.counters.deleted += 1

    def stats(self) -> dict[str, Any]:
        c = self.http.counters
        return {
            "source": "github",
            "repository": self.repo,
            "api_calls": c.api_calls,
            "not_modified": c.not_modified,
            "downloads": c.downloads,
            "retries": c.retries,
            "waited_s": round(c.waited_s, 1),
            "deleted": c.deleted,
            "rate_limit_remaining": c.remaining,
            "rate_limit_limit": c.limit,
            "rate_limit_reset": c.reset,
            "drafts": self._drafts,
            **self._cache_stats(),
        }

    def _cache_stats(self) -> dict[str, Any]:
        if self.asset_cache is None:
            return {"asset_cache": "off"}
        t = self.asset_cache.tally
        return {
            "downloaded_bytes": t.downloaded_bytes,
            "cached_bytes": t.cached_bytes,
            "cache_hits": t.hits,
            "cache_corrupt": t.corrupt,
        }


def settings_from(env: Mapping[str, str]) -> Settings:
    return Settings(
        api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        token=env.get("GITHUB_TOKEN", "").strip(),
    )


def open_github(
    repo: str,
    env: Mapping[str, str],
    selector: str = "",
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = time.time,
    settings: Settings | None = None,
) -> GitHubSource:
    """The GitHub source for `OWNER/REPO`, configured from the environment."""
    if not REPO_RE.match(repo):
        raise ConfigError(f"--source github:{repo}: expected github:OWNER/REPO")
    chosen = settings or settings_from(env)
    root = default_cache_dir(env)
    transport = Transport(chosen, EtagCache.open(root, chosen.token), sleep=sleep, clock=clock)
    return GitHubSource(repo, transport, selector=selector, asset_cache=AssetCache.open(root))
