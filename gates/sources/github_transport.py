"""HTTP to the GitHub API: retries, rate limits, conditional GETs and counters, over two clients.

The API's GETs go through the small http.client client of gates/sources/api_http.py (a warm
run then never imports requests, the bulk of its start-up time); downloads, writes (DELETE),
and the whole API when a proxy or a netrc entry is configured for its host go through
requests, imported on first use. Both answer with the same `Answer`, so retries, waits,
budgets, counters, redirect refusals and redaction below are one code for both.

The API session carries the token, so it only ever talks to `Settings.api_url`'s scheme and
host: a `Link`, a JSON `url` field or a redirect naming another host is refused. Downloads
from the storage host go through a bare session. No message shows a URL's query string:
pre-signed storage URLs carry credentials there.

Everything is bounded: every request has a connect and a read timeout, and the run a time
budget (no wait or request starts that would end past it); a JSON answer is read to at most
MAX_JSON_BYTES before the deadline; `Link: rel="next"` may not revisit a page, and a list
stops at MAX_PAGES; a download stops at the size the API declared for the asset.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from gates.sources.api_http import Answer, BrokenOff, StdlibClient, Unreachable, needs_requests, next_link
from gates.sources.etag_cache import EtagCache
from harness import bounded_read
from harness.errors import ConfigError, HarnessError, InfraError

if TYPE_CHECKING:
    import requests

# retries and rate-limit waits, as progress lines (the CLI shows them on stderr)
API_VERSION = "2022-11-28"
log = logging.getLogger("gates.sources.github")
MAX_REDIRECTS = 3
CHUNK = 1 << 20
MAX_PAGES = 200  # 20,000 releases or assets at 100 a page
MAX_JSON_BYTES = 32 << 20
SECONDARY_WAIT_S = 60.0  # GitHub: without retry-after, wait at least a minute
LATEST_RESET = 2**53  # a rate-limit reset past this (hundreds of digits) is read as this

HEAD_BYTES = 64 << 10  # what is read of an error answer's body
API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": API_VERSION,
    "User-Agent": "fuse-release-harness",
}

Sleep = Callable[[float], None]
Clock = Callable[[], float]


def shown(url: str) -> str:
    """A URL fit for a message: no query or fragment (a signed URL's credentials live there)."""
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


class RequestsAnswer:
    """A requests answer, read through the same `Answer` as the http.client one."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers: Mapping[str, str] = response.headers
        self._response = response
        self._head: str | None = None

    def head_text(self, limit: int) -> str:
        import requests  # noqa: PLC0415 - loaded already: it fetched this answer

        if self._head is None:
            response = self._response
            try:
                if response.raw is None or getattr(response, "_content_consumed", False):
                    self._head = response.text[:limit]
                else:
                    self._head = response.raw.read(limit, decode_content=True).decode("utf-8", "replace")
            except (requests.RequestException, OSError, ValueError, AttributeError):
                self._head = ""
        return self._head

    def chunks(self, size: int) -> Iterator[bytes]:
        import requests  # noqa: PLC0415

        try:
            yield from self._response.iter_content(size)
        except requests.RequestException as exc:
            raise BrokenOff(type(exc).__name__) from None

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> RequestsAnswer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clock_time(epoch: int) -> str | None:
    """The time of day of a Unix time, or None past what the platform's clock can show."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):
        return None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@dataclass(frozen=True, kw_only=True)
class Settings:
    api_url: str = "https://api.github.com"
    token: str = field(default="", repr=False)
    page_size: int = 100
    retries: int = 4
    backoff_s: float = 1.0
    max_wait_s: float = 90.0  # longest rate-limit wait before giving up
    delete_pause_s: float = 1.0  # GitHub asks for >= 1 s between mutations
    connect_timeout_s: float = 10.0
    timeout_s: float = 30.0  # between two reads of an answer
    budget_s: float = 1800.0  # the whole run's time with the API, waits included
    # the API's GETs: "auto" is http.client unless a proxy or netrc entry needs requests
    api_http: Literal["auto", "stdlib", "requests"] = "auto"


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


class NotFound(InfraError):
    """The API answered 404 (what GitHub says of a repository the caller may not see, too)."""


class Transport:
    """Two clients behind one `send`, with retries, rate limits, conditional GETs and counters."""

    def __init__(
        self,
        settings: Settings,
        cache: EtagCache | None,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.sleep, self.clock = sleep, clock
        self.deadline = clock() + settings.budget_s
        self.counters = Counters()
        self._lock = threading.Lock()
        self._headers = dict(API_HEADERS)
        if settings.token:
            self._headers["Authorization"] = f"Bearer {settings.token}"
        via = settings.api_http
        if via == "auto":
            via = "requests" if needs_requests(settings.api_url) else "stdlib"
        self.stdlib = StdlibClient(self._headers) if via == "stdlib" else None
        self._sessions: dict[str, requests.Session] = {}

    @property
    def api(self) -> requests.Session:
        """The requests session of the API host (the token; proxies and netrc as requests
        reads them), made on first use."""
        return self._session("api")

    @property
    def bare(self) -> requests.Session:
        """The requests session of downloads from the storage host: no credentials at all (no
        header, no .netrc), made on first use."""
        return self._session("bare")

    def _session(self, which: str) -> requests.Session:
        import requests  # noqa: PLC0415 - slow to import; a warm run needs neither session

        with self._lock:
            if which not in self._sessions:
                made = requests.Session()
                if which == "api":
                    made.headers.update(self._headers)
                else:
                    made.trust_env = False
                self._sessions[which] = made
            return self._sessions[which]

    def url(self, path: str) -> str:
        return path if "://" in path else self.settings.api_url.rstrip("/") + path

    def _on_api_host(self, method: str, url: str) -> None:
        """The token goes to the API host only, whatever a Link or a JSON field names."""
        if _origin(url) != _origin(self.settings.api_url):
            raise InfraError(
                f"{method} {shown(url)}: not on the API host "
                f"{shown(self.settings.api_url)}; refusing to send the token there "
                "(set GITHUB_API_URL to the host that serves this repository)"
            )

    def redact(self, text: str) -> str:
        token = self.settings.token
        return text.replace(token, "***") if token else text

    def _count(self, response: Answer, *, api: bool) -> None:
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

    def _limit_wait(self, response: Answer, attempt: int = 0) -> float | None:
        """Seconds to wait when this answer is a rate limit, else None."""
        if response.status_code not in (403, 429):
            return None
        head = response.headers
        if head.get("retry-after", "").isdigit():
            return float(head["retry-after"])
        if head.get("x-ratelimit-remaining") == "0" and head.get("x-ratelimit-reset", "").isdigit():
            # clamped: a reset of hundreds of digits is past any budget, not an OverflowError
            return max(0.0, min(int(head["x-ratelimit-reset"]), LATEST_RESET) - self.clock()) + 1.0
        if "rate limit" in response.head_text(HEAD_BYTES).lower():
            # a secondary limit without retry-after: a minute, doubling, within max_wait_s
            return min(SECONDARY_WAIT_S * float(2**attempt), self.settings.max_wait_s)
        return None

    def _too_long(self, method: str, url: str, wait: float, response: Answer) -> InfraError:
        reset = response.headers.get("x-ratelimit-reset", "")
        when = _clock_time(int(reset)) if reset.isdigit() and int(reset) <= LATEST_RESET else None
        when = when or f"in {wait:.0f} s"
        kind = "secondary" if "retry-after" in response.headers else "primary"
        return InfraError(
            f"{method} {shown(url)}: GitHub API {kind} rate limit reached "
            f"({response.headers.get('x-ratelimit-used', '?')} of "
            f"{response.headers.get('x-ratelimit-limit', '?')} used); it resets {when}, "
            f"more than the {self.settings.max_wait_s:.0f} s this run waits. Rerun later, or "
            "set GITHUB_TOKEN for a larger budget"
        )

    def left_s(self) -> float:
        """Seconds left of the run's time budget."""
        return self.deadline - self.clock()

    def _over_budget(self, method: str, url: str, why: str) -> InfraError:
        return InfraError(
            f"{method} {shown(url)}: {why} would pass this run's {self.settings.budget_s:g} s "
            "time budget with the GitHub API; the API is too slow or limits this run, rerun later"
        )

    def _timeout(self, method: str, url: str) -> tuple[float, float]:
        left = self.left_s()
        if left <= 0:
            raise self._over_budget(method, url, "another request")
        return min(self.settings.connect_timeout_s, left), min(self.settings.timeout_s, left)

    def send(
        self,
        method: str,
        url: str,
        *,
        session: requests.Session | None = None,
        headers: Mapping[str, str] | None = None,
        download: bool = False,
    ) -> Answer:
        """One request, retried on 5xx, connection errors and rate limits. Without `session`
        it goes to the API host: a GET that is not a `download` through http.client (unless
        requests must carry the API), anything else through requests."""
        api = session is None
        if api:
            self._on_api_host(method, url)
        ask = self._client(method, session, download)
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            try:
                response = ask(url, dict(headers or {}), self._timeout(method, url))
            except Unreachable as exc:
                if last:
                    raise InfraError(f"{method} {shown(url)}: cannot reach the server ({exc.kind})") from None
                self._pause(
                    self.settings.backoff_s * 2**attempt,
                    f"{method} {shown(url)}: cannot reach the server",
                    attempt,
                    method,
                    url,
                )
                continue
            self._count(response, api=api)
            wait = self._limit_wait(response, attempt) if api else None
            if wait is not None:
                if wait > self.settings.max_wait_s or last:
                    raise self._too_long(method, url, wait, response)
                response.close()
                self._pause(wait, f"{method} {shown(url)}: GitHub API rate limit", attempt, method, url)
                continue
            if response.status_code >= 500 and not last:
                response.close()
                why = f"{method} {shown(url)}: HTTP {response.status_code}"
                self._pause(self.settings.backoff_s * 2**attempt, why, attempt, method, url)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _client(
        self, method: str, session: requests.Session | None, download: bool
    ) -> Callable[[str, dict[str, str], tuple[float, float]], Answer]:
        """How one request is asked: an API GET of JSON through http.client when it may,
        everything else through a requests session (never following a redirect, streamed so
        that every body is read within its cap and the budget)."""
        if session is None and method == "GET" and not download and self.stdlib is not None:
            return self.stdlib.get
        http = self.api if session is None else session

        def ask(url: str, headers: dict[str, str], timeout: tuple[float, float]) -> Answer:
            import requests  # noqa: PLC0415 - loaded already by the session

            try:
                response = http.request(
                    method, url, headers=headers, stream=True, allow_redirects=False, timeout=timeout
                )
            except requests.RequestException as exc:
                raise Unreachable(type(exc).__name__) from None
            return RequestsAnswer(response)

        return ask

    def _pause(self, seconds: float, why: str, attempt: int, method: str, url: str) -> None:
        """Wait before a retry; the wait is logged (the gate's command line shows it live)."""
        if seconds > self.left_s():
            raise self._over_budget(method, url, f"waiting {seconds:g} s to retry")
        log.warning(
            "%s; waiting %.0f s before retry %d of %d", why, seconds, attempt + 1, self.settings.retries
        )
        with self._lock:
            self.counters.retries += 1
            self.counters.waited_s += seconds
        self.sleep(seconds)

    def fail(self, method: str, url: str, response: Answer) -> HarnessError:
        text = response.head_text(HEAD_BYTES)
        try:
            message = str(bounded_read.parse_json(text).get("message", ""))
        except (ValueError, AttributeError):
            message = text[:200]
        text = f"{method} {shown(url)}: HTTP {response.status_code} {self.redact(message)}".rstrip()
        if response.status_code == 401:
            return ConfigError(f"{text}; GITHUB_TOKEN was rejected: set a valid token or unset it")
        if response.status_code == 404:
            return NotFound(text)
        return InfraError(text)

    def get_json(self, path: str, hops: int = 0) -> tuple[Any, str | None]:
        """A JSON document and the `Link: rel="next"` URL, conditional on the cached ETag."""
        url = self.url(path)
        cached = self.cache.get(url) if self.cache else None
        headers = {"If-None-Match": cached.etag} if cached else {}
        response = self.send("GET", url, headers=headers)
        if response.status_code == 304 and cached:
            response.close()  # (no body: the connection serves the next GET)
            return cached.body, cached.next_url
        location = response.headers.get("location", "")
        if response.status_code in (301, 302, 307) and location.startswith(self.url("/")):
            response.close()
            if hops >= MAX_REDIRECTS:
                raise InfraError(
                    f"GET {shown(url)}: too many redirects (more than "
                    f"{MAX_REDIRECTS}); check the repository name"
                )
            return self.get_json(location, hops + 1)  # a moved repository, same API host
        if response.status_code != 200:
            raise self.fail("GET", url, response)
        body, next_url = self.json_body(response, "GET", url), next_link(response.headers)
        if self.cache and response.headers.get("etag"):
            self.cache.put(url, response.headers["etag"], body, next_url)
        return body, next_url

    def json_body(self, response: Answer, method: str, url: str) -> Any:
        """The answer's JSON, read within the size cap and the time budget; a body that is
        not JSON, or nests too deep, is a ValueError (an answer of another shape)."""
        data = bytearray()
        try:
            with response:
                for chunk in response.chunks(CHUNK):
                    data += chunk
                    if len(data) > MAX_JSON_BYTES:
                        raise InfraError(
                            f"{method} {shown(url)}: the answer is larger than "
                            f"{MAX_JSON_BYTES >> 20} MiB; not a GitHub API answer (check GITHUB_API_URL)"
                        )
                    if self.left_s() <= 0:
                        raise self._over_budget(method, url, "reading the rest of the answer")
        except BrokenOff as exc:
            raise InfraError(f"{method} {shown(url)}: the answer broke off ({exc.kind})") from None
        return bounded_read.parse_json(bytes(data))

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a paginated list, following `Link` (never building page URLs); a
        `next` that points back at a page already read, or a list past MAX_PAGES, is an error."""
        url: str | None = f"{path}?per_page={self.settings.page_size}"
        seen: set[str] = set()
        while url:
            if self.url(url) in seen:
                raise InfraError(
                    f'GET {shown(self.url(path))}: Link rel="next" points back at a page already '
                    f"read ({shown(url)}); the API's pagination loops"
                )
            if len(seen) >= MAX_PAGES:
                raise InfraError(f"GET {shown(self.url(path))}: more than {MAX_PAGES} pages; stopped there")
            seen.add(self.url(url))
            body, url = self.get_json(url)
            yield from body

    def spool(self, response: Answer, label: str, size: int) -> IO[bytes]:
        """A download into an anonymous temporary file (gone once the caller closes it),
        stopped at the `size` the API declared: a body that is longer, or never ends, or a
        Content-Length that says otherwise, is an InfraError, as is the end of the budget."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) != size:
            response.close()
            raise InfraError(
                f"{label}: the download says it is {int(declared):,} bytes (Content-Length), "
                f"the API declared {size:,}; not downloaded"
            )
        out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        try:
            self._copy(response, out, label, size)
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return out

    def _copy(self, response: Answer, out: IO[bytes], label: str, size: int) -> None:
        written = 0
        try:
            with response:
                for chunk in response.chunks(CHUNK):
                    written += len(chunk)
                    if written > size:
                        raise InfraError(
                            f"{label}: the download goes on past the {size:,} bytes the API "
                            "declared; stopped there"
                        )
                    if self.left_s() <= 0:
                        raise self._over_budget("GET", label, "the rest of the download")
                    out.write(chunk)
        except BrokenOff as exc:
            raise InfraError(f"{label}: download broke off ({exc.kind})") from None
