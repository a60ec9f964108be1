"""HTTP probes against a local server thread (no Docker): every way a probe can fail."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from drills.probes import Sample, load, probe


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.0)
        status = 500 if self.path == "/fail" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_2xx_answer_is_ok_with_a_latency(port: int) -> None:
    s = probe(port, "/health", 2.0)
    assert (s.ok, s.status, s.error) == (True, 200, None)
    assert s.latency_ms is not None and s.latency_ms >= 0


def test_a_500_is_not_ok(port: int) -> None:
    s = probe(port, "/fail", 2.0)
    assert (s.ok, s.status, s.error) == (False, 500, "HTTP 500")


def test_a_slow_answer_is_a_read_timeout(port: int) -> None:
    s = probe(port, "/slow", 0.2)
    assert (s.ok, s.status, s.error) == (False, None, "read timeout")


def test_a_closed_port_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    s = probe(free, "/health", 1.0)
    assert (s.ok, s.error) == (False, "connection refused")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _answer(port: int, path: str, timeout_s: float) -> Sample:
    return Sample(ok=True, status=200, latency_ms=1.0, error=None, t=0.0)


def test_load_stops_at_its_request_count() -> None:
    clock = _Clock()
    samples = load(1, "/", requests_max=5, duration_s=100, interval_s=0.1, timeout_s=1,
                   send=_answer, sleep=clock.sleep, clock=clock)
    assert len(samples) == 5


def test_load_stops_at_its_duration() -> None:
    clock = _Clock()
    samples = load(1, "/", requests_max=1000, duration_s=1.0, interval_s=0.25, timeout_s=1,
                   send=_answer, sleep=clock.sleep, clock=clock)
    assert len(samples) == 4 and clock.now == pytest.approx(1.0)
