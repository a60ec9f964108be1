"""Every input is a regular file of bounded size: FIFOs, devices, sockets and directories are
one clear line, never a hang; JSON nested too deep is one line, never a RecursionError.

Fails on the code before harness/bounded_read.py: `--contract` as a FIFO or /dev/zero,
release-artifacts.json as a FIFO, a FIFO journal or baseline all hung (the subprocess
timeouts below would fire), and deep JSON ended in "internal error: RecursionError".
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drills.records import journal
from gates.recovery import baseline, perf
from gates.sources.etag_cache import EtagCache
from harness import bounded_read
from harness.errors import ConfigError
from tests.gates.conftest import run_gate

pytestmark = pytest.mark.timeout(60)
BIN = Path(sys.executable).parent
DEEP = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        yield path
    finally:
        server.close()


def _special(kind: str, tmp_path: Path, fifo: Path, unix_socket: Path) -> Path:
    return {
        "fifo": fifo,
        "dev-zero": Path("/dev/zero"),
        "dev-null": Path("/dev/null"),
        "dev-urandom": Path("/dev/urandom"),
        "directory": tmp_path,
        "socket": unix_socket,
    }[kind]


KINDS = {
    "fifo": "a FIFO (named pipe)",
    "dev-zero": "a character device",
    "dev-null": "a character device",
    "dev-urandom": "a character device",
    "directory": "a directory",
    "socket": "a socket",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_only_regular_files_are_read(kind: str, tmp_path: Path, fifo: Path, unix_socket: Path) -> None:
    path = _special(kind, tmp_path, fifo, unix_socket)
    with pytest.raises(bounded_read.Refused, match=f"^is {re.escape(KINDS[kind])}, not a regular file"):
        bounded_read.read_bytes(path, 1024)


def test_a_file_over_its_cap_is_refused_and_one_at_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1024)
    assert bounded_read.read_bytes(path, 1024) == b"x" * 1024
    with pytest.raises(bounded_read.Refused, match="larger than the 1,023 bytes"):
        bounded_read.read_bytes(path, 1023)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom", "socket"])
def test_gate_contract_refuses_a_special_file_in_one_line(
    kind: str, tmp_path: Path, fifo: Path, unix_socket: Path
) -> None:
    path = _special(kind, tmp_path, fifo, unix_socket)
    proc = run_gate("contract", "--contract", str(path))
    assert proc.returncode == 2
    assert proc.stderr == f"gate: error: {path}: is {KINDS[kind]}, not a regular file; pass a regular file\n"


def test_a_contract_over_4_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("schema_version: 1\n" + "#" * (4 << 20) + "\n")
    proc = run_gate("contract", "--contract", str(path))
    assert proc.returncode == 2
    assert "is larger than the 4 MiB this file may be" in proc.stderr


def test_release_artifacts_json_as_a_fifo_does_not_hang_the_gate(tmp_path: Path) -> None:
    from drills.standard.releases import write_release  # noqa: PLC0415

    folder = write_release(tmp_path / "v0.7.1", "v0.7.1")
    (folder / "release-artifacts.json").unlink()
    os.mkfifo(folder / "release-artifacts.json")
    proc = run_gate("check", "--release", "v0.7.1", "--source", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert "I004" in proc.stdout and "Traceback" not in proc.stderr


def test_a_baseline_fifo_is_a_config_error(fifo: Path) -> None:
    with pytest.raises(ConfigError, match="is a FIFO"):
        baseline.load(fifo)


def test_a_metrics_fifo_is_a_metrics_error(fifo: Path) -> None:
    with pytest.raises(perf.MetricsError, match="is a FIFO"):
        perf.load(fifo)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_drill_report_refuses_a_special_journal(
    kind: str, tmp_path: Path, fifo: Path, unix_socket: Path
) -> None:
    path = _special(kind, tmp_path, fifo, unix_socket)
    proc = subprocess.run(
        [str(BIN / "drill"), "report", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{path}: is {KINDS[kind]}, not a regular file" in proc.stderr


def test_drill_validate_refuses_a_fifo_scenario(fifo: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "drill"), "validate", str(fifo)], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_journal_event_nested_too_deep_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    head = json.dumps({"seq": 1, "t": 1.0, "kind": "run.started", "run_id": "r"})
    path.write_text(f"{head}\n{DEEP}\n{head}\n")
    with pytest.raises(ConfigError, match=r"line 2: not a journal event \(arrays or objects nested too deep"):
        journal.read(path)


def test_a_baseline_nested_too_deep_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(DEEP)
    with pytest.raises(ConfigError, match="nested too deep"):
        baseline.load(path)


def test_release_metadata_nested_too_deep_is_an_i004_finding(tmp_path: Path) -> None:
    from drills.standard.releases import write_release  # noqa: PLC0415

    folder = write_release(tmp_path / "v0.7.1", "v0.7.1")
    (folder / "release-artifacts.json").write_text('{"artifacts": ' + DEEP + "}")
    proc = run_gate("check", "--release", "v0.7.1", "--source", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert "nested too deep" in proc.stdout
    assert "RecursionError" not in proc.stdout + proc.stderr


def test_an_etag_cache_entry_nested_too_deep_is_a_miss(tmp_path: Path) -> None:
    cache = EtagCache.open(tmp_path, "")
    assert cache is not None
    cache.put("http://x/a", '"e"', [1], None)
    next(tmp_path.rglob("*.json")).write_text(DEEP)
    assert cache.get("http://x/a") is None
