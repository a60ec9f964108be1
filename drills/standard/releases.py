"""FUSE-shaped release folders for tests, benchmarks and the demo.

`write_release` lays out one tag like FUSE's dist/ (contract sheet §1): for every platform
an AOT bundle and a CLI bundle with the real member names and order, the VSIX, SHA256SUMS
and release-artifacts.json; from v0.9.4 also the sidecars (drills/standard/sidecars.py: SBOMs,
provenance, signatures by a test CA). `DEFECTS` names variants, each breaking one rule.
Archives are deterministic (fixed mtimes, gzip header without a timestamp).

Binaries are placeholders unless `runnable=True`, which puts the stand-in toolchain
(drills/standard/toolchain.py, needs a C compiler) into the linux-x64 bundles.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PLATFORMS = ("linux-x64", "macos-arm64", "windows-x64")
TARGETS = {
    "linux-x64": "x86_64-unknown-linux-gnu",
    "macos-arm64": "aarch64-apple-darwin",
    "windows-x64": "x86_64-pc-windows-msvc",
}
RUSTC = "rustc 1.85.0 (4d91de4e4 2025-02-17)"
MTIME = 1_772_236_800  # 2026-02-28, the v0.7.0 CHANGELOG date
LICENSE = b"MIT License\n\nCopyright (c) FUSE contributors\n"
DEFAULT_LINE = ("v0.7.0", "v0.7.1", "v0.8.0")
PUBLISHED = {
    "v0.7.0": "2026-02-28T12:00:00Z",
    "v0.7.1": "2026-03-06T12:00:00Z",
    "v0.8.0": "2026-03-10T12:00:00Z",
    "v1.1.0": "2026-03-25T12:00:00Z",
}
# when a release was built (generatedAtUtc: FUSE's CI stamps the commit time), where it differs
BUILT = {"v1.1.0": "2026-03-25T09:00:00Z"}
SIDECARS_SINCE = (0, 9, 4)


def has_sidecars(tag: str) -> bool:
    """FUSE ships SBOMs, signatures and provenance from v0.9.4 (contract sheet 1.2)."""
    core = tag.removeprefix("v").split("-")[0]
    return tuple(int(n) for n in core.split(".")) >= SIDECARS_SINCE


def build_info(version: str, platform: str = "linux-x64", contract: str = "aot-v1") -> str:
    return (
        f"mode=aot profile=release target={TARGETS[platform]} rustc={RUSTC} cli={version} "
        f"runtime_cache=1 contract={contract}"
    )


@dataclass
class Member:
    name: str
    data: bytes = b""
    mode: int = 0o644
    kind: str = "file"  # file, symlink, hardlink
    link: str = ""


@dataclass
class Bundle:
    """One archive before it is written; defects edit these."""

    name: str
    members: list[Member] = field(default_factory=list)

    def member(self, name: str) -> Member:
        return next(m for m in self.members if m.name == name)


def ext(platform: str) -> str:
    return ".zip" if platform.startswith("windows") else ".tar.gz"


def exe(platform: str) -> str:
    return ".exe" if platform.startswith("windows") else ""


def _placeholder(label: str, size: int) -> bytes:
    """Deterministic filler that does not compress (like a real binary)."""
    head = f"#!placeholder {label}\n".encode()
    return head + random.Random(label).randbytes(max(0, size - len(head)))


def _readme(kind: str, platform: str) -> bytes:
    return (
        f"FUSE {kind} bundle ({platform})\n\nContents: see the archive listing.\n"
        "Quick start: chmod +x the binaries and run them.\n"
    ).encode()


def default_bundles(version: str, binary_size: int, runnable: dict[str, bytes] | None) -> list[Bundle]:
    bundles = []
    for platform in PLATFORMS:
        x = exe(platform)
        real = runnable if platform == "linux-x64" and runnable else {}
        aot_bin = real.get("aot") or _placeholder(f"aot {platform} {version}", binary_size)
        info = real.get("build_info") or (build_info(version, platform) + "\n").encode()
        bundles.append(
            Bundle(
                name=f"fuse-aot-{platform}{ext(platform)}",
                members=[
                    Member(f"fuse-aot-demo{x}", aot_bin, 0o755),
                    Member("AOT_BUILD_INFO.txt", info),
                    Member("LICENSE", LICENSE),
                    Member("README.txt", _readme("AOT reference", platform)),
                ],
            )
        )
        bundles.append(
            Bundle(
                name=f"fuse-cli-{platform}{ext(platform)}",
                members=[
                    Member(
                        f"fuse{x}", real.get("fuse") or _placeholder(f"fuse {platform}", binary_size), 0o755
                    ),
                    Member(
                        f"fuse-lsp{x}",
                        real.get("fuse-lsp") or _placeholder(f"lsp {platform}", binary_size // 2),
                        0o755,
                    ),
                    Member("LICENSE", LICENSE),
                    Member("README.txt", _readme("CLI", platform)),
                ],
            )
        )
        bundles.append(
            Bundle(
                name=f"fuse-vscode-{platform}.vsix",
                members=[
                    Member("[Content_Types].xml", b"<Types/>\n"),
                    Member("extension.vsixmanifest", b"<PackageManifest/>\n"),
                    Member("extension/package.json", b'{"name": "fuse-vscode"}\n'),
                    Member(
                        f"extension/bin/{platform}/fuse-lsp{x}", _placeholder(f"vsix {platform}", 1024), 0o755
                    ),
                ],
            )
        )
    return bundles


def _tar_gz(bundle: Bundle) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for m in bundle.members:
            info = tarfile.TarInfo(m.name)
            info.mtime, info.mode, info.uname, info.gname = MTIME, m.mode, "", ""
            if m.kind == "file":
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
            else:
                info.type = tarfile.SYMTYPE if m.kind == "symlink" else tarfile.LNKTYPE
                info.linkname = m.link
                tar.addfile(info)
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def _zip(bundle: Bundle) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for m in bundle.members:
            info = zipfile.ZipInfo(m.name, date_time=(2026, 2, 28, 0, 0, 0))
            info.external_attr = ((0o120000 if m.kind == "symlink" else 0o100000) | m.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, m.link.encode() if m.kind == "symlink" else m.data)
    return raw.getvalue()


def archive_bytes(bundle: Bundle) -> bytes:
    return _tar_gz(bundle) if bundle.name.endswith(".tar.gz") else _zip(bundle)


def integrity_files(folder: Path, generated_at: str) -> None:
    """SHA256SUMS and release-artifacts.json for the payloads in `folder` (§1.6, §1.7)."""
    payloads = sorted(
        p for p in folder.iterdir() if p.name.startswith(("fuse-cli-", "fuse-aot-", "fuse-vscode-"))
    )
    rows = [(p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size) for p in payloads]
    (folder / "SHA256SUMS").write_text("".join(f"{sha}  {name}\n" for name, sha, _ in rows))
    artifacts = ",\n".join(f'    {{"name": "{n}", "sha256": "{s}", "size": {z}}}' for n, s, z in rows)
    (folder / "release-artifacts.json").write_text(
        f'{{\n  "generatedAtUtc": "{generated_at}",\n  "artifacts": [\n{artifacts}\n  ]\n}}\n'
    )


def runnable_payloads(version: str) -> dict[str, bytes]:
    """The stand-in toolchain's binaries for the linux-x64 bundles (needs a C compiler)."""
    from drills.standard.toolchain import build_toolchain  # noqa: PLC0415

    tc = build_toolchain(version)
    return {
        "aot": tc.aot_binary.read_bytes(),
        "build_info": (tc.build_info + "\n").encode(),
        "fuse": tc.fuse.read_bytes(),
        "fuse-lsp": tc.fuse_lsp.read_bytes(),
    }


Defect = Callable[[list[Bundle], Path, str], None]


def write_release(
    dest: Path,
    tag: str,
    *,
    defects: tuple[str, ...] = (),
    binary_size: int = 4096,
    runnable: bool = False,
    generated_at: str | None = None,
    platforms: tuple[str, ...] = PLATFORMS,
) -> Path:
    """Write one release folder `dest` (created) and return it, with `platforms`' payloads."""
    from drills.standard.defects import DEFECTS  # noqa: PLC0415 - defects.py builds on this module

    version = tag.removeprefix("v")
    dest.mkdir(parents=True, exist_ok=True)
    bundles = default_bundles(version, binary_size, runnable_payloads(version) if runnable else None)
    bundles = [
        b
        for b in bundles
        if any(b.name.startswith(f"fuse-{k}-{p}.") for k in ("aot", "cli", "vscode") for p in platforms)
    ]
    for name in defects:
        DEFECTS[name](bundles, dest, "before")
    for bundle in bundles:
        (dest / bundle.name).write_bytes(archive_bytes(bundle))
    stamp = (
        generated_at
        or BUILT.get(tag)
        or PUBLISHED.get(tag)
        or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    integrity_files(dest, stamp)
    if has_sidecars(tag):
        from drills.standard import sidecars  # noqa: PLC0415 - cryptography loads for v0.9.4+ only

        sidecars.write_all(dest, tag, stamp, {b.name: [m.name for m in b.members] for b in bundles})
    for name in defects:
        DEFECTS[name](bundles, dest, "after")
    return dest


def write_line(root: Path, tags: tuple[str, ...] = DEFAULT_LINE, **kwargs: object) -> Path:
    """One sub-folder per tag under `root`."""
    for tag in tags:
        write_release(root / tag, tag, **kwargs)  # type: ignore[arg-type]
    return root
