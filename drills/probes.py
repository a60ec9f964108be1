"""HTTP probes of a deployment, on 127.0.0.1 only, with explicit (connect, read) timeouts.

`probe` is one request and never raises: a refused connection, a timeout or a bad status
are all a `Sample` with `ok=False` and the reason. `load` is the light request load of a
drill, bounded in both request count and time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

HOST = "127.0.0.1"
CONNECT_TIMEOUT_S = 1.0


@dataclass(frozen=True, kw_only=True)
class Sample:
    ok: bool
    status: int | None
    latency_ms: float | None
    error: str | None
    t: float  # wall clock (time.time()) when the request started


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
            f"http://{HOST}:{host_port}{path}", allow_redirects=False,
            timeout=(min(CONNECT_TIMEOUT_S, timeout_s), timeout_s))
    except requests.RequestException as exc:
        return Sample(ok=False, status=None, latency_ms=None, error=_reason(exc), t=started)
    latency = (time.perf_counter() - t0) * 1000
    ok = 200 <= response.status_code < 300
    return Sample(ok=ok, status=response.status_code, latency_ms=round(latency, 3),
                  error=None if ok else f"HTTP {response.status_code}", t=started)


Probe = Callable[[int, str, float], Sample]


def load(
    host_port: int, path: str, *, requests_max: int, duration_s: float, interval_s: float,
    timeout_s: float, send: Probe = probe, sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Sample]:
    """A light load: one request every `interval_s`, stopping at `requests_max` or `duration_s`."""
    samples: list[Sample] = []
    end = clock() + duration_s
    while len(samples) < requests_max and clock() < end:
        samples.append(send(host_port, path, min(timeout_s, max(end - clock(), 0.05))))
        sleep(min(interval_s, max(end - clock(), 0.0)))
    return samples
