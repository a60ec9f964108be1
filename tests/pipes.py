"""Running a console script with stdout a pipe whose reader is already gone
(`gate check ... | head -1`, `drill report ... | head -1`)."""

from __future__ import annotations

import os
import subprocess


def into_closed_pipe(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `argv` with stdout a pipe nobody reads any more; (exit code, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout fails with EPIPE, the first one included
    try:
        done = subprocess.run(
            argv,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env=env or {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
            check=False,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr
