"""The shared-library closure of a binary, as its own dynamic loader resolves it.

`ld.so --list` (the loader named in the binary's PT_INTERP) is asked, with the given
library directories on LD_LIBRARY_PATH: the same answer the binary gets when it starts.
Libraries found in those directories go next to the binary in an image (the AOT runner
finds its runtime through rpath `$ORIGIN`); system libraries keep their path.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness import process
from harness.errors import ConfigError, InfraError

APP_DIR = "/app"
LDD_TIMEOUT_S = 20.0
_LIST_RE = re.compile(r"^\s*(?:(?P<name>\S+) => )?(?P<path>/\S+) \(0x[0-9a-f]+\)$")
_MISSING_RE = re.compile(
    r"^\s*(?P<name>\S+) => not found$"
    r"|error while loading shared libraries: (?P<lib>[^:]+): cannot open"
)
_PT_INTERP = 3
KNOWN_LOADERS = ("/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1", "/lib/ld-musl-<arch>.so.1")
_LOADER_RE = re.compile(
    r"/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1"
    r"|/lib/ld-musl-[a-z0-9_]+\.so\.1"
)


@dataclass(frozen=True, kw_only=True)
class Library:
    name: str  # the soname the binary asks for
    host_path: Path  # where the loader found it on this machine
    image_path: str  # where it goes in the image
    system: bool  # found in a system directory (not in one of `lib_dirs`)


def interpreter(binary: bytes, where: str) -> str:
    """The ELF program interpreter (PT_INTERP) of a 64-bit little-endian binary."""
    if binary[:4] != b"\x7fELF" or binary[4:6] != b"\x02\x01":
        raise ConfigError(
            f"{where}: not a 64-bit little-endian ELF binary; drill images need a linux-x64 release"
        )
    try:
        found = _pt_interp(binary)
    except (struct.error, IndexError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{where}: truncated or malformed ELF program headers ({exc}); is the release archive complete?"
        ) from exc
    if found is None:
        raise ConfigError(f"{where}: statically linked (no interpreter); nothing to resolve")
    return found


def _pt_interp(binary: bytes) -> str | None:
    (phoff,) = struct.unpack_from("<Q", binary, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", binary, 0x36)
    for i in range(phnum):
        p_type, _flags, offset, _vaddr, _paddr, size = struct.unpack_from(
            "<IIQQQQ", binary, phoff + i * phentsize
        )
        if p_type == _PT_INTERP:
            if offset + size > len(binary):
                raise IndexError("PT_INTERP lies past the end of the file")
            return binary[offset : offset + size].rstrip(b"\0").decode()
    return None


def trusted_loader(loader: str, where: str) -> str:
    """The loader, if it is one we know: it comes from the release binary and gets run."""
    if not _LOADER_RE.fullmatch(loader):
        raise ConfigError(
            f"{where}: its interpreter {loader!r} is not a known dynamic loader "
            f"(expected one of {', '.join(KNOWN_LOADERS)}); refusing to run it"
        )
    return loader


def _loader_output(loader: str, binary: Path, lib_dirs: Iterable[Path]) -> list[str]:
    lines: list[str] = []
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LD_LIBRARY_PATH": os.pathsep.join(str(d) for d in lib_dirs),
    }
    with tempfile.TemporaryDirectory(prefix="fuse-harness-ldd-") as tmp:
        done = process.run(
            process.Command(
                argv=(loader, "--list", str(binary)),
                cwd=Path(tmp),
                env=env,
                timeout_s=LDD_TIMEOUT_S,
                log_path=Path(tmp) / "ldd.log",
            ),
            lines.append,
        )
    if done.exit_code != 0 and not any(map(_MISSING_RE.search, lines)):
        raise InfraError(
            f"{binary.name}: {loader} --list failed (exit {done.exit_code}): {' '.join(lines)[:300]}"
        )
    return lines


def closure(binary: Path, lib_dirs: Iterable[Path] = ()) -> list[Library]:
    """The shared libraries `binary` loads, as its own dynamic loader resolves them."""
    dirs = [d.resolve() for d in lib_dirs]
    loader = trusted_loader(interpreter(binary.read_bytes(), str(binary)), str(binary))
    found: list[Library] = []
    for line in _loader_output(loader, binary, dirs):
        missing = _MISSING_RE.search(line)
        if missing:
            name = missing["name"] or missing["lib"]
            raise ConfigError(
                f"{binary.name}: needs {name}, found neither in the "
                f"system nor in {[str(d) for d in dirs]}; name its directory"
            )
        match = _LIST_RE.match(line)
        if not match:
            continue
        host = Path(match["path"])
        system = not any(host.resolve().is_relative_to(d) for d in dirs)
        name = match["name"] or host.name
        target = match["path"] if system else f"{APP_DIR}/{name}"
        found.append(Library(name=name, host_path=host, image_path=target, system=system))
    return found


def _is_loader_or_libc(lib: Library) -> bool:
    return bool(_LOADER_RE.fullmatch(lib.image_path)) or lib.name.startswith(
        ("ld-linux", "libc.so", "libc.musl")
    )


def library_to_drop(libs: Iterable[Library], requested: str | None, base: str | None) -> str:
    """The library the missing-library fault leaves out of the AOT image: `requested`, else
    the first of the binary's closure that is not the loader or libc. One function, so
    `drill validate` and `drill run` refuse the same scenarios with the same words.

    On a base image only the binary's own libraries are in the drill's layer: a system
    library comes with the base and cannot be removed from it.
    """
    found = list(libs)
    names = [lib.name for lib in found]
    droppable = [
        lib for lib in found if not (base and lib.system) and not _LOADER_RE.fullmatch(lib.image_path)
    ]
    if requested is None:
        default = [lib for lib in droppable if not _is_loader_or_libc(lib)]
        if not default:
            raise ConfigError(
                "fault.params.library: "
                + (
                    f"on base image {base} the AOT has no library of its own to leave out (its closure, "
                    f"{', '.join(names)}, comes with the base); drop base_image (FROM scratch)"
                    if base
                    else f"the AOT's closure ({', '.join(names) or 'none'}) has no library but the "
                    "loader and libc to leave out; name one with library:"
                )
            )
        return default[0].name
    if requested not in names:
        raise ConfigError(
            f"fault.params.library: {requested!r} is not in the AOT's closure "
            f"(it loads {', '.join(names) or 'nothing'}); name one of them"
        )
    if requested not in [lib.name for lib in droppable]:
        why = f"comes with base image {base}" if base else "is the dynamic loader"
        raise ConfigError(
            f"fault.params.library: {requested!r} {why} and cannot be left out; name one of "
            f"{', '.join(lib.name for lib in droppable) or '(none)'}"
            + (", or drop base_image (FROM scratch)" if base else "")
        )
    return requested
