"""HTTP probes of a deployment, on 127.0.0.1 only, with explicit (connect, read) timeouts.

`probe` is one request and never raises: a refused connection, a timeout or a bad status
are all a `Sample` with `ok=False` and the reason. `until_healthy` is the readiness loop
every wait for a deployment uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

HOST = "127.0.0.1"
CONNECT_TIMEOUT_S = 1.0
BODY_CHARS = 300


@dataclass(frozen=True, kw_only=True)
class Sample:
    ok: bool
    status: int | None
    latency_ms: float | None
    error: str | None
    t: float  # wall clock (time.time()) when the request started
    body: str = ""  # the start of an unhealthy answer's body (what a 500 says is wrong)


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, requests.ReadTimeout):
        return "read timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused" if "refused" in str(exc).lower() else "connection error"
    return type(exc).__name__


def probe(host_port: int, path: str, timeout_s: float) -> Sample:
    """GET http://127.0.0.1:<host_port><path>; ok means HTTP 2xx within `timeout_s`."""
    started, t0 = time.time(), time.perf_counter()
    try:
        response = requests.get(
            f"http://{HOST}:{host_port}{path}",
            allow_redirects=False,
            timeout=(min(CONNECT_TIMEOUT_S, timeout_s), timeout_s),
        )
    except requests.RequestException as exc:
        return Sample(ok=False, status=None, latency_ms=None, error=_reason(exc), t=started)
    latency = (time.perf_counter() - t0) * 1000
    ok = 200 <= response.status_code < 300
    return Sample(
        ok=ok,
        status=response.status_code,
        latency_ms=round(latency, 3),
        error=None if ok else f"HTTP {response.status_code}",
        t=started,
        body="" if ok else response.text[:BODY_CHARS],
    )


Probe = Callable[[int, str, float], Sample]


def until_healthy(
    check: Callable[[], Sample], until: float, clock: Callable[[], float], pause: Callable[[], bool]
) -> float | None:
    """The one readiness loop: probe with `check` until an answer is healthy (the clock
    time of it); None once `until` passes, or when `pause` (the wait between probes)
    returns True, e.g. because the container exited meanwhile."""
    while clock() < until:
        if check().ok:
            return clock()
        if pause():
            return None
    return None
