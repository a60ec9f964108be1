"""Build the stand-in FUSE toolchain from ``drills/standard/standin/src`` with the system C compiler.

Builds are cached by (sources, version, compiler) under ``<checkout>/.fixture-cache/`` in a
source checkout, ``$XDG_CACHE_HOME/fuse-harness/`` (``~/.cache``) when installed from the wheel, or
``$FUSE_FIXTURE_CACHE``, and published atomically, so parallel test workers never see a
half-built toolchain. ``python -m drills.standard.toolchain --version 0.7.1`` prints shell
assignments (``FUSE_BIN=...``) for the stand-in scripts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VERSION = "0.7.1"
RUSTC = "rustc 1.85.0 (4d91de4e4 2025-02-17)"

_STANDIN = Path(__file__).resolve().parent / "standin"
_SRC = _STANDIN / "src"
_CHECKOUT = Path(__file__).resolve().parents[2]  # the source checkout, when run from one
_CFLAGS = ("-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-format-truncation")
_VERSION_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+")
_BUILD_TIMEOUT = 120.0


class ToolchainBuildError(RuntimeError):
    """The stand-in toolchain could not be compiled."""


@dataclass(frozen=True)
class Toolchain:
    version: str
    aot_binary: Path
    runtime_lib: Path
    fuse: Path
    fuse_lsp: Path
    build_info: str
    notes_aot: Path  # the reference-service shape's AOT: runtime built in, glibc-only closure


def app_package() -> Path:
    """The demo app package (fuse.toml, src/main.fuse, config.toml, .env)."""
    return _STANDIN / "app"


def notes_package() -> Path:
    """The reference-service-shaped package: a database `fuse migrate` must create, health
    at /api/public/notes, `.env` read by the CLI only (fuse.toml, .env, src/main.fuse, src/db.fuse)."""
    return _STANDIN / "notes"


def scripts_dir() -> Path:
    """The stand-in recovery scripts (aot_perf_bench.sh, check_aot_perf_slo.sh, ...)."""
    return _STANDIN / "scripts"


def demo_fixture() -> Path:
    """The run-to-completion program the perf bench measures (project_demo.fuse)."""
    return _STANDIN / "examples" / "project_demo.fuse"


def compiler() -> str:
    return os.environ.get("CC", "cc")


def compiler_available() -> bool:
    return shutil.which(compiler()) is not None


def target_triple() -> str:
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower())
    return f"{arch or platform.machine()}-unknown-linux-gnu"


def build_info_line(version: str, profile: str = "release") -> str:
    """The exact line ``FUSE_AOT_BUILD_INFO=1`` prints (contract section 3.2)."""
    return (
        f"mode=aot profile={profile} target={target_triple()} rustc={RUSTC} "
        f"cli={version} runtime_cache=1 contract=aot-v1"
    )


def default_cache_dir() -> Path:
    override = os.environ.get("FUSE_FIXTURE_CACHE")
    if override:
        return Path(override)
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / ".fixture-cache"
    user_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(user_cache) / "fuse-harness"


def build_toolchain(version: str, *, cache_dir: Path | None = None) -> Toolchain:
    """Compile (or reuse) the stand-in toolchain whose binaries report ``cli=<version>``."""
    if not version or not set(version) <= _VERSION_CHARS:
        raise ValueError(f"invalid version {version!r} (expected something like 0.7.1)")
    root = (cache_dir or default_cache_dir()).resolve()
    entry = root / f"standin-{version}-{_cache_key(version)}"
    if not entry.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        _build_atomically(version, entry)
    return _toolchain_in(entry, version)


def _toolchain_in(entry: Path, version: str) -> Toolchain:
    return Toolchain(
        version=version,
        aot_binary=entry / "fuse-aot-demo",
        runtime_lib=entry / "libfuse_rt.so",
        fuse=entry / "fuse",
        fuse_lsp=entry / "fuse-lsp",
        build_info=build_info_line(version),
        notes_aot=entry / "fuse-notes-aot",
    )


def _cache_key(version: str) -> str:
    digest = hashlib.sha256()
    for part in (version, compiler(), target_triple(), RUSTC, *_CFLAGS):
        digest.update(part.encode() + b"\0")
    for source in sorted(_SRC.iterdir()):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _build_atomically(version: str, entry: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; image builds read it as others
        _compile_all(version, tmp)
        _verify(version, tmp)
        try:
            tmp.rename(entry)
        except OSError:
            if not entry.is_dir():  # a parallel worker did not win the race: a real error
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _defines(version: str, profile: str) -> list[str]:
    return [
        f'-DFUSE_CLI_VERSION="{version}"',
        f'-DFUSE_PROFILE="{profile}"',
        f'-DFUSE_TARGET="{target_triple()}"',
        f'-DFUSE_RUSTC="{RUSTC}"',
    ]


def _sources(*patterns: str) -> list[str]:
    return sorted(str(p) for pattern in patterns for p in _SRC.glob(pattern))


def _cc(out: Path, name: str, version: str, profile: str, *inputs: str) -> list[str]:
    return [compiler(), *_CFLAGS, *_defines(version, profile), "-o", str(out / name), *inputs]


def _compile_all(version: str, out: Path) -> None:
    runtime = _sources("rt_*.c")
    program = _sources("app*.c")
    shared = ("-fPIC", "-shared", "-Wl,-soname,libfuse_rt.so")
    aot = (*_sources("aot_main.c"), *program, f"-L{out}", "-lfuse_rt", "-Wl,-rpath,$ORIGIN", "-lm")
    # the reference-service shape: runtime linked in, so only glibc's libraries remain
    notes = ("-DSTANDIN_DB_APP=1", *_sources("aot_main.c"), *program, *runtime, "-lm")
    _run_parallel(
        [
            _cc(out, "libfuse_rt.so", version, "release", *shared, *runtime),
            # The CLI carries the runtime statically: a missing libfuse_rt.so must not
            # break the JIT-native fallback.
            _cc(out, "fuse", version, "release", *_sources("fuse_*.c"), *program, *runtime, "-lm"),
            _cc(out, "fuse-lsp", version, "release", *_sources("lsp_main.c")),
        ]
    )
    _run_parallel(
        [
            _cc(out, "fuse-aot-demo", version, "release", *aot),
            _cc(out, "fuse-aot-demo-debug", version, "debug", *aot),
            _cc(out, "fuse-notes-aot", version, "release", *notes),
            _cc(out, "fuse-notes-aot-debug", version, "debug", *notes),
        ]
    )


def _run_parallel(commands: Sequence[Sequence[str]]) -> None:
    procs: list[subprocess.Popen[str]] = []
    failures = []
    try:
        for cmd in commands:
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        for cmd, proc in zip(commands, procs, strict=True):
            try:
                output, _ = proc.communicate(timeout=_BUILD_TIMEOUT)
            except subprocess.TimeoutExpired as exc:
                raise ToolchainBuildError(
                    f"stand-in toolchain build timed out after {_BUILD_TIMEOUT:g} s:\n$ {shlex.join(cmd)}"
                ) from exc
            if proc.returncode != 0:
                failures.append(f"$ {shlex.join(cmd)}\n{output}")
    finally:
        for proc in procs:  # no compiler outlives a failed or timed-out build
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
    if failures:
        raise ToolchainBuildError("stand-in toolchain build failed:\n" + "\n".join(failures))


def _verify(version: str, out: Path) -> None:
    env = {**os.environ, "FUSE_AOT_BUILD_INFO": "1"}
    proc = subprocess.run(
        [str(out / "fuse-aot-demo")],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
    )
    expected = build_info_line(version)
    if proc.returncode != 0 or proc.stdout != expected + "\n":
        raise ToolchainBuildError(
            f"built fuse-aot-demo printed {proc.stdout!r} (exit {proc.returncode}), expected {expected!r}"
        )


def shell_env(tc: Toolchain) -> str:
    """Shell assignments the stand-in scripts understand."""
    pairs = {
        "FUSE_BIN": tc.fuse,
        "FUSE_AOT_BIN": tc.aot_binary,
        "FUSE_LSP_BIN": tc.fuse_lsp,
        "FUSE_STANDIN_VERSION": tc.version,
    }
    return "".join(f"{key}={shlex.quote(str(value))}\n" for key, value in pairs.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", default=DEFAULT_VERSION, help="cli= version to bake in")
    args = parser.parse_args(argv)
    try:
        tc = build_toolchain(args.version)
    except (ToolchainBuildError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(shell_env(tc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
