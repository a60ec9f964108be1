"""GitHub Releases as a release source: the one module that speaks HTTP (requests).

Lists follow the `Link` header; JSON GETs are conditional (an on-disk ETag cache, and a 304
costs no rate limit); downloads ask for `application/octet-stream` and follow a 302 with a
bare session, so the token never reaches the storage host. 5xx and connection errors are
retried with backoff; rate limits wait when the wait is short, else fail clearly.
The token is sent, never shown: no message, log or report carries it.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import requests

from gates.etag_cache import EtagCache, default_cache_dir
from gates.source import TAG_RE, AssetRef, ReleaseRef
from harness.errors import ConfigError, HarnessError, InfraError

API_VERSION = "2022-11-28"
REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+$")
CHUNK = 1 << 20

Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True, kw_only=True)
class Settings:
    api_url: str = "https://api.github.com"
    token: str = field(default="", repr=False)
    page_size: int = 100
    retries: int = 4
    backoff_s: float = 1.0
    max_wait_s: float = 90.0  # longest rate-limit wait before giving up
    delete_pause_s: float = 1.0  # GitHub asks for >= 1 s between mutations
    timeout_s: float = 30.0


@dataclass
class Counters:
    api_calls: int = 0
    not_modified: int = 0
    retries: int = 0
    downloads: int = 0
    deleted: int = 0
    waited_s: float = 0.0
    remaining: int | None = None
    limit: int | None = None
    reset: int | None = None


class Transport:
    """requests, with retries, rate limits, conditional GETs and counters."""

    def __init__(self, settings: Settings, cache: EtagCache | None, *, sleep: Sleep = time.sleep,
                 clock: Clock = time.time) -> None:
        self.settings = settings
        self.cache = cache
        self.sleep, self.clock = sleep, clock
        self.counters = Counters()
        self._lock = threading.Lock()
        self.api = requests.Session()
        self.api.headers.update({"Accept": "application/vnd.github+json",
                                 "X-GitHub-Api-Version": API_VERSION,
                                 "User-Agent": "fuse-release-harness"})
        if settings.token:
            self.api.headers["Authorization"] = f"Bearer {settings.token}"
        # the storage host gets no credentials at all: no header, no .netrc
        self.bare = requests.Session()
        self.bare.trust_env = False

    def url(self, path: str) -> str:
        return path if "://" in path else self.settings.api_url.rstrip("/") + path

    def redact(self, text: str) -> str:
        token = self.settings.token
        return text.replace(token, "***") if token else text

    def _count(self, response: requests.Response, *, api: bool) -> None:
        with self._lock:
            if not api:
                self.counters.downloads += 1
                return
            self.counters.api_calls += 1
            self.counters.not_modified += response.status_code == 304
            self._budget(response.headers)

    def _budget(self, head: Mapping[str, str]) -> None:
        """The lowest remaining budget of the current window (answers arrive out of order)."""
        values = [head.get(f"x-ratelimit-{n}", "") for n in ("remaining", "limit", "reset")]
        if not all(v.isdigit() for v in values):
            return
        remaining, limit, reset = (int(v) for v in values)
        c = self.counters
        if c.reset is None or reset > c.reset or c.remaining is None:
            c.remaining, c.limit, c.reset = remaining, limit, reset
        else:
            c.remaining = min(c.remaining, remaining)

    def _limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait when this answer is a rate limit, else None."""
        if response.status_code not in (403, 429):
            return None
        head = response.headers
        if head.get("retry-after", "").isdigit():
            return float(head["retry-after"])
        if head.get("x-ratelimit-remaining") == "0" and head.get("x-ratelimit-reset", "").isdigit():
            return max(0.0, int(head["x-ratelimit-reset"]) - self.clock()) + 1.0
        if "rate limit" in response.text.lower():
            return 60.0  # a secondary limit without retry-after: wait at least a minute
        return None

    def _too_long(self, method: str, url: str, wait: float,
                  response: requests.Response) -> InfraError:
        reset = response.headers.get("x-ratelimit-reset", "")
        when = (datetime.fromtimestamp(int(reset), UTC).strftime("%H:%M:%S UTC")
                if reset.isdigit() else f"in {wait:.0f} s")
        kind = "secondary" if "retry-after" in response.headers else "primary"
        return InfraError(
            f"{method} {url}: GitHub API {kind} rate limit reached "
            f"({response.headers.get('x-ratelimit-used', '?')} of "
            f"{response.headers.get('x-ratelimit-limit', '?')} used); it resets {when}, "
            f"more than the {self.settings.max_wait_s:.0f} s this run waits. Rerun later, or "
            "set GITHUB_TOKEN for a larger budget")

    def send(self, method: str, url: str, *, session: requests.Session | None = None,
             headers: Mapping[str, str] | None = None, stream: bool = False) -> requests.Response:
        """One request, retried on 5xx, connection errors and rate limits."""
        api = session is None
        http = self.api if api else session
        assert http is not None
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            try:
                response = http.request(method, url, headers=dict(headers or {}), stream=stream,
                                        allow_redirects=False, timeout=self.settings.timeout_s)
            except requests.RequestException as exc:
                if last:
                    raise InfraError(f"{method} {url}: cannot reach the server "
                                     f"({self.redact(type(exc).__name__)})") from None
                self._pause(self.settings.backoff_s * 2**attempt)
                continue
            self._count(response, api=api)
            wait = self._limit_wait(response) if api else None
            if wait is not None:
                if wait > self.settings.max_wait_s or last:
                    raise self._too_long(method, url, wait, response)
                response.close()
                self._pause(wait)
                continue
            if response.status_code >= 500 and not last:
                response.close()
                self._pause(self.settings.backoff_s * 2**attempt)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, seconds: float) -> None:
        with self._lock:
            self.counters.retries += 1
            self.counters.waited_s += seconds
        self.sleep(seconds)

    def fail(self, method: str, url: str, response: requests.Response) -> HarnessError:
        try:
            message = str(response.json().get("message", ""))
        except (ValueError, AttributeError):
            message = response.text[:200]
        text = f"{method} {url}: HTTP {response.status_code} {self.redact(message)}".rstrip()
        if response.status_code == 401:
            return ConfigError(f"{text}; GITHUB_TOKEN was rejected: set a valid token or unset it")
        return InfraError(text)

    def get_json(self, path: str) -> tuple[Any, str | None]:
        """A JSON document and the `Link: rel="next"` URL, conditional on the cached ETag."""
        url = self.url(path)
        cached = self.cache.get(url) if self.cache else None
        headers = {"If-None-Match": cached.etag} if cached else {}
        response = self.send("GET", url, headers=headers)
        if response.status_code == 304 and cached:
            return cached.body, cached.next_url
        location = response.headers.get("location", "")
        if response.status_code in (301, 302, 307) and location.startswith(self.url("/")):
            return self.get_json(location)  # a moved repository, on the same API host
        if response.status_code != 200:
            raise self.fail("GET", url, response)
        body, next_url = response.json(), response.links.get("next", {}).get("url")
        if self.cache and response.headers.get("etag"):
            self.cache.put(url, response.headers["etag"], body, next_url)
        return body, next_url

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a paginated list, following `Link` (never building page URLs)."""
        url: str | None = f"{path}?per_page={self.settings.page_size}"
        while url:
            body, url = self.get_json(url)
            yield from body


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def release_ref(data: Mapping[str, Any]) -> ReleaseRef:
    return ReleaseRef(tag=str(data["tag_name"]), location=str(data.get("html_url") or data["url"]),
                      published_at=_when(data.get("published_at")), draft=bool(data.get("draft")),
                      prerelease=bool(data.get("prerelease")),
                      immutable=bool(data.get("immutable")), key=str(data["url"]))


def asset_ref(data: Mapping[str, Any]) -> AssetRef:
    digest = data.get("digest")
    return AssetRef(name=str(data["name"]), size=int(data["size"]),
                    location=str(data.get("browser_download_url") or data["url"]),
                    digest=digest if isinstance(digest, str) and digest.startswith("sha256:")
                    else None, state=str(data.get("state", "uploaded")), key=str(data["url"]))


class GitHubSource:
    """Releases of one GitHub repository, read through the REST API."""

    def __init__(self, repo: str, transport: Transport, *, selector: str = "") -> None:
        self.repo = repo
        self.http = transport
        self.selector = selector
        self.description = f"github:{repo}"
        self._drafts = "hidden: no GITHUB_TOKEN" if not transport.settings.token else "unknown"
        self._last_delete: float | None = None

    def releases(self) -> list[ReleaseRef]:
        listed = [release_ref(r) for r in self.http.pages(f"/repos/{self.repo}/releases")]
        if any(r.draft for r in listed):
            self._drafts = "visible"
        if TAG_RE.match(self.selector):
            found = self._by_tag(self.selector, listed)
            listed = [r for r in listed if r.tag != found.tag] + [found]
        return listed

    def _by_tag(self, tag: str, listed: list[ReleaseRef]) -> ReleaseRef:
        """A published release by tag; a draft only through the list (needs push access)."""
        url = self.http.url(f"/repos/{self.repo}/releases/tags/{tag}")
        response = self.http.send("GET", url)
        if response.status_code == 200:
            return release_ref(response.json())
        if response.status_code != 404:
            raise self.http.fail("GET", url, response)
        draft = next((r for r in listed if r.tag == tag and r.draft), None)
        if draft is not None:
            return draft
        raise ConfigError(f"--release {tag}: no published release with that tag in "
                          f"github:{self.repo}, and no draft of it is listed; {self._draft_note()}")

    def _draft_note(self) -> str:
        if not self.http.settings.token:
            return "drafts are listed only for a token with push access; GITHUB_TOKEN is unset"
        data, _ = self.http.get_json(f"/repos/{self.repo}")
        push = bool((data.get("permissions") or {}).get("push"))
        self._drafts = "visible" if push else "hidden: the token has no push access"
        return ("the token has push access, so drafts would be listed" if push else
                "drafts are listed only for a token with push access, and GITHUB_TOKEN has none "
                "(a workflow needs `contents: write` to see drafts)")

    def assets(self, release: ReleaseRef) -> list[AssetRef]:
        return [asset_ref(a) for a in self.http.pages(f"{release.key}/assets")]

    def open(self, release: ReleaseRef, asset: AssetRef) -> IO[bytes]:
        """Stream the asset to an anonymous temporary file (gone once closed)."""
        if asset.state != "uploaded":
            raise InfraError(f"{asset.location}: asset state is '{asset.state}', not 'uploaded'")
        response = self.http.send("GET", asset.key, headers={"Accept": "application/octet-stream"},
                                  stream=True)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "")
            response.close()
            # a bare session: the storage host rejects (and must never see) the token
            response = self.http.send("GET", location, session=self.http.bare, stream=True)
        if response.status_code != 200:
            raise self.http.fail("GET", asset.key, response)
        return _spool(response, asset)

    def delete(self, release: ReleaseRef, asset: AssetRef) -> None:
        """DELETE one asset through the API, at most one deletion per pause."""
        if self._last_delete is not None:
            gap = self.http.settings.delete_pause_s - (self.http.clock() - self._last_delete)
            if gap > 0:
                self.http.sleep(gap)
        self._last_delete = self.http.clock()
        response = self.http.send("DELETE", asset.key)
        if response.status_code == 422:
            raise InfraError(f"{release.tag}/{asset.name}: GitHub refused the deletion "
                             "(422; an immutable release keeps its assets)")
        if response.status_code not in (204, 404):
            raise self.http.fail("DELETE", asset.key, response)
        self.http.counters.deleted += 1

    def stats(self) -> dict[str, Any]:
        c = self.http.counters
        return {"source": "github", "repository": self.repo, "api_calls": c.api_calls,
                "not_modified": c.not_modified, "downloads": c.downloads, "retries": c.retries,
                "waited_s": round(c.waited_s, 1), "deleted": c.deleted,
                "rate_limit_remaining": c.remaining, "rate_limit_limit": c.limit,
                "rate_limit_reset": c.reset, "drafts": self._drafts}


def _spool(response: requests.Response, asset: AssetRef) -> IO[bytes]:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        with response:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
    except requests.RequestException as exc:
        out.close()
        raise InfraError(f"{asset.location}: download broke off ({type(exc).__name__})") from None
    out.seek(0)
    return out


def settings_from(env: Mapping[str, str]) -> Settings:
    return Settings(api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
                    token=env.get("GITHUB_TOKEN", "").strip())


def open_github(repo: str, env: Mapping[str, str], selector: str = "", *,
                sleep: Sleep = time.sleep, clock: Clock = time.time,
                settings: Settings | None = None) -> GitHubSource:
    """The GitHub source for `OWNER/REPO`, configured from the environment."""
    if not REPO_RE.match(repo):
        raise ConfigError(f"--source github:{repo}: expected github:OWNER/REPO")
    chosen = settings or settings_from(env)
    cache = EtagCache.open(default_cache_dir(env), chosen.token)
    return GitHubSource(repo, Transport(chosen, cache, sleep=sleep, clock=clock), selector=selector)
