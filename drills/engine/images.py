"""Drill images, built locally from a release: never pulled.

The AOT image holds the binary from the primary archive, the CLI fallback image the `fuse`
binary from the CLI archive plus the app package. By default both are `FROM scratch` with
the binary's shared-library closure, found by asking the binary's own dynamic loader
(`ld.so --list`); with a base image only the binary and the libraries that are not the
system's go in. Tags are content-addressed (`fuse-harness/<role>:<sha12>` of the build
context and a namespace), so an image whose context already exists is reused, not rebuilt.

Where the images live: in the engine, for one run. `drill run` namespaces the tags with its
run id, labels them like its containers and removes them when the run ends (and `drill
reap` removes those of a killed run), so no cache outlives a run. A `FROM scratch` image is
imported in one engine call, so building all six of a release takes about a second; the
stand-in toolchain the fixture release needs is cached on disk (`.fixture-cache/`).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from drills.engine.closure import APP_DIR, Library, closure
from drills.engine.containers import DockerSeam
from harness import process
from harness.errors import ConfigError, InfraError

AOT_NAME = "fuse-aot-demo"
PKG_DIR = "/app/pkg"
PORT = 8080
BALLAST_PATH = f"{APP_DIR}/fuse-harness-ballast.so"
CC_LOG_TAIL = 10  # compiler output lines an error shows
MTIME = 1_700_000_000  # fixed: the same inputs give the same context and so the same tag
FALLBACK_PATH = f"{APP_DIR}:/usr/local/bin:/usr/bin:/bin"  # `fuse` by name, e.g. in app.setup


def _add(tar: tarfile.TarFile, path: str, data: bytes, mode: int = 0o755) -> None:
    info = tarfile.TarInfo(path.lstrip("/"))
    info.size, info.mode, info.mtime = len(data), mode, MTIME
    tar.addfile(info, io.BytesIO(data))


def _dockerfile(base: str | None, entrypoint: tuple[str, ...], env: Mapping[str, str]) -> bytes:
    quoted = ", ".join(f'"{arg}"' for arg in entrypoint)
    env_line = " ".join(f'{k}="{v}"' for k, v in sorted(env.items()))
    return (
        f"FROM {base or 'scratch'}\nCOPY rootfs/ /\nWORKDIR {APP_DIR}\nENV {env_line}\n"
        f"EXPOSE {PORT}\nENTRYPOINT [{quoted}]\n"
    ).encode()


def context_tar(files: Mapping[str, bytes], dockerfile: bytes) -> bytes:
    """A deterministic build context: Dockerfile + rootfs/<path> for every file."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add(tar, "Dockerfile", dockerfile, 0o644)
        for path in sorted(files):
            _add(tar, f"rootfs/{path.lstrip('/')}", files[path])
    return buf.getvalue()


def content_tag(role: str, context: bytes, namespace: str = "") -> str:
    """`fuse-harness/<role>:<sha12>` of the context (and of `namespace`, when one is given)."""
    digest = hashlib.sha256(namespace.encode() + b"\0" + context if namespace else context)
    return f"fuse-harness/{role}:{digest.hexdigest()[:12]}"


def ensure_image(
    seam: DockerSeam,
    role: str,
    context: bytes,
    labels: Mapping[str, str],
    namespace: str = "",
) -> str:
    """Build the context under its content tag unless an image with that tag exists.

    A `namespace` keeps concurrent users of one engine (parallel test sessions) from sharing,
    and so from removing, each other's images.
    """
    tag = content_tag(role, context, namespace)
    if seam.image_exists(tag):
        return tag
    labelled = {**labels, "fuse-harness.role": role}
    base, rootfs, changes = layer_parts(context)
    if base is None:
        seam.import_image(rootfs, tag, changes, labelled)
    else:
        seam.layer_image(base, rootfs, tag, changes, labelled)
    return tag


def layer_parts(context: bytes) -> tuple[str | None, bytes, tuple[str, ...]]:
    """(base image or None for scratch, rootfs tar, the Dockerfile's other instructions) of
    one of our contexts: an import (scratch) or one layer on the base, never the builder."""
    with tarfile.open(fileobj=io.BytesIO(context)) as src:
        base = _member(src, "Dockerfile").decode().splitlines()[0].removeprefix("FROM ")
    parts = import_parts(context if base == "scratch" else _rebased(context))
    assert parts is not None
    return (None if base == "scratch" else base), parts[0], parts[1]


def _rebased(context: bytes) -> bytes:
    """The same context FROM scratch (its files and instructions are what a layer needs)."""
    with tarfile.open(fileobj=io.BytesIO(context)) as src:
        lines = _member(src, "Dockerfile").decode().splitlines()
        files = {
            m.name.removeprefix("rootfs/"): _member(src, m.name)
            for m in src.getmembers()
            if m.isfile() and m.name.startswith("rootfs/")
        }
    return context_tar(files, "\n".join(["FROM scratch", *lines[1:]]).encode() + b"\n")


def import_parts(context: bytes) -> tuple[bytes, tuple[str, ...]] | None:
    """For a `FROM scratch` context: its rootfs as a tar and the Dockerfile's other
    instructions as import changes; None for a context on a base image.

    Importing is one engine call (~0.1 s) where the classic builder commits a container per
    instruction (~1 s each): the image is the same, the suite's preflight is not.
    """
    with tarfile.open(fileobj=io.BytesIO(context)) as src:
        lines = _member(src, "Dockerfile").decode().splitlines()
        if lines[:2] != ["FROM scratch", "COPY rootfs/ /"]:
            return None
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as out:
            for member in src.getmembers():
                if member.isfile() and member.name.startswith("rootfs/"):
                    _add(out, member.name.removeprefix("rootfs/"), _member(src, member.name), member.mode)
    return buf.getvalue(), tuple(lines[2:])


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    extracted = tar.extractfile(name)
    assert extracted is not None
    return extracted.read()


def rootfs_files(
    binary_name: str,
    binary: bytes,
    libs: Iterable[Library],
    *,
    base: str | None,
    drop: Iterable[str] = (),
) -> dict[str, bytes]:
    """The binary in /app plus its closure (only the non-system part on a base image)."""
    dropped = set(drop)
    files = {f"{APP_DIR}/{binary_name}": binary}
    for lib in libs:
        if lib.name in dropped or (base and lib.system):
            continue
        files[lib.image_path] = lib.host_path.read_bytes()
    return files


@dataclass(frozen=True, kw_only=True)
class ImageSet:
    """Every image a drill may deploy, by role and variant (tags)."""

    candidate_aot: str
    fallback_native: str
    previous_aot: str | None = None
    aot_missing_library: str | None = None
    aot_oom: str | None = None
    fallback_broken: str | None = None

    def variant(self, name: str) -> str:
        tag = {
            "missing-library": self.aot_missing_library,
            "oom": self.aot_oom,
            "broken-fallback": self.fallback_broken,
        }.get(name)
        if tag is None:
            raise ConfigError(
                f"image variant {name!r} was not built (known: missing-library, "
                "oom (needs a C compiler), broken-fallback)"
            )
        return tag


def archive_member(archive: Path, name: str) -> bytes:
    """One member of a .tar.gz release archive, read without unpacking the rest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isfile() and member.name.rsplit("/", 1)[-1] == name:
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        return extracted.read()
    except (OSError, tarfile.TarError) as exc:
        raise ConfigError(f"{archive}: cannot read the archive ({exc})") from exc
    raise ConfigError(f"{archive}: has no member {name!r}; is it a FUSE linux-x64 bundle?")


def binary_closure(name: str, binary: bytes, lib_dirs: Iterable[Path]) -> list[Library]:
    with tempfile.TemporaryDirectory(prefix="fuse-harness-img-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(binary)
        path.chmod(0o755)
        return closure(path, lib_dirs)


def aot_context(
    binary: bytes,
    *,
    lib_dirs: Iterable[Path] = (),
    base: str | None = None,
    drop: Iterable[str] = (),
    preload: bytes | None = None,
    data: Mapping[str, bytes] | None = None,
) -> bytes:
    """Build context of an AOT image.

    `drop` leaves named libraries out (missing-library); `preload` adds a library the
    loader injects with LD_PRELOAD (the oom ballast); `data` adds the app's state (its
    setup's files, its data folder) by container path.
    """
    libs = binary_closure(AOT_NAME, binary, lib_dirs)
    files = {**(data or {}), **rootfs_files(AOT_NAME, binary, libs, base=base, drop=drop)}
    env = {"FUSE_HOST": "0.0.0.0", "APP_PORT": str(PORT)}  # noqa: S104 - inside the container
    if preload is not None:
        files[BALLAST_PATH] = preload
        env["LD_PRELOAD"] = BALLAST_PATH
    return context_tar(files, _dockerfile(base, (f"{APP_DIR}/{AOT_NAME}",), env))


def _package_files(package: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and rel.parts[0] != ".fuse":  # never ship a stale build cache
            files[f"{PKG_DIR}/{rel.as_posix()}"] = path.read_bytes()
    if f"{PKG_DIR}/fuse.toml" not in files:
        raise ConfigError(f"{package}: not a FUSE app package (no fuse.toml)")
    return files


def fallback_context(
    fuse: bytes,
    package: Path,
    *,
    lib_dirs: Iterable[Path] = (),
    base: str | None = None,
    broken: bool = False,
    data: Mapping[str, bytes] | None = None,
    entry: tuple[str, ...] | None = None,
) -> bytes:
    """Build context of the CLI fallback: `fuse run --manifest-path <pkg> --backend native`.

    `broken` ships a truncated `fuse` (its ELF header only): the sabotaged fallback; `data`
    as for `aot_context`; `entry` replaces the command (the app's setup runs in this image).
    """
    libs = binary_closure("fuse", fuse, lib_dirs)
    files = {**(data or {}), **rootfs_files("fuse", fuse[:64] if broken else fuse, libs, base=base)}
    files.update(_package_files(package))
    env = {"FUSE_HOST": "0.0.0.0", "APP_PORT": str(PORT), "PATH": FALLBACK_PATH}  # noqa: S104
    entry = entry or (f"{APP_DIR}/fuse", "run", "--manifest-path", PKG_DIR, "--backend", "native")
    return context_tar(files, _dockerfile(base, entry, env))


def runtime_libraries(libs: Iterable[Library]) -> list[str]:
    """Names of the closure's non-system libraries (the binary's own)."""
    return [lib.name for lib in libs if not lib.system]


def build_images(
    seam: DockerSeam,
    *,
    release: Path,
    app_package: Path,
    labels: Mapping[str, str],
    previous: Path | None = None,
    lib_dirs: Iterable[Path] = (),
    base: str | None = None,
    namespace: str = "",
    previous_lib_dirs: Iterable[Path] | None = None,
    drop_library: str | None = None,
) -> ImageSet:
    """Every image of a drill from release folders (content-cached; variants included).

    `previous_lib_dirs` (default: `lib_dirs`) hold the previous release's own libraries;
    `drop_library` is what the missing-library variant leaves out (`missing_library`;
    None: no such variant).
    """
    dirs = tuple(lib_dirs)
    prev_dirs = dirs if previous_lib_dirs is None else tuple(previous_lib_dirs)
    aot = archive_member(release / "fuse-aot-linux-x64.tar.gz", AOT_NAME)
    fuse = archive_member(release / "fuse-cli-linux-x64.tar.gz", "fuse")

    def build(role: str, context: bytes) -> str:
        return ensure_image(seam, role, context, labels, namespace)

    ballast = ballast_library()
    prev = None
    if previous is not None:
        prev_bin = archive_member(previous / "fuse-aot-linux-x64.tar.gz", AOT_NAME)
        prev = build("previous-aot", aot_context(prev_bin, lib_dirs=prev_dirs, base=base))
    return ImageSet(
        candidate_aot=build("candidate-aot", aot_context(aot, lib_dirs=dirs, base=base)),
        fallback_native=build(
            "fallback-native", fallback_context(fuse, app_package, lib_dirs=dirs, base=base)
        ),
        previous_aot=prev,
        aot_missing_library=build(
            "candidate-aot", aot_context(aot, lib_dirs=dirs, base=base, drop=(drop_library,))
        )
        if drop_library
        else None,
        aot_oom=build("candidate-aot", aot_context(aot, lib_dirs=dirs, base=base, preload=ballast))
        if ballast
        else None,
        fallback_broken=build(
            "fallback-native", fallback_context(fuse, app_package, lib_dirs=dirs, base=base, broken=True)
        ),
    )


def ballast_library() -> bytes | None:
    """The oom fault's LD_PRELOAD helper, compiled from drills/engine/ballast.c; None without cc."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        return None
    source = Path(__file__).resolve().parent / "ballast.c"
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fuse-harness-cc-") as tmp:
        out = Path(tmp) / "ballast.so"
        done = process.run(
            process.Command(
                argv=(cc, "-shared", "-fPIC", "-O2", "-pthread", "-o", str(out), str(source)),
                cwd=Path(tmp),
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                timeout_s=60.0,
                log_path=Path(tmp) / "cc.log",
            ),
            lines.append,
        )
        if done.exit_code != 0:
            # the log goes with the temporary directory: its tail goes in the message
            tail = "\n".join(lines[-CC_LOG_TAIL:]) or "(no output)"
            raise InfraError(f"{source}: {cc} failed (exit {done.exit_code}); its last output:\n{tail}")
        return out.read_bytes()
