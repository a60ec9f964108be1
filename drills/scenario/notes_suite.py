"""The `notes` drill suite: `drill init` run on the stand-in's reference-service shape.

The candidate and previous AOT are the shape's runners of the fixture line's v0.7.1 and
v0.7.0 toolchains (glibc-only closures), the fallback is the fixture v0.7.1 release's CLI
bundle, the package is `drills/standard/standin/notes` (its `.env`, a database `fuse migrate`
creates). Written once per toolchain build under the fixture cache, like the toolchain.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from drills.standard.toolchain import build_toolchain, default_cache_dir, notes_package

CANDIDATE, PREVIOUS = "0.7.1", "0.7.0"


def suite_dir(cache_dir: Path | None = None) -> Path:
    """The suite folder (written on first use; the release and binaries beside it)."""
    from drills.scenario.init import InitOptions, write_suite  # noqa: PLC0415
    from drills.standard.releases import write_release  # noqa: PLC0415

    candidate, previous = build_toolchain(CANDIDATE), build_toolchain(PREVIOUS)
    root = (cache_dir or default_cache_dir()).resolve()
    entry = root / f"notes-suite-{candidate.notes_aot.parent.name}-{previous.notes_aot.parent.name}"
    if entry.is_dir():
        return entry / "suite"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-notes-suite-", dir=root))
    try:
        write_release(tmp / "release", f"v{CANDIDATE}", runnable=True)
        write_suite(
            InitOptions(
                app=notes_package(),
                release=tmp / "release",
                out=tmp / "suite",
                aot=candidate.notes_aot,
                previous_aot=previous.notes_aot,
            )
        )
        tmp.rename(entry)
    except OSError:
        if not entry.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return entry / "suite"
