"""The whole gate on hostile bundles, as CI runs it: one finding, exit 1, no traceback, and
a signal ends even CPU-bound parsing within a second."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gates.conftest import GATE, run_gate
from tests.gates.hostile import bytes_builder as b
from tests.gates.hostile.bytes_builder import ZipEntry
from tests.gates.hostile.conftest import report_checks

CASES = [
    (
        "negative-size",
        "fuse-aot-linux-x64.tar.gz",
        b.tar_gz(b.aot_members(), b.header("PaxHeader", b"x", size_field=b.base256(-512))),
        "C008",
    ),
    (
        "dot-chain-escape",
        "fuse-cli-linux-x64.tar.gz",
        b.tar_gz(
            b.file("fuse", b"x", 0o755),
            b.file("fuse-lsp", b"x", 0o755),
            b.link("x", "."),
            b.link("y", "x/.."),
            b.file("y/escape.txt", b"pwn"),
        ),
        "C007",
    ),
    (
        "global-path",
        "fuse-cli-macos-arm64.tar.gz",
        b.tar_gz(
            b.file("fuse", b"x", 0o755),
            b.file("fuse-lsp", b"x", 0o755),
            b.pax({"path": "../../x"}, b"g"),
            b.file("LICENSE", b"x"),
        ),
        "C007",
    ),
    (
        "zip-local-name",
        "fuse-aot-windows-x64.zip",
        b.zip_bytes([*b.aot_zip_entries(), ZipEntry("LICENSE2", b"x", local_name="../evil")]),
        "C007",
    ),
    (
        "zip-crc",
        "fuse-aot-windows-x64.zip",
        b.zip_bytes([*b.aot_zip_entries(), ZipEntry("LICENSE2", b"x", crc=7)]),
        "C008",
    ),
    ("fifo", "fuse-aot-linux-x64.tar.gz", b.tar_gz(b.aot_members(), b.header("p", b"6")), "C007"),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "blob", "check"), [pytest.param(n, x, c, id=i) for i, n, x, c in CASES])
def test_gate_check_fails_with_one_finding_and_no_traceback(
    release_with: Callable[..., Path], tmp_path: Path, name: str, blob: bytes, check: str
) -> None:
    folder = release_with({name: blob})
    reports = tmp_path / "reports"
    done = run_gate("check", "--release", "v0.7.0", "--source", str(folder), "--report-dir", str(reports))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert report_checks(reports) == {check}


def _slow_tar_gz(gib: int) -> bytes:
    """A valid-looking .tar.gz whose one member inflates to `gib` GiB of zeros (about 1 MB per GiB)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflater.compress(b.header("fuse-aot-demo", size=gib << 30, mode=0o755)) + deflater.flush(
        zlib.Z_FULL_FLUSH
    )
    zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = zeros.compress(bytes(16 << 20)) + zeros.flush(zlib.Z_FULL_FLUSH)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + first + segment * (gib * 64)


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_cpu_bound_parsing_within_a_second(
    release_with: Callable[..., Path], tmp_path: Path, sig: signal.Signals
) -> None:
    folder = release_with({"fuse-aot-linux-x64.tar.gz": _slow_tar_gz(30)})
    rules = tmp_path / "contract.yaml"
    big = 1 << 40
    rules.write_text(
        "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\narchive_limits: "
        f"{{max_members: 1000, max_unpacked_bytes: {big}, max_member_bytes: {big}}}\n"
    )
    reports = tmp_path / "reports"
    args = ["check", "--release", "v0.7.0", "--source", str(folder), "--contract", str(rules)]
    proc = subprocess.Popen(
        [GATE, *args, "--report-dir", str(reports)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(2.0)  # well inside the 30 GiB inflate
    assert proc.poll() is None, "the run ended before the signal: make the member bigger"
    proc.send_signal(sig)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=20)
    waited = time.monotonic() - sent
    assert proc.returncode == 130, out + err
    assert waited < 1.0 + 0.5, f"took {waited:.2f} s to stop"  # a second, and slack for a busy machine
    assert json.loads((reports / "report.json").read_text())["interrupted"] is True
    assert "Traceback" not in err
