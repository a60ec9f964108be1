"""The GitHub API's GETs over http.client: the client of a warm `gate check --source github:`.

Why hand-written: start-up time. A repeat check of a line is answered by three conditional GETs
(304s, no body) and the digest cache, yet importing `requests` (urllib3, charset_normalizer,
idna, cookie jars) cost about 0.1 s of a 0.37 s run; counted by valgrind, 294 M of the 304 M
instructions a warm GitHub run spent over the same line from a folder. http.client, which the
standard library loads for far less, is enough for a JSON GET with a few headers.

What it does: GET (and only that) with the caller's headers, a connect and a read timeout,
HTTPS verified against certifi's bundle (the one requests uses), or the file or folder named by
REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, as requests reads them (SSL_CERT_FILE, which requests
does not read either, is not read), kept-alive connections (a dropped one is redialled once),
and errors named as requests names them (ConnectTimeout, ReadTimeout, ConnectionError,
SSLError, ChunkedEncodingError), so a message reads the same on either path.

What it does not do, and requests does instead (gates/sources/github_transport.py picks):
proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY not bypassed by NO_PROXY: the whole API then goes
through requests), a ~/.netrc entry for the API host (requests sends it), downloads, writes
(DELETE), redirects (none is followed here: the transport decides), and compression (it asks
for `identity`; a warm run's answers have no body to compress).
"""

from __future__ import annotations

import http.client
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit, urlunsplit

from harness.errors import ConfigError

if TYPE_CHECKING:
    import ssl

Origin = tuple[str, str]  # scheme, netloc


class Unreachable(Exception):
    """No answer; `kind` is the name requests gives the same failure."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class BrokenOff(Unreachable):
    """An answer's body stopped before its end (or stalled past the read timeout)."""


class Answer(Protocol):
    """What the transport reads of an answer, whichever client fetched it."""

    status_code: int
    headers: Mapping[str, str]  # names in any case

    def head_text(self, limit: int) -> str:
        """The start of the body as text, read once (an error answer may never end)."""
        ...

    def chunks(self, size: int) -> Iterator[bytes]:
        """The body; a BrokenOff when it breaks off."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Answer: ...

    def __exit__(self, *exc: object) -> None: ...


class Headers(Mapping[str, str]):
    """Header names in any case; a repeated header joined with ", " (as urllib3 does)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._by_name: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            self._by_name[key] = f"{self._by_name[key]}, {value}" if key in self._by_name else value

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


def next_link(headers: Mapping[str, str]) -> str | None:
    """`Link: <url>; rel="next"`'s URL, parsed as requests parses it (`Response.links`), so both
    paths follow the same pages."""
    value = headers.get("link", "").strip(" '\"")
    found: dict[str, dict[str, str]] = {}
    for part in re.split(", *<", value) if value else []:
        url, _, params = part.partition(";")
        link = {"url": url.strip("<> '\"")}
        for param in params.split(";") if params else []:
            key, sep, val = param.partition("=")
            if not sep or "=" in val:
                break
            link[key.strip(" '\"")] = val.strip(" '\"")
        key = link.get("rel") or link.get("url")
        if key:
            found[key] = link
    return found.get("next", {}).get("url")


def ca_bundle(env: Mapping[str, str]) -> str:
    """The CA file or folder HTTPS is verified against, chosen as requests chooses it."""
    chosen = env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE")
    if not chosen:
        import certifi  # noqa: PLC0415 - only an HTTPS API needs it

        return certifi.where()
    if not Path(chosen).exists():
        name = "REQUESTS_CA_BUNDLE" if env.get("REQUESTS_CA_BUNDLE") else "CURL_CA_BUNDLE"
        raise ConfigError(f"{name}={chosen}: no such file or folder; name a CA bundle, or unset it")
    return chosen


def tls_context(env: Mapping[str, str]) -> ssl.SSLContext:
    import ssl  # noqa: PLC0415

    where = ca_bundle(env)
    if Path(where).is_dir():
        return ssl.create_default_context(capath=where)
    return ssl.create_default_context(cafile=where)


class StdlibAnswer:
    """An http.client answer; its connection goes back to the pool once the body is read."""

    def __init__(self, response: http.client.HTTPResponse, done: Callable[[bool], None]) -> None:
        self.status_code = response.status
        self.headers: Mapping[str, str] = Headers(response.getheaders())
        self._response = response
        self._done: Callable[[bool], None] | None = done  # once: a connection is pooled once
        self._head: str | None = None

    def head_text(self, limit: int) -> str:
        if self._head is None:
            try:
                self._head = self._response.read(limit).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self._head = ""
        return self._head

    def chunks(self, size: int) -> Iterator[bytes]:
        while data := self._read(size):
            yield data

    def _read(self, size: int) -> bytes:
        """Up to `size` bytes, b"" at the end; a body shorter than its Content-Length is broken
        off (http.client's `read(amt)` would end it quietly)."""
        try:
            data = self._response.read(size)
            if not data and self._response.length:
                raise http.client.IncompleteRead(b"", self._response.length)
            return data
        except TimeoutError:
            raise BrokenOff("ConnectionError") from None  # requests' name for a stalled body
        except OSError as exc:
            raise BrokenOff("SSLError" if _is_tls(exc) else "ChunkedEncodingError") from None
        except http.client.HTTPException:
            raise BrokenOff("ChunkedEncodingError") from None

    def close(self) -> None:
        done, self._done = self._done, None
        if done is None:
            return
        response = self._response
        if not response.isclosed() and response.length == 0 and not response.chunked:
            response.read()  # nothing left (a 304): the connection can serve the next GET
        reusable = response.isclosed() and not response.will_close
        response.close()
        done(reusable)

    def __enter__(self) -> StdlibAnswer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_tls(exc: BaseException) -> bool:
    import ssl  # noqa: PLC0415 - loaded already by http.client

    return isinstance(exc, ssl.SSLError)


class StdlibClient:
    """GETs with fixed headers over kept-alive connections, one pool per origin."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    def get(self, url: str, headers: Mapping[str, str], timeout: tuple[float, float]) -> StdlibAnswer:
        """One GET; an Unreachable when no answer comes (a kept-alive connection the server has
        closed meanwhile is redialled once: a server may close an idle one at any time)."""
        parts = urlsplit(url)
        origin = (parts.scheme.lower(), parts.netloc.lower())
        target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        sent = {**self.headers, **headers}
        conn = self._idle_connection(origin)
        if conn is not None:
            try:
                return self._ask(conn, origin, target, sent, timeout[1])
            except (ConnectionError, http.client.RemoteDisconnected):
                pass  # dropped while idle: dial again
            except (OSError, http.client.HTTPException) as exc:
                raise _unreachable(exc) from None
        try:
            return self._ask(self._connect(origin, timeout), origin, target, sent, timeout[1])
        except (OSError, http.client.HTTPException) as exc:
            raise _unreachable(exc) from None

    def _ask(
        self,
        conn: http.client.HTTPConnection,
        origin: Origin,
        target: str,
        headers: Mapping[str, str],
        read_timeout: float,
    ) -> StdlibAnswer:
        try:
            if conn.sock is not None:
                conn.sock.settimeout(read_timeout)
            conn.request("GET", target, headers=dict(headers))
            response = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        return StdlibAnswer(response, lambda reusable: self._give_back(origin, conn, reusable))

    def _connect(self, origin: Origin, timeout: tuple[float, float]) -> http.client.HTTPConnection:
        scheme, netloc = origin
        parts = urlsplit(f"{scheme}://{netloc}")
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout[0], context=self._context()
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout[0])
        try:
            conn.connect()
        except TimeoutError:
            conn.close()
            raise Unreachable("ConnectTimeout") from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = tls_context(os.environ)
            return self._tls

    def _idle_connection(self, origin: Origin) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(origin)
            return idle.pop() if idle else None

    def _give_back(self, origin: Origin, conn: http.client.HTTPConnection, reusable: bool) -> None:
        if not reusable or conn.sock is None:
            conn.close()
            return
        with self._lock:
            self._idle.setdefault(origin, []).append(conn)


def _unreachable(exc: OSError | http.client.HTTPException) -> Unreachable:
    """The failure as requests names it."""
    if isinstance(exc, TimeoutError):
        return Unreachable("ReadTimeout")
    return Unreachable("SSLError" if _is_tls(exc) else "ConnectionError")


def needs_requests(api_url: str) -> bool:
    """Whether the API must go through requests: a proxy is configured for its host (and not
    bypassed by NO_PROXY), or a netrc file has credentials for it, both of which requests
    honours and this client does not. Read as requests reads them (`getproxies`,
    `proxy_bypass`, its choice of proxy by scheme and host, NETRC else ~/.netrc, ~/_netrc)."""
    import urllib.request  # noqa: PLC0415 - the proxy settings, as requests reads them

    parts = urlsplit(api_url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    proxies = urllib.request.getproxies()
    keys = (f"{scheme}://{host}", scheme, f"all://{host}", "all")
    if any(proxies.get(k) for k in keys) and not urllib.request.proxy_bypass(host):
        return True
    return _netrc_has(host)


def _netrc_has(host: str) -> bool:
    names = [os.environ["NETRC"]] if "NETRC" in os.environ else ["~/.netrc", "~/_netrc"]
    found = next((Path(n).expanduser() for n in names if n and Path(n).expanduser().exists()), None)
    if found is None:
        return False
    import netrc  # noqa: PLC0415

    try:
        entry = netrc.netrc(found).authenticators(host)
        return bool(entry and any(entry))
    except (netrc.NetrcParseError, OSError):
        return False  # requests ignores a netrc it cannot read
