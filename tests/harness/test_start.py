"""The console scripts' entry points (cli/start.py): what they do around the click group."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

AT_EXIT = (
    "import atexit, gc, sys; "
    "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr)); "
    "sys.argv[0] = 'gate'; from cli.start import gate; sys.exit(gate())"
)


@pytest.mark.parametrize(("args", "code"), [(["contract"], 0), (["check"], 2)])
def test_the_gate_leaves_what_it_made_to_the_process_end_not_to_a_last_collection(
    args: list[str], code: int
) -> None:
    """Whatever click exits with (a verdict, a usage error), the objects are frozen first and
    the exit code is the command's."""
    proc = subprocess.run(
        [sys.executable, "-c", AT_EXIT, *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == code
    assert int(proc.stderr.split("frozen ")[-1]) > 10_000


CHURN = """
import resource, sys, threading, zlib
if sys.argv[1] == "kept":
    from cli.start import _keep_freed_memory
    _keep_freed_memory()
compressed = zlib.compress(bytes(range(256)) * 4096, 1)  # a megabyte, as a reader's chunk
def read_like_a_reader():
    for _ in range(40):
        inflated = zlib.decompressobj().decompress(compressed, 1 << 20)
        chunk = bytes(1 << 20)
        del inflated, chunk
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
reader = threading.Thread(target=read_like_a_reader)
reader.start()
reader.join()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the allocator's thresholds are glibc's")
def test_a_reader_thread_reuses_its_freed_megabytes_instead_of_faulting_them_in_again() -> None:
    def faults(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", CHURN, mode], capture_output=True, text=True, timeout=60, check=True
        )
        return int(done.stdout)

    default, kept = faults("default"), faults("kept")
    assert default > 10_000  # each chunk given back to the kernel and faulted in again
    assert kept < default // 10, (default, kept)
