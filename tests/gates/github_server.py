"""A small GitHub REST API on 127.0.0.1, serving fixture releases to the real client.

It speaks the subset the GitHub source uses, with GitHub's JSON shapes and headers:
`Link` pagination (small pages), ETags and 304 (which cost no budget), rate-limit headers,
drafts listed only for a token with push access, `/releases/tags/{tag}` for published
releases only, downloads answered with a 302 to a second server (the "storage host")
that rejects any request carrying `Authorization`, and DELETE (422 on immutable releases).
Faults (502s, rate limits, answers that are not JSON) are queued per path fragment, or per
exact path. Misbehaviours a hostile or broken server shows: `hang_up` (a kept-alive
connection closed after one answer, unannounced), `link_loop` ("self": `next`
names the page itself; "cycle": the last page's `next` names the first), `delay_s` (every
API answer waits), `download` ("endless": a body without Content-Length that never ends;
"short": a Content-Length larger than the body; "long": more bytes than the asset has)
and `echo_auth` (asset names carry the request's Authorization header).

`fake_proxy` is a forward HTTP proxy to those two servers (what HTTP_PROXY names), recording
what it relayed; `clients` tells which of the gate's two HTTP clients sent the API's GETs.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

OWNER_REPO = "owner/repo"
PUSH_TOKEN = "ghp_pushTOKEN0123456789abcdefSECRET"
READ_TOKEN = "ghs_readTOKEN0123456789abcdefSECRET"


@dataclass
class Asset:
    id: int
    name: str
    path: Path
    state: str = "uploaded"
    digest: str | None = None


@dataclass
class Release:
    id: int
    tag: str
    published_at: str | None
    draft: bool = False
    prerelease: bool = False
    immutable: bool = False
    assets: list[Asset] = field(default_factory=list)


@dataclass
class Fault:
    fragment: str  # applies to requests whose path contains this
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    exact: bool = False  # only to requests whose path (without the query) is `fragment`

    def applies(self, path: str) -> bool:
        return path.partition("?")[0] == self.fragment if self.exact else self.fragment in path


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    port: int = 0  # the client's port: one per connection it opened


class State:
    """What the fake GitHub holds, and what it was asked."""

    def __init__(self, page_size: int = 2, budget: int = 5000) -> None:
        self.releases: list[Release] = []
        self.page_size = page_size
        self.budget, self.limit = budget, budget
        self.reset = int(time.time()) + 3600  # one rate-limit window for the whole test
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self.storage_hits: list[Hit] = []
        self.proxied: list[Hit] = []  # what fake_proxy relayed
        self.base = self.storage = ""
        self.direct_downloads = False  # answer 200 instead of 302
        self.foreign_links = False  # `Link: next` points at the storage host (another host)
        self.foreign_asset_urls = False  # asset JSON `url` fields point at the storage host
        self.echo_auth = False  # asset names carry the request's Authorization header
        self.link_loop = ""  # "self" or "cycle"
        self.delay_s = 0.0
        self.hang_up = False  # close each connection after its answer, without saying so
        self.download = ""  # "endless", "short" or "long"
        self.endless_sent = 0  # bytes an endless download sent before the client left
        self.auth = ""  # the Authorization header of the request being answered
        self.lock = threading.Lock()
        self._ids = 100

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_release(self, folder: Path, tag: str, published_at: str | None, **flags: Any) -> Release:
        release = Release(id=self.next_id(), tag=tag, published_at=published_at, **flags)
        for path in sorted(folder.iterdir()):
            digest = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
            release.assets.append(Asset(id=self.next_id(), name=path.name, path=path, digest=digest))
        self.releases.append(release)
        return release

    def asset(self, asset_id: int) -> tuple[Release, Asset] | None:
        return next(((r, a) for r in self.releases for a in r.assets if a.id == asset_id), None)

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.applies(path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def api_hits(self, method: str = "GET", fragment: str = "") -> list[Hit]:
        return [h for h in self.hits if h.method == method and fragment in h.path]


def clients(state: State) -> set[str]:
    """Which client sent the API's JSON GETs: the gate's http.client one asks for `identity`
    (no compression), requests for gzip."""
    gets = [h for h in state.api_hits() if h.headers.get("Accept") != "application/octet-stream"]
    return {"stdlib" if h.headers.get("Accept-Encoding") == "identity" else "requests" for h in gets}


def release_json(state: State, r: Release) -> dict[str, Any]:
    api = f"{state.base}/repos/{OWNER_REPO}/releases/{r.id}"
    return {
        "url": api,
        "assets_url": f"{api}/assets",
        "id": r.id,
        "tag_name": r.tag,
        "html_url": f"https://github.example/{OWNER_REPO}/releases/tag/{r.tag}",
        "upload_url": f"{state.base}/uploads/{r.id}/assets{{?name,label}}",
        "name": f"FUSE {r.tag}",
        "draft": r.draft,
        "prerelease": r.prerelease,
        "immutable": r.immutable,
        "created_at": r.published_at,
        "published_at": r.published_at,
        "target_commitish": "main",
        "author": {"login": "fuse-bot", "id": 1},
        "assets": [asset_json(state, a) for a in r.assets],
    }


def asset_json(state: State, a: Asset) -> dict[str, Any]:
    host = state.storage if state.foreign_asset_urls else state.base
    return {
        "url": f"{host}/repos/{OWNER_REPO}/releases/assets/{a.id}",
        "id": a.id,
        "name": f"{a.name} [{state.auth}]" if state.echo_auth else a.name,
        "label": "",
        "state": a.state,
        "content_type": "application/octet-stream",
        "size": a.path.stat().st_size,
        "digest": a.digest,
        "download_count": 0,
        "browser_download_url": f"https://github.example/{OWNER_REPO}/releases/download/{a.name}",
        "uploader": {"login": "fuse-bot", "id": 1},
    }


class ApiHandler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `state.hits` instead."""

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ").strip() or None

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.state.hits.append(
            Hit(self.command, self.path, dict(self.headers), status, self.client_address[1])
        )
        self.close_connection = self.close_connection or self.state.hang_up
        self.send_response(status)
        counted = status != 304
        with self.state.lock:
            if counted:
                self.state.budget = max(0, self.state.budget - 1)
            remaining = self.state.budget
        base = {
            "x-ratelimit-limit": str(self.state.limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(self.state.limit - remaining),
            "x-ratelimit-reset": str(self.state.reset),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": "2022-11-28",
            "Content-Length": str(len(body)),
        }
        for name, value in {**base, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, data: Any, extra: dict[str, str] | None = None) -> None:
        body = json.dumps(data, indent=1).encode()
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, headers={"ETag": etag, **(extra or {})})
            return
        self._send(
            200, body, {"Content-Type": "application/json; charset=utf-8", "ETag": etag, **(extra or {})}
        )

    def _error(self, status: int, message: str) -> None:
        body = json.dumps({"message": message, "documentation_url": "https://docs.github.com/rest"}).encode()
        self._send(status, body, {"Content-Type": "application/json; charset=utf-8"})

    def _page(self, items: list[Any]) -> None:
        query = parse_qs(urlsplit(self.path).query)
        per_page = min(int(query.get("per_page", ["30"])[0]), self.state.page_size)
        page = int(query.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per_page))
        path = urlsplit(self.path).path
        host = self.state.storage if self.state.foreign_links else self.state.base
        following = {"self": page, "cycle": 1 if page == last else page + 1}.get(
            self.state.link_loop, page + 1
        )
        links = [
            f'<{host}{path}?per_page={per_page}&page={n}>; rel="{rel}"'
            for n, rel in ((following, "next"), (last, "last"))
            if n <= last and (n != page or self.state.link_loop == "self")
        ]
        extra = {"Link": ", ".join(links)} if links else {}
        self._json(items[(page - 1) * per_page : page * per_page], extra)

    def _fault(self) -> bool:
        fault = self.state.take_fault(self.path)
        if fault is None:
            return False
        self._send(fault.status, fault.body.encode(), fault.headers)
        return True

    def _push(self) -> bool:
        return self._token() == PUSH_TOKEN

    def _authorized(self) -> bool:
        if self._token() in (None, PUSH_TOKEN, READ_TOKEN):
            return True
        self._error(401, "Bad credentials")
        return False

    def do_GET(self) -> None:
        self.state.auth = self.headers.get("Authorization", "")
        if self.state.delay_s:
            time.sleep(self.state.delay_s)
        if not self._authorized() or self._fault():
            return
        path = urlsplit(self.path).path
        prefix = f"/repos/{OWNER_REPO}"
        visible = [r for r in self.state.releases if not r.draft or self._push()]
        if path == prefix:
            extra = {"permissions": {"push": self._push(), "pull": True}} if self._token() else {}
            self._json({"full_name": OWNER_REPO, "private": False, **extra})
        elif path == f"{prefix}/releases":
            self._page([release_json(self.state, r) for r in reversed(visible)])
        elif match := re.fullmatch(rf"{prefix}/releases/tags/(.+)", path):
            found = [r for r in self.state.releases if r.tag == match[1] and not r.draft]
            if found:
                self._json(release_json(self.state, found[0]))
            else:
                self._error(404, "Not Found")
        elif match := re.fullmatch(rf"{prefix}/releases/(\d+)/assets", path):
            release = next((r for r in visible if r.id == int(match[1])), None)
            if release is None:
                self._error(404, "Not Found")
            else:
                self._page([asset_json(self.state, a) for a in release.assets])
        elif match := re.fullmatch(rf"{prefix}/releases/assets/(\d+)", path):
            self._asset(int(match[1]))
        else:
            self._error(404, "Not Found")

    def _asset(self, asset_id: int) -> None:
        found = self.state.asset(asset_id)
        if found is None:
            self._error(404, "Not Found")
            return
        _release, asset = found
        if self.headers.get("Accept") != "application/octet-stream":
            self._json(asset_json(self.state, asset))
        elif self.state.direct_downloads:
            self._send(200, asset.path.read_bytes(), {"Content-Type": "application/octet-stream"})
        else:
            where = f"{self.state.storage}/release-assets/{asset.id}?X-Amz-Signature=abc123"
            self._send(302, headers={"Location": where})

    def do_DELETE(self) -> None:
        if not self._authorized() or self._fault():
            return
        match = re.fullmatch(rf"/repos/{OWNER_REPO}/releases/assets/(\d+)", self.path)
        found = self.state.asset(int(match[1])) if match else None
        if found is None:
            self._error(404, "Not Found")
        elif not self._push():
            self._error(403, "Resource not accessible by integration")
        elif found[0].immutable:
            self._error(422, "Cannot delete asset from an immutable release")
        else:
            found[0].assets.remove(found[1])
            self._send(204)


class StorageHandler(BaseHTTPRequestHandler):
    """The signed-URL storage host: it rejects a second auth mechanism, like S3."""

    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        hit = Hit("GET", self.path, dict(self.headers), 200)
        self.state.storage_hits.append(hit)
        match = re.fullmatch(r"/release-assets/(\d+)\?X-Amz-Signature=abc123", self.path)
        found = self.state.asset(int(match[1])) if match else None
        if "Authorization" in self.headers:
            hit.status, body = (
                400,
                b"<Error><Code>InvalidArgument</Code><Message>Only one auth "
                b"mechanism allowed</Message></Error>",
            )
        elif found is None:
            hit.status, body = 404, b"<Error><Code>NoSuchKey</Code></Error>"
        else:
            body = found[1].path.read_bytes()
            if self.state.download:
                self._misbehave(body)
                return
        self.send_response(hit.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _misbehave(self, body: bytes) -> None:
        self.send_response(200)
        if self.state.download == "endless":
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while True:  # until the client hangs up
                    self.wfile.write(b"\0" * 65536)
                    self.state.endless_sent += 65536
            except OSError:
                return
        extra = b"x" * 1000 if self.state.download == "long" else b""
        length = len(body) + (1000 if self.state.download == "short" else len(extra))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body + extra)
        self.close_connection = True


class ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy to 127.0.0.1 only: each request (an absolute URL) is relayed on a new
    connection and its answer read whole (the tests' releases are small)."""

    state: State
    protocol_version = "HTTP/1.1"
    HOP = ("connection", "proxy-connection", "keep-alive", "transfer-encoding", "content-length")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _relay(self) -> None:
        self.state.proxied.append(Hit(self.command, self.path, dict(self.headers), 0))
        target = urlsplit(self.path)
        if target.hostname != "127.0.0.1":
            self.send_error(403, "this proxy reaches 127.0.0.1 only")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in self.HOP}
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
        try:
            conn.request(self.command, urlunsplit(("", "", target.path, target.query, "")), headers=headers)
            answer = conn.getresponse()
            body = answer.read()
        except OSError:
            self.send_error(502, "the proxy cannot reach the server")
            return
        finally:
            conn.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in self.HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_DELETE = _relay


@contextmanager
def fake_proxy(state: State) -> Iterator[str]:
    """A forward proxy (its URL, for HTTP_PROXY) that records in `state.proxied`."""
    with _serve(ProxyHandler, state) as url:
        yield url


@contextmanager
def _serve(
    handler: type[BaseHTTPRequestHandler], state: State, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    bound = type(handler.__name__, (handler,), {"state": state})
    server = _QuietServer(("127.0.0.1", 0), bound)
    if tls is not None:  # the handshake in the handler's thread, not the accepting one
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.daemon_threads = True
    # shutdown() waits for the loop to look at its flag, once per poll: at the default 0.5 s,
    # two servers cost a test up to a second of teardown.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a download stopped at its declared size, a timeout) is part of
    the tests: no traceback on the test run's stderr for it."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):  # a refused certificate
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def fake_github(state: State, tls: ssl.SSLContext | None = None) -> Iterator[State]:
    """Run the API and the storage host (the API over HTTPS with a `tls` context); both are
    shut down on exit."""
    with _serve(ApiHandler, state, tls) as base, _serve(StorageHandler, state) as storage:
        state.base, state.storage = base, storage
        yield state


def self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 that signs itself (its PEM file, for a CA bundle) and the
    server's TLS context that presents it."""
    import datetime  # noqa: PLC0415
    import ipaddress  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake GitHub API")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    pem, key_pem = folder / "cert.pem", folder / "key.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem, key_pem)
    return pem, context


def env_for(state: State, tmp_path: Path) -> dict[str, str]:
    """What a client of the fake needs: its API URL, a token with push access, a cache in tmp_path."""
    return {
        "GITHUB_API_URL": state.base,
        "GITHUB_TOKEN": PUSH_TOKEN,
        "GATE_CACHE_DIR": str(tmp_path / "cache"),
    }


LINE = ("v0.7.0", "v0.7.1", "v0.8.0")


def published_line(root: Path, tags: tuple[str, ...] = LINE) -> State:
    """A State serving the fixture line (written under `root`), in pages of two."""
    from drills.standard.releases import PUBLISHED, write_line  # noqa: PLC0415

    state = State(page_size=2)
    write_line(root, tags)
    for tag in tags:
        state.add_release(root / tag, tag, PUBLISHED[tag])
    return state
