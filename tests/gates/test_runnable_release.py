"""The runnable fixture line (the stand-in toolchain inside real bundles) passes the gate, and
its AOT_BUILD_INFO.txt is what the packaged binary itself prints."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

from drills.standard.releases import write_line
from drills.standard.toolchain import build_toolchain
from tests.gates.conftest import run_gate


def test_runnable_line_passes_and_build_info_comes_from_the_binary(tmp_path: Path) -> None:
    line = write_line(tmp_path / "line", runnable=True)
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-03-08")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    unpacked = tmp_path / "aot"
    with tarfile.open(line / "v0.7.1" / "fuse-aot-linux-x64.tar.gz") as archive:
        archive.extractall(unpacked, filter="data")
    (unpacked / "libfuse_rt.so").write_bytes(build_toolchain("0.7.1").runtime_lib.read_bytes())
    printed = subprocess.run(
        [str(unpacked / "fuse-aot-demo")],
        capture_output=True,
        text=True,
        env={**os.environ, "FUSE_AOT_BUILD_INFO": "1"},
        timeout=10,
        check=True,
    )
    assert printed.stdout == (unpacked / "AOT_BUILD_INFO.txt").read_text()
    assert " cli=0.7.1 " in printed.stdout
