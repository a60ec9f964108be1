"""Benchmark: `gate check` on a generated release line of >= 300 MB.

Prints, from one run on this machine (ratios, since the machine is noisy; the gate and the
plain hash are timed in alternating rounds, so a change of load weighs on both):
- gate check wall time / plain Python read + SHA-256 of the same bytes (target <= 1.3);
- gate check wall time / `sha256sum -c` plus `tar -tzf` / `unzip -l` on each archive;
- `gate --help` (and `drill --help`) start-up / `python -c pass` on the interpreter the
  console scripts run on, timed in alternating rounds too (target <= 3; and < 0.2 s).

Usage: python benchmarks/gate_bench.py [--size-mb 21] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drills.standard.releases import write_line  # noqa: E402

BIN = Path(sys.executable).parent


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    fn()  # warm the page cache and imports
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median of each, timed in rounds (one run of each per round), so a change in the
    machine's load weighs on all of them alike rather than on whichever ran during it."""
    for fn in fns.values():
        fn()  # warm the page cache and imports
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in runs.items()}


def python_hash(files: list[Path]) -> None:
    for path in files:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)


def shell_tools(line: Path) -> None:
    for release in sorted(line.glob("v0.7.*")):
        subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=release, check=True)
        for archive in sorted(release.glob("*.tar.gz")):
            subprocess.run(["tar", "-tzf", str(archive)], check=True, stdout=subprocess.DEVNULL)
        for archive in sorted(release.glob("fuse-*.zip")):
            if shutil.which("unzip"):
                subprocess.run(["unzip", "-l", str(archive)], check=True, stdout=subprocess.DEVNULL)


def quiet_run(*command: str) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def gate_check(line: Path) -> None:
    args = ("check", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-03-08")
    quiet_run(str(BIN / "gate"), *args)


def gate_in_process(line: Path) -> None:
    """The same check without interpreter start-up and imports."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from gates import contract, runner  # noqa: PLC0415
    from gates.sources.folder import FolderSource  # noqa: PLC0415

    now = datetime(2026, 3, 8, tzinfo=UTC)
    runner.check(FolderSource(line), "v0.7.x", contract.load(None), lambda: now)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=float, default=21.0, help="size of each placeholder binary")
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (the median is shown)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="gate-bench-"))
    try:
        line = work / "line"
        if not line.exists():
            write_line(line, binary_size=int(args.size_mb * 1024 * 1024))
        # the bytes the gate reads for v0.7.x: both v0.7 releases, every file
        files = sorted(p for p in line.rglob("*") if p.is_file() and p.parent.name.startswith("v0.7."))
        total = sum(p.stat().st_size for p in files) / 1e6
        medians = interleaved(
            {
                "gate": lambda: gate_check(line),
                "inproc": lambda: gate_in_process(line),
                "plain": lambda: python_hash(files),
            },
            args.repeat,
        )
        gate, inproc, plain = medians["gate"], medians["inproc"], medians["plain"]
        shell = timed(lambda: shell_tools(line), args.repeat)
        starts = interleaved(
            {
                "python": lambda: quiet_run(str(BIN / "python"), "-c", "pass"),
                "gate": lambda: quiet_run(str(BIN / "gate"), "--help"),
                "drill": lambda: quiet_run(str(BIN / "drill"), "--help"),
            },
            repeat=max(10, 2 * args.repeat),  # each round is short: more of them steady the median
        )
        print(f"release line v0.7.x: {len(files)} files, {total:.0f} MB")
        print(f"gate check v0.7.x            {gate:7.3f} s")
        print(f"  same, in process           {inproc:7.3f} s")
        print(
            f"python read + sha256         {plain:7.3f} s   ratio gate/python = {gate / plain:.2f} "
            f"(in process {inproc / plain:.2f}; target <= 1.3)"
        )
        print(
            f"sha256sum -c + tar -t/unzip  {shell:7.3f} s   ratio gate/shell  = {gate / shell:.2f} "
            "(target well under 1)"
        )
        bare = starts["python"]
        print(f"python -c pass               {bare:7.3f} s")
        for cmd in ("gate", "drill"):
            seconds = starts[cmd]
            print(
                f"{cmd + ' --help':<28} {seconds:7.3f} s   ratio {cmd}/python = {seconds / bare:.1f} "
                "(target <= 3; and < 0.2 s)"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
