"""Benchmark: a drill's preflight (building every image of a scenario) on a base image with
the app's data layer, against the `FROM scratch` preflight of the standard suite.

- scratch: the fixture release's six images, each imported in one engine call;
- base + data: the stand-in's reference-service shape (the `notes` suite) on a local base
  image, with a data folder and its setup (`fuse migrate`, run once in the fallback image)
  in every image: the classic builder, sent a context holding only the binary, its own
  libraries, the package and the data.

The base image is made here (the host's glibc loader and libraries, imported: drills never
pull) and removed at the end with everything else the benchmark labelled. Target: base +
data within 3x of scratch.

Usage: python benchmarks/preflight_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drills.engine import seam  # noqa: E402
from drills.engine.closure import closure  # noqa: E402
from drills.engine.labels import RUN_ID  # noqa: E402
from drills.engine.labels import labels as resource_labels  # noqa: E402
from drills.engine.reap import cleanup_run  # noqa: E402
from drills.run import wiring  # noqa: E402
from drills.scenario import app as app_section  # noqa: E402
from drills.scenario.model import SUITES, load  # noqa: E402
from drills.scenario.notes_suite import suite_dir  # noqa: E402
from drills.standard.toolchain import build_toolchain  # noqa: E402

TARGET = 3.0


def base_rootfs() -> bytes:
    """The host's glibc (loader, libc, libm) as a root filesystem: enough for the stand-in."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for lib in closure(build_toolchain("0.7.1").fuse):
            tar.add(str(lib.host_path.resolve()), arcname=lib.host_path.as_posix().lstrip("/"))
        info = tarfile.TarInfo("etc/os-release")
        data = b'NAME="fuse-harness bench base"\n'
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def timed(build: wiring.ImageBuilder, scenario: object, labels: dict[str, str]) -> float:
    start = time.perf_counter()
    build(scenario, labels)  # type: ignore[arg-type]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = seam.connect()
    bench = f"bench-{uuid.uuid4().hex[:8]}"
    base = f"fuse-harness/bench-base:{bench}"
    removed: list[str] = []
    try:
        engine.import_image(base_rootfs(), base, (), {RUN_ID: bench})
        with tempfile.TemporaryDirectory(prefix="fuse-harness-bench-") as tmp:
            seed = Path(tmp) / "seed"
            seed.mkdir()
            (seed / "seed.txt").write_text("seed files for every deployment\n")
            standard = load(SUITES["standard"] / "crash.yaml")
            notes = load(suite_dir() / "crash.yaml")
            assert notes.app is not None
            with_data = replace(
                notes, base_image=base, app=replace(notes.app, data=app_section.DataFolder(path=seed))
            )
            scratch_s, based_s = [], []
            for n in range(args.rounds):
                # a fresh run id (the tags' namespace) each round: nothing is reused
                labels = resource_labels(f"{bench}-{n}", "bench", "image", time.time(), 3600)
                build = wiring.image_builder(engine, Path(tmp) / "work")
                scratch_s.append(timed(build, standard, labels))
                based_s.append(timed(build, with_data, labels))
                removed += cleanup_run(engine, f"{bench}-{n}")
    finally:
        for n in range(args.rounds):
            removed += cleanup_run(engine, f"{bench}-{n}")
        engine.remove_image(base)
    scratch, based = statistics.median(scratch_s), statistics.median(based_s)
    ratio = based / scratch
    print(
        f"preflight, scratch (standard crash: 6 images)          {scratch:6.2f} s (median of {args.rounds})"
    )
    print(f"preflight, base image + data + setup (notes crash)     {based:6.2f} s")
    print(f"ratio base+data / scratch = {ratio:.2f} (target <= {TARGET:g}); removed {len(removed)} resources")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
