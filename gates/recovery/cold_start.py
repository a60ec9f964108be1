"""S004: cold start measured by the gate against the release's own CLI bundle, so S001 can
judge the real JIT-native fallback rather than the bench's debug `cargo run` (S003).

What FUSE's bench measures (fuse-contract §2.1), done the same way: the bench fixture
(`examples/project_demo.fuse`, or the bench gate's `--fixture`) copied into a temp package
with `[package] entry="main.fuse"`, `app="demo"`, `backend="native"`; per sample one
`fuse run --manifest-path <pkg> --backend native` (with `<pkg>/.fuse/build` removed first,
so no cached program is reused) and one run of the AOT binary, each with `APP_GREETING=Hello
APP_WHO=Bench`, timed from process start to exit; nearest-rank p50/p95 and the improvement
`(jit - aot) / jit * 100`.

`fuse` is copied out of the bundle (a fuse-cli-<platform>.tar.gz or .zip) by the archive
reader the release checks use (gates/reading/archive.py): one sequential pass, nothing else
written, no member name trusted as a path. Every run goes through harness/process.py, in its
own process group, with a timeout.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.contract import ArchiveLimits
from gates.reading import archive
from gates.recovery import env as recovery_env
from gates.recovery.binsize import Binary
from gates.recovery.gates import RecoveryGate, Run
from gates.recovery.perf_consistency import improvement, nearest_rank
from harness import process
from harness.errors import ConfigError, HarnessError
from harness.results import Outcome, Result

S004_TITLE = "Cold start measured against the release's own CLI bundle (AOT vs `fuse run --backend native`)"
DEFAULT_RUNS = 7
RUN_TIMEOUT_S = 120.0
DEFAULT_FIXTURE = "examples/project_demo.fuse"
MANIFEST = '[package]\nentry = "main.fuse"\napp = "demo"\nbackend = "native"\n'
MEASURED_ENV = {"APP_GREETING": "Hello", "APP_WHO": "Bench"}  # what the bench passes (§2.1)
UNSET = ("APP_PORT", "PORT", "FUSE_CONFIG")  # the measured program runs to completion


@dataclass(frozen=True, kw_only=True)
class ColdStart:
    """The `fuse` CLI taken out of a release's CLI bundle, and how many runs to time."""

    bundle: Path
    cli: Path
    runs: int = DEFAULT_RUNS


def _member(bundle: Path) -> str:
    if bundle.name.endswith(".tar.gz"):
        return "fuse"
    if bundle.name.endswith(".zip"):
        return "fuse.exe"
    raise ConfigError(
        f"--cli-bundle {bundle}: not a fuse-cli-<platform>.tar.gz or .zip; pass the release's CLI bundle"
    )


def extract_cli(bundle: Path, dest: Path, limits: ArchiveLimits) -> Path:
    """`fuse` (`fuse.exe` from a .zip) of `bundle`, copied to `dest`/ and made executable."""
    member = _member(bundle)
    keep = archive.Keep(member=member, dest=dest / member)
    try:
        with bundle.open("rb") as raw:
            read = archive.read_tar_gz if member == "fuse" else archive.read_zip
            listing = read(raw, limits, frozenset(), keep).listing
    except OSError as exc:
        raise ConfigError(f"--cli-bundle {bundle}: cannot read it ({exc.strerror or exc})") from exc
    if listing is None or listing.error or listing.kept is None:
        why = (listing.error if listing else "") or (
            listing.problems[-1] if listing and listing.truncated else ""
        )
        raise ConfigError(
            f"--cli-bundle {bundle}: {why or f'has no {member}'}; pass the release's "
            f"fuse-cli-<platform> bundle, which holds {member} at its top level"
        )
    make_executable(listing.kept)
    return listing.kept


def make_executable(path: Path) -> None:
    """+x on a binary the archive reader copied out (it writes plain files)."""
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@contextmanager
def prepared(bundle: Path | None, runs: int, limits: ArchiveLimits) -> Iterator[ColdStart | None]:
    """The CLI of `bundle` in a temp dir for the run (None when no bundle was given)."""
    if bundle is None:
        yield None
        return
    if runs < 1:
        raise ConfigError(f"--cold-start-runs {runs}: must be at least 1")
    with tempfile.TemporaryDirectory(prefix="gate-cli-") as tmp:
        yield ColdStart(bundle=bundle, cli=extract_cli(bundle, Path(tmp), limits), runs=runs)


def aot_for(binaries: Sequence[Binary], platform: str) -> Binary | None:
    """The AOT binary this machine runs: the platform's, else the only one found."""
    found = [b for b in binaries if b.path is not None]
    mine = [b for b in found if b.scope == platform or b.scope.endswith(f"/{platform}")]
    if mine:
        return mine[0]
    return found[0] if len(found) == 1 else None


def bench_of(gate: RecoveryGate, gates: Sequence[RecoveryGate]) -> RecoveryGate | None:
    """The gate that wrote the metrics `gate` judges (the bench), if the run has it."""
    return next((g for g in gates if g.cwd == gate.cwd and gate.metrics in g.produces), None)


def fixture_of(bench: RecoveryGate | None, checkout: Path) -> Path:
    """The fixture the bench measures: its `--fixture`, else FUSE's default."""
    command = bench.command if bench else ()
    given = next((command[i + 1] for i, a in enumerate(command[:-1]) if a == "--fixture"), None)
    base = checkout / (bench.cwd if bench else ".")
    return base / given if given else checkout / DEFAULT_FIXTURE


class RunFailed(HarnessError):
    """A measured run did not exit 0."""


def _time(argv: Sequence[str], workdir: Path, env: dict[str, str], log: Path) -> float:
    """Milliseconds from start to exit of one run."""
    done = process.run(
        process.Command(argv=tuple(argv), cwd=workdir, env=env, timeout_s=RUN_TIMEOUT_S, log_path=log),
        lambda _line: None,
    )
    if done.timed_out:
        raise RunFailed(f"{argv[0]} timed out after {RUN_TIMEOUT_S:g}s (log: {log})")
    if done.exit_code != 0:
        raise RunFailed(f"{' '.join(argv)} exited {done.exit_code} (log: {log})")
    seconds = done.output_closed_s if done.output_closed_s is not None else done.duration_s
    return round(seconds * 1000, 3)


def _stats(samples: list[float]) -> dict[str, Any]:
    return {"samples": samples, "p50": nearest_rank(samples, 50), "p95": nearest_rank(samples, 95)}


def time_runs(cold: ColdStart, aot: Path, fixture: Path, run: Run, env: dict[str, str]) -> dict[str, Any]:
    """JIT-native and AOT cold starts, alternating as the bench does, with their p50/p95."""
    jit: list[float] = []
    aot_ms: list[float] = []
    logs = run.log_dir / "cold-start"
    with tempfile.TemporaryDirectory(prefix="gate-cold-start-") as tmp:
        pkg = Path(tmp) / "pkg"
        pkg.mkdir()
        shutil.copyfile(fixture, pkg / "main.fuse")
        (pkg / "fuse.toml").write_text(MANIFEST)
        jit_argv = (str(cold.cli), "run", "--manifest-path", str(pkg), "--backend", "native")
        for sample in range(1, cold.runs + 1):
            shutil.rmtree(pkg / ".fuse" / "build", ignore_errors=True)
            jit.append(_time(jit_argv, Path(tmp), env, logs / f"jit-{sample}.log"))
            aot_ms.append(_time((str(aot),), Path(tmp), env, logs / f"aot-{sample}.log"))
    figures = {"jit_native": _stats(jit), "aot": _stats(aot_ms)}
    figures["improvement_pct"] = {
        p: round(improvement(figures["jit_native"][p], figures["aot"][p], lower_is_better=True), 3)
        for p in ("p50", "p95")
    }
    return figures


def measured_env(run: Run, gate: RecoveryGate) -> dict[str, str]:
    """The gate's environment (the base and the names it passes), as the bench's runs get it."""
    chosen = recovery_env.environment(run.env, gate.pass_env, {})
    return {**{k: v for k, v in chosen.items() if k not in UNSET}, **MEASURED_ENV}


def _error(gate: RecoveryGate, why: str) -> Result:
    return Result(check="S004", title=S004_TITLE, scope=gate.id, outcome=Outcome.ERROR, summary=why)


def measure(
    cold: ColdStart, gate: RecoveryGate, aot: Binary | None, bench: RecoveryGate | None, run: Run
) -> Result:
    """S004 beside the metrics gate `gate`: the measured figures, or why there are none."""
    if aot is None or aot.path is None:
        return _error(
            gate,
            "could not evaluate: no AOT binary to time; build .fuse/build/program.aot in the "
            "checkout, or pass --release and --source for this platform's",
        )
    fixture = fixture_of(bench, run.checkout)
    if not fixture.is_file():
        return _error(gate, f"could not evaluate: no bench fixture {fixture}")
    try:
        figures = time_runs(cold, aot.path, fixture, run, measured_env(run, gate))
    except (HarnessError, OSError) as exc:
        return _error(gate, f"could not evaluate: {exc}")
    data = {
        **figures,
        "runs": cold.runs,
        "cli_bundle": str(cold.bundle),
        "aot_binary": aot.where,
        "fixture": str(fixture),
        "metrics": measured_metrics(figures),
    }
    return Result(
        check="S004",
        title=S004_TITLE,
        scope=gate.id,
        outcome=Outcome.PASSED,
        summary=_summary(figures, cold),
        data=data,
    )


def measured_metrics(figures: dict[str, Any]) -> dict[str, float]:
    """The figures under the names S001 and --baseline read."""
    return {
        "cold_start_aot_p50_ms": figures["aot"]["p50"],
        "cold_start_aot_p95_ms": figures["aot"]["p95"],
        "cold_start_jit_native_p50_ms": figures["jit_native"]["p50"],
        "cold_start_jit_native_p95_ms": figures["jit_native"]["p95"],
        "cold_start_improvement_p50_pct": figures["improvement_pct"]["p50"],
        "cold_start_improvement_p95_pct": figures["improvement_pct"]["p95"],
    }


def _summary(figures: dict[str, Any], cold: ColdStart) -> str:
    aot, jit, gain = figures["aot"], figures["jit_native"], figures["improvement_pct"]
    return (
        f"{cold.runs} runs each against {cold.bundle.name}: aot p50 {aot['p50']:g} ms / p95 "
        f"{aot['p95']:g} ms, jit-native p50 {jit['p50']:g} ms / p95 {jit['p95']:g} ms, "
        f"improvement p50 {gain['p50']:g} % / p95 {gain['p95']:g} %"
    )
