"""The AOT binary size SLO, which no FUSE script measures: the stripped size of the AOT
binary (a temp copy is stripped when a `strip` tool is present; else the file size, and the
report says which), from a release's AOT archives or from a checkout's build output, judged
against the contract's limit as S002.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gates.contract import Contract, asset_name, exe
from gates.reading.facts import AssetFacts, read_asset
from gates.sources.release import ReleaseRef, ReleaseSource
from gates.sources.release import select as select_releases
from harness import process
from harness.errors import ConfigError, InfraError
from harness.results import Finding, Outcome, Result, outcome_for

STRIP_TIMEOUT_S = 60.0
S002_TITLE = "AOT binary size within the release contract's limit"


@dataclass(frozen=True, kw_only=True)
class Binary:
    """An AOT binary to measure (path None: not found, `problem` says why)."""

    scope: str
    path: Path | None
    where: str
    problem: str = ""


@dataclass(frozen=True, kw_only=True)
class Size:
    where: str
    file_bytes: int
    measured_bytes: int
    method: str  # "stripped (strip)", or "file size (...)" when stripping was not possible


def _strip_copy(path: Path, tool: str, workdir: Path) -> int | None:
    copy = workdir / "stripped"
    shutil.copyfile(path, copy)
    command = process.Command(
        argv=(tool, str(copy)),
        cwd=workdir,
        env=dict(os.environ),
        timeout_s=STRIP_TIMEOUT_S,
        log_path=workdir / "strip.log",
    )
    done = process.run(command, lambda _line: None)
    return copy.stat().st_size if done.exit_code == 0 else None


def measure(path: Path, where: str, strip_tool: str | None) -> Size:
    """The binary's size, stripped where possible (never touching `path` itself)."""
    file_bytes = path.stat().st_size
    if strip_tool is None:
        return Size(
            where=where,
            file_bytes=file_bytes,
            measured_bytes=file_bytes,
            method="file size (no strip tool found)",
        )
    with tempfile.TemporaryDirectory(prefix="gate-strip-") as tmp:
        stripped = _strip_copy(path, strip_tool, Path(tmp))
    if stripped is None:
        return Size(
            where=where,
            file_bytes=file_bytes,
            measured_bytes=file_bytes,
            method=f"file size ({Path(strip_tool).name} could not strip this format)",
        )
    return Size(
        where=where,
        file_bytes=file_bytes,
        measured_bytes=stripped,
        method=f"stripped ({Path(strip_tool).name})",
    )


def binary_of(scope: str, where: str, archive: AssetFacts, member: str) -> Binary:
    """The binary kept while `archive` was read once (gates/reading/facts.py), or why there is none."""
    listing = archive.listing
    if listing is None or listing.error:
        why = archive.read_error or (listing.error if listing else f"state {archive.ref.state}")
        problem = f"{where}: cannot read the AOT archive ({why})"
    elif listing.kept is not None:
        return Binary(scope=scope, path=listing.kept, where=where)
    elif listing.truncated:
        problem = f"{where}: {listing.problems[-1]}"
    else:
        problem = f"{archive.ref.name} has no {member}"
    return Binary(scope=scope, path=None, where=where, problem=problem)


def binaries_of(tag: str, assets: Sequence[AssetFacts], contract: Contract) -> list[Binary]:
    """The AOT binary of every platform of the contract, from archives read with it kept."""
    by_name = {a.ref.name: a for a in assets}
    found = []
    for platform in contract.platforms:
        archive = asset_name(contract.assets.primary, platform)
        member = exe(contract.assets.primary_binary, platform)
        where = f"{tag}/{archive}:{member}"
        read = by_name.get(archive)
        found.append(
            binary_of(platform, where, read, member)
            if read
            else Binary(scope=platform, path=None, where=where, problem=f"no {archive} in {tag}")
        )
    return found


def scoped(per_release: Sequence[tuple[str, list[Binary]]]) -> list[Binary]:
    """One list; each scope names its release too when there are several."""
    many = len(per_release) > 1
    return [replace(b, scope=f"{tag}/{b.scope}") if many else b for tag, found in per_release for b in found]


@contextmanager
def release_binaries(
    source: ReleaseSource, release: ReleaseRef, contract: Contract
) -> Iterator[list[Binary]]:
    """The AOT binary of every platform of the contract, read out of its archive to a temp dir."""
    wanted = {asset_name(contract.assets.primary, p) for p in contract.platforms}
    with tempfile.TemporaryDirectory(prefix="gate-aot-") as tmp:
        read = [
            read_asset(source, release, ref, contract, keep_binaries=Path(tmp))
            for ref in source.assets(release)
            if ref.name in wanted
        ]
        yield binaries_of(release.tag, read, contract)


def strip_tool() -> str | None:
    return shutil.which("strip")


def checkout_binaries(checkout: Path) -> list[Binary]:
    """The checkout's own AOT build output (`.fuse/build/program.aot[.exe]`), if any."""
    for name in ("program.aot", "program.aot.exe"):
        path = checkout / ".fuse" / "build" / name
        if path.is_file():
            return [Binary(scope="checkout", path=path, where=str(path))]
    return []


@contextmanager
def selected_binaries(source: ReleaseSource, selector: str, contract: Contract) -> Iterator[list[Binary]]:
    """The AOT binaries of every selected release, extracted for measuring."""
    chosen = select_releases(source.releases(), selector)
    if not chosen:
        raise ConfigError(f"--release {selector}: no such release in {source.description}")
    with ExitStack() as stack:
        yield scoped(
            [
                (release.tag, stack.enter_context(release_binaries(source, release, contract)))
                for release in chosen
            ]
        )


def judge(binary: Binary, limit: int, strip_tool: str | None) -> Result:
    """S002 for one AOT binary against the contract's limit."""
    base: dict[str, Any] = {"check": "S002", "title": S002_TITLE, "scope": binary.scope}
    if binary.path is None:
        return Result(**base, outcome=Outcome.ERROR, summary=f"could not evaluate: {binary.problem}")
    try:
        size = measure(binary.path, binary.where, strip_tool)
    except (InfraError, OSError) as exc:  # e.g. a strip that cannot start
        return Result(**base, outcome=Outcome.ERROR, summary=f"could not evaluate: {exc}")
    data = {
        "metrics": {"binary_bytes": size.measured_bytes, "file_bytes": size.file_bytes},
        "limit_bytes": limit,
        "method": size.method,
        "where": size.where,
    }
    findings = []
    if size.measured_bytes > limit:
        findings.append(
            Finding(
                subject=binary.scope,
                message=f"AOT binary too large ({size.method})",
                expected=f"<= {limit} bytes",
                actual=f"{size.measured_bytes} bytes",
                where=size.where,
            )
        )
    outcome = outcome_for(findings)
    summary = f"{size.measured_bytes} bytes, {size.method}, limit {limit}"
    return Result(**base, outcome=outcome, summary=summary, findings=tuple(findings), data=data)


def judge_all(binaries: Sequence[Binary], limit: int | None) -> list[Result]:
    """S002 for every binary (skipped when the contract sets no limit or nothing was found)."""
    if limit is None:
        return [_skipped("the contract sets no max_binary_bytes")]
    if not binaries:
        return [
            _skipped(
                "no AOT binary to measure: pass --release and --source, or "
                "build .fuse/build/program.aot in the checkout"
            )
        ]
    tool = strip_tool()
    return [judge(b, limit, tool) for b in binaries]


def _skipped(why: str) -> Result:
    return Result(check="S002", title=S002_TITLE, scope="aot", outcome=Outcome.SKIPPED, summary=why)
