"""Benchmark: a repeat `gate check --source github:` of a line downloads nothing and costs
about what the folder source costs (target: within 1.2x).

The line is generated (as in gate_bench.py) and served by the local fake GitHub API of the
tests (tests/gates/github_server.py: real HTTP on 127.0.0.1, a 302 to a storage host). The
first GitHub run fills a fresh GATE_CACHE_DIR; the later (warm) runs are timed against the
same line read from its folder, in alternating rounds (a change of load weighs on both).
Every run is the installed console script, as CI runs it.

Usage: python benchmarks/cache_bench.py [--size-mb 21] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
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

from drills.standard.releases import PUBLISHED, write_line  # noqa: E402
from tests.gates.github_server import OWNER_REPO, PUSH_TOKEN, State, fake_github  # noqa: E402

GATE = str(Path(sys.executable).with_name("gate"))
TAGS = ("v0.7.0", "v0.7.1", "v0.8.0")


Run = tuple[float, dict[str, object]]


def gate(source: str, env: dict[str, str], report_dir: Path) -> Run:
    args = [GATE, "check", "--release", "v0.7.x", "--source", source, "--as-of", "2026-03-08"]
    start = time.perf_counter()
    subprocess.run([*args, "--report-dir", str(report_dir)], check=True, stdout=subprocess.DEVNULL, env=env)
    took = time.perf_counter() - start
    stats: dict[str, object] = json.loads((report_dir / "report.json").read_text())["stats"]
    return took, stats


def alternating(repeat: int, runs: dict[str, Callable[[], Run]]) -> dict[str, Run]:
    """Each run `repeat` times in rounds (one of each per round): the median time of each and
    its last stats, so a change in the machine's load weighs on all of them alike."""
    results: dict[str, list[Run]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            results[name].append(run())
    return {name: (statistics.median(t for t, _ in done), done[-1][1]) for name, done in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=float, default=21.0, help="size of each placeholder binary")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    try:
        line = write_line(work / "line", TAGS, binary_size=int(args.size_mb * 1024 * 1024))
        state = State(page_size=100)
        for tag in TAGS:
            state.add_release(line / tag, tag, PUBLISHED[tag])
        with fake_github(state):
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
                "GITHUB_API_URL": state.base,
                "GITHUB_TOKEN": PUSH_TOKEN,
                "GATE_CACHE_DIR": str(work / "cache"),
            }
            github = f"github:{OWNER_REPO}"
            cold, cold_stats = gate(github, env, work / "cold")
            assets_before = len(state.api_hits(fragment="/releases/assets/"))
            gate(str(line), env, work / "folder")  # warm the page cache and imports
            timed = alternating(
                args.repeat,
                {
                    "warm": lambda: gate(github, env, work / "warm"),
                    "folder": lambda: gate(str(line), env, work / "folder"),
                },
            )
            asked_again = len(state.api_hits(fragment="/releases/assets/")) - assets_before
            (warm, warm_stats), (folder, _) = timed["warm"], timed["folder"]
        total = (
            sum(
                p.stat().st_size for p in line.rglob("*") if p.is_file() and p.parent.name.startswith("v0.7.")
            )
            / 1e6
        )
        print(f"release line v0.7.x: {total:.0f} MB in two releases, served by the local fake GitHub API")
        print(f"github, cold cache      {cold:7.3f} s   downloaded {cold_stats['downloaded_bytes']:>11,} B")
        print(
            f"github, warm cache      {warm:7.3f} s   downloaded {warm_stats['downloaded_bytes']:>11,} B, "
            f"from cache {warm_stats['cached_bytes']:,} B, asset requests {asked_again}"
        )
        print(f"folder                  {folder:7.3f} s")
        print(f"ratio warm github/folder = {warm / folder:.2f} (target <= 1.2)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
