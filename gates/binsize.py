"""The AOT binary size SLO, which no FUSE script measures: the stripped size of the AOT
binary (a temp copy is stripped when a `strip` tool is present; else the file size, and the
report says which), from a release's AOT archives or from a checkout's build output.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gates.contract import Contract, asset_name, exe
from gates.source import ReleaseRef, ReleaseSource
from harness import process
from harness.errors import InfraError

STRIP_TIMEOUT_S = 60.0
CHUNK = 1024 * 1024


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
    command = process.Command(argv=(tool, str(copy)), cwd=workdir, env=dict(os.environ),
                              timeout_s=STRIP_TIMEOUT_S, log_path=workdir / "strip.log")
    done = process.run(command, lambda _line: None)
    return copy.stat().st_size if done.exit_code == 0 else None


def measure(path: Path, where: str, strip_tool: str | None) -> Size:
    """The binary's size, stripped where possible (never touching `path` itself)."""
    file_bytes = path.stat().st_size
    if strip_tool is None:
        return Size(where=where, file_bytes=file_bytes, measured_bytes=file_bytes,
                    method="file size (no strip tool found)")
    with tempfile.TemporaryDirectory(prefix="gate-strip-") as tmp:
        stripped = _strip_copy(path, strip_tool, Path(tmp))
    if stripped is None:
        return Size(where=where, file_bytes=file_bytes, measured_bytes=file_bytes,
                    method=f"file size ({Path(strip_tool).name} could not strip this format)")
    return Size(where=where, file_bytes=file_bytes, measured_bytes=stripped,
                method=f"stripped ({Path(strip_tool).name})")


def _copy_bounded(src: IO[bytes], dest: Path, limit: int, name: str) -> None:
    written = 0
    with dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise InfraError(f"{name}: larger than the archive member limit ({limit} bytes)")
            out.write(chunk)


def _extract(raw: IO[bytes], archive: str, member: str, dest: Path, limit: int) -> bool:
    """Copy one regular-file member out of a .tar.gz/.zip; False when it is not there."""
    if archive.endswith(".zip"):
        with zipfile.ZipFile(raw) as zf:
            if member not in zf.namelist():
                return False
            with zf.open(member) as src:
                _copy_bounded(src, dest, limit, f"{archive}:{member}")
        return True
    with tarfile.open(fileobj=raw, mode="r|gz") as tf:
        for info in tf:
            if info.isfile() and info.name.removeprefix("./") == member:
                member_file = tf.extractfile(info)
                assert member_file is not None
                _copy_bounded(member_file, dest, limit, f"{archive}:{member}")
                return True
    return False


@contextmanager
def release_binaries(source: ReleaseSource, release: ReleaseRef,
                     contract: Contract) -> Iterator[list[Binary]]:
    """The AOT binary of every platform of the contract, extracted to a temp dir."""
    names = {a.name: a for a in source.assets(release)}
    with tempfile.TemporaryDirectory(prefix="gate-aot-") as tmp:
        found: list[Binary] = []
        for platform in contract.platforms:
            archive = asset_name(contract.assets.primary, platform)
            member = exe(contract.assets.primary_binary, platform)
            where = f"{release.tag}/{archive}:{member}"
            dest = Path(tmp) / f"{platform}-{Path(member).name}"
            ref = names.get(archive)
            if ref is None:
                found.append(Binary(scope=platform, path=None, where=where,
                                    problem=f"no {archive} in {release.tag}"))
                continue
            try:
                with source.open(release, ref) as raw:
                    ok = _read_member(raw, archive, member, dest, contract=contract, where=where)
            except InfraError as exc:
                found.append(Binary(scope=platform, path=None, where=where, problem=str(exc)))
                continue
            found.append(Binary(scope=platform, path=dest if ok else None, where=where,
                                problem="" if ok else f"{archive} has no {member}"))
        yield found


def _read_member(raw: IO[bytes], archive: str, member: str, dest: Path, *, contract: Contract,
                 where: str) -> bool:
    try:
        return _extract(raw, archive, member, dest, contract.limits.max_member_bytes)
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise InfraError(f"{where}: cannot read the AOT archive ({exc})") from exc


def strip_tool() -> str | None:
    return shutil.which("strip")


def checkout_binaries(checkout: Path) -> list[Binary]:
    """The checkout's own AOT build output (`.fuse/build/program.aot[.exe]`), if any."""
    for name in ("program.aot", "program.aot.exe"):
        path = checkout / ".fuse" / "build" / name
        if path.is_file():
            return [Binary(scope="checkout", path=path, where=str(path))]
    return []
