"""HTTP probes against a local server thread (no Docker): every way a probe can fail."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from drills.playbook.probes import Sample, probe, until_healthy


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
    # shutdown() waits for the loop to look at its flag, once per poll (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
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


def test_until_healthy_returns_the_time_of_the_first_healthy_answer() -> None:
    now = [0.0]
    answers = iter([False, False, True])

    def check() -> Sample:
        return Sample(ok=next(answers), status=None, latency_ms=None, error=None, t=now[0])

    def pause() -> bool:
        now[0] += 0.5
        return False

    assert until_healthy(check, 10.0, lambda: now[0], pause) == 1.0


def test_until_healthy_stops_at_the_deadline_or_when_pause_says_so() -> None:
    now = [0.0]
    refused = Sample(ok=False, status=None, latency_ms=None, error="refused", t=0.0)

    def pause() -> bool:
        now[0] += 0.5
        return False

    assert until_healthy(lambda: refused, 2.0, lambda: now[0], pause) is None
    assert now[0] == 2.0
    assert until_healthy(lambda: refused, 99.0, lambda: 0.0, lambda: True) is None
