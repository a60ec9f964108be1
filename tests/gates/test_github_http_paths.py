"""Which HTTP client carries a `gate check --source github:`: the API's GETs through http.client,
so a warm run (every answer a 304, every asset in the digest cache) never imports requests;
downloads through requests; and the whole API through requests when a proxy or a netrc entry
is configured for the API host, since only requests honours them.

The installed code in a subprocess (a fresh interpreter, so sys.modules tells what a run
imported), against the local fake GitHub and a local forward proxy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gates.sources.api_http import needs_requests
from gates.sources.github import GitHubSource, open_github
from gates.sources.github_transport import Settings, Transport
from harness.errors import ConfigError, InfraError
from tests.gates.github_server import (
    OWNER_REPO,
    PUSH_TOKEN,
    Fault,
    State,
    clients,
    env_for,
    fake_github,
    fake_proxy,
    published_line,
    self_signed,
)

# the gate's command line, then the HTTP modules it loaded, written where MODULES_OUT says
WRAPPER = """
import atexit, os, sys
def loaded():
    names = [m for m in ("requests", "urllib3") if m in sys.modules]
    with open(os.environ["MODULES_OUT"], "w") as out:
        out.write(" ".join(names))
atexit.register(loaded)
from cli.gate import gate
gate()
"""
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
API, PROXY = "https://api.github.com", "http://proxy.test:3128"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    with fake_github(published_line(tmp_path / "line")) as state:
        yield state


def no_proxies(env: dict[str, str]) -> dict[str, str]:
    """`env` without any proxy setting of the machine running the tests."""
    return {k: v for k, v in env.items() if k.lower() not in PROXY_VARS and k != "NETRC"}


def checked(
    github: State, tmp_path: Path, name: str, **extra: str
) -> tuple[int, set[str], dict[str, object]]:
    """`gate check` of the line: its exit code, the HTTP modules it imported, its stats."""
    out, modules = tmp_path / name, tmp_path / f"{name}.modules"
    env = no_proxies({k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")})
    env.update(env_for(github, tmp_path), MODULES_OUT=str(modules), **extra)
    args = ["check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", "--report-dir", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args, "--as-of", "2026-03-12"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert PUSH_TOKEN not in done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text())
    return done.returncode, set(modules.read_text().split()), report["stats"]


def test_a_warm_check_never_imports_requests(github: State, tmp_path: Path) -> None:
    code, cold, first = checked(github, tmp_path, "cold")
    assert code == 0
    assert first["downloaded_bytes"] and cold == {"requests", "urllib3"}  # downloads: requests
    assert github.storage_hits and all(h.status == 200 for h in github.storage_hits)

    code, warm, again = checked(github, tmp_path, "warm")
    assert code == 0
    assert again["downloaded_bytes"] == 0 and again["not_modified"] == again["api_calls"] > 0
    assert warm == set()  # neither requests nor urllib3 was imported
    assert clients(github) == {"stdlib"}


def test_a_proxy_carries_the_api_through_requests(github: State, tmp_path: Path) -> None:
    with fake_proxy(github) as proxy:
        code, cold, _ = checked(github, tmp_path, "cold", HTTP_PROXY=proxy)
        assert code == 0
        code, warm, again = checked(github, tmp_path, "warm", HTTP_PROXY=proxy)
    assert code == 0 and again["not_modified"] == again["api_calls"] > 0
    assert cold == warm == {"requests", "urllib3"}
    relayed = [h.path for h in github.proxied]
    assert relayed and all(p.startswith(f"{github.base}/repos/") for p in relayed)
    assert len(relayed) == len(github.hits)  # every API request, the downloads' first GET too
    assert clients(github) == {"requests"}


def test_a_proxy_bypassed_by_no_proxy_is_not_used(github: State, tmp_path: Path) -> None:
    with fake_proxy(github) as proxy:
        checked(github, tmp_path, "cold", HTTP_PROXY=proxy, NO_PROXY="127.0.0.1")
        code, warm, _ = checked(github, tmp_path, "warm", HTTP_PROXY=proxy, NO_PROXY="127.0.0.1")
    assert code == 0 and warm == set()
    assert github.proxied == [] and clients(github) == {"stdlib"}


@pytest.mark.parametrize("through", ["stdlib", "proxy"])
def test_a_rate_limit_exits_3_with_every_report_on_either_path(
    github: State, tmp_path: Path, through: str
) -> None:
    limit = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3000)}
    body = '{"message": "API rate limit exceeded"}'
    github.faults.append(Fault("/releases", 403, headers=limit, body=body))
    with fake_proxy(github) as proxy:
        extra = {"HTTP_PROXY": proxy} if through == "proxy" else {}
        code, _, _ = checked(github, tmp_path, "out", **extra)
    assert code == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["junit.xml", "report.json", "summary.md"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert "rate limit reached" in report["results"][0]["summary"]
    assert bool(github.proxied) == (through == "proxy")


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({}, API, False),
        ({"HTTPS_PROXY": PROXY}, API, True),
        ({"https_proxy": PROXY}, API, True),
        ({"HTTP_PROXY": PROXY}, API, False),  # not for https
        ({"HTTP_PROXY": PROXY}, "http://127.0.0.1:8080", True),
        ({"ALL_PROXY": "socks5://proxy.test:1080"}, API, True),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "github.com"}, API, False),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}, API, False),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "example.com"}, API, True),
    ],
)
def test_a_proxy_is_recognised_as_requests_recognises_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, expected: bool
) -> None:
    for name in list(os.environ):
        if name.lower() in PROXY_VARS or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    monkeypatch.setenv("NETRC", "/nonexistent/netrc")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert needs_requests(url) is expected
    transport = Transport(Settings(api_url=url), None)
    assert (transport.stdlib is None) is expected


@pytest.mark.parametrize(("machine", "expected"), [("127.0.0.1", True), ("example.com", False)])
def test_a_netrc_entry_for_the_api_host_sends_the_api_through_requests(
    github: State, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: str, expected: bool
) -> None:
    """requests sends a netrc entry's credentials (over a token, even): it must still do so."""
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {machine} login someone password {PUSH_TOKEN}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    for name in list(os.environ):
        if name.lower() in PROXY_VARS:
            monkeypatch.delenv(name)
    transport = Transport(Settings(api_url=github.base), None)
    assert (transport.stdlib is None) is expected
    answer = transport.send("GET", transport.url(f"/repos/{OWNER_REPO}"))
    answer.close()
    assert clients(github) == {"requests" if expected else "stdlib"}
    assert github.hits[0].headers.get("Authorization", "").startswith("Basic ") is expected


@pytest.fixture
def tls_github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[State, Path]]:
    """The fake API over HTTPS, its certificate signed by itself (its PEM file beside it)."""
    for name in list(os.environ):
        if name.lower() in PROXY_VARS or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)
    pem, context = self_signed(tmp_path / "tls")
    with fake_github(published_line(tmp_path / "line"), tls=context) as state:
        yield state, pem


def tls_source(state: State, tmp_path: Path, via: str) -> GitHubSource:
    settings = Settings(api_url=state.base, retries=0, api_http=via)  # type: ignore[arg-type]
    env = {"GITHUB_API_URL": state.base, "GATE_CACHE_DIR": str(tmp_path / "cache")}
    return open_github(OWNER_REPO, env, "v0.7.x", settings=settings)


@pytest.mark.parametrize("via", ["stdlib", "requests"])
@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_https_is_verified_against_the_named_ca_bundle(
    tls_github: tuple[State, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str, variable: str
) -> None:
    state, pem = tls_github
    monkeypatch.setenv(variable, str(pem))
    assert {r.tag for r in tls_source(state, tmp_path, via).releases()} == {"v0.7.0", "v0.7.1", "v0.8.0"}
    assert clients(state) == {via}


@pytest.mark.parametrize("via", ["stdlib", "requests"])
def test_https_without_the_ca_is_refused_as_an_ssl_error(
    tls_github: tuple[State, Path], tmp_path: Path, via: str
) -> None:
    """certifi's bundle does not hold the fake's certificate: no request is answered."""
    state, _ = tls_github
    with pytest.raises(InfraError, match=r"cannot reach the server \(SSLError\)$"):
        tls_source(state, tmp_path, via).releases()
    assert state.hits == []


def test_requests_ca_bundle_comes_before_curl_ca_bundle(
    tls_github: tuple[State, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import certifi  # noqa: PLC0415

    state, pem = tls_github
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", str(pem))
    with pytest.raises(InfraError, match=r"\(SSLError\)$"):
        tls_source(state, tmp_path, "stdlib").releases()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to name a CA folder's files")
def test_a_ca_bundle_folder_is_read_as_one(
    tls_github: tuple[State, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, pem = tls_github
    folder = tmp_path / "cas"
    folder.mkdir()
    shutil.copy(pem, folder / "fake.pem")
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(folder))
    assert len(tls_source(state, tmp_path, "stdlib").releases()) == 3


def test_a_ca_bundle_that_is_not_there_is_one_config_error(
    tls_github: tuple[State, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _ = tls_github
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "nowhere.pem"))
    with pytest.raises(
        ConfigError, match=r"^REQUESTS_CA_BUNDLE=.*nowhere.pem: no such file or folder; name a CA"
    ):
        tls_source(state, tmp_path, "stdlib").releases()


def test_headers_are_read_in_any_case_and_a_repeated_one_is_joined() -> None:
    """As urllib3 hands them to requests: a repeated `Link` is one list of links."""
    from gates.sources.api_http import Headers, next_link  # noqa: PLC0415

    pairs = [("Link", '<https://a.test/1>; rel="last"'), ("link", '<https://a.test/2>; rel="next"')]
    headers = Headers([*pairs, ("ETag", 'W/"x"')])
    assert headers["LINK"] == f"{pairs[0][1]}, {pairs[1][1]}" and headers.get("etag") == 'W/"x"'
    assert "eTaG" in headers and next_link(headers) == "https://a.test/2"
