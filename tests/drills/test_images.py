"""Image contexts from a release: the closure the loader reports, deterministic contexts,
variants, and clear errors for what cannot be imaged (no Docker needed)."""

from __future__ import annotations

import io
import struct
import tarfile
from pathlib import Path

import pytest

from drills.engine.closure import closure, interpreter, trusted_loader
from drills.engine.images import (
    BALLAST_PATH,
    aot_context,
    archive_member,
    ballast_library,
    content_tag,
    fallback_context,
    import_parts,
)
from drills.standard.releases import write_release
from drills.standard.toolchain import Toolchain, app_package
from harness.errors import ConfigError, InfraError


def members(context: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(context)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_the_closure_is_what_the_loader_resolves(standin_tc: Toolchain) -> None:
    libs = {lib.name: lib for lib in closure(standin_tc.aot_binary, [standin_tc.runtime_lib.parent])}
    assert libs["libfuse_rt.so"].image_path == "/app/libfuse_rt.so"
    assert not libs["libfuse_rt.so"].system
    assert libs["libc.so.6"].system and libs["libc.so.6"].image_path.endswith("/libc.so.6")
    interp = interpreter(standin_tc.aot_binary.read_bytes(), "aot")
    assert any(lib.image_path == interp for lib in libs.values())


def test_a_library_found_nowhere_is_a_config_error(standin_tc: Toolchain, tmp_path: Path) -> None:
    lone = tmp_path / "fuse-aot-demo"
    lone.write_bytes(standin_tc.aot_binary.read_bytes())
    lone.chmod(0o755)
    with pytest.raises(ConfigError, match=r"needs libfuse_rt\.so, found neither"):
        closure(lone, [])


def test_a_non_elf_binary_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a 64-bit little-endian ELF"):
        interpreter(b"#!/bin/sh\necho hi\n", "fuse-aot-demo")


def _elf_with_interp(interp: bytes) -> bytes:
    """A minimal ELF64 header and one PT_INTERP program header."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x20, 64)  # e_phoff
    struct.pack_into("<HH", header, 0x36, 56, 1)  # e_phentsize, e_phnum
    phdr = struct.pack("<IIQQQQQQ", 3, 4, 120, 0, 0, len(interp), len(interp), 1)
    return bytes(header) + phdr + interp


def test_a_truncated_binary_is_a_config_error_naming_it(standin_tc: Toolchain) -> None:
    whole = standin_tc.aot_binary.read_bytes()
    for cut in (whole[:6], whole[:0x30], whole[:70], _elf_with_interp(b"/lib64/ld")[:-3]):
        with pytest.raises(ConfigError, match=r"^fuse-aot-demo: truncated or malformed"):
            interpreter(cut, "fuse-aot-demo")


def test_only_known_loaders_are_run(tmp_path: Path) -> None:
    assert interpreter(_elf_with_interp(b"/lib64/ld-linux-x86-64.so.2\0"), "x") == (
        "/lib64/ld-linux-x86-64.so.2"
    )
    odd = tmp_path / "fuse-aot-demo"
    odd.write_bytes(_elf_with_interp(b"/tmp/evil.sh\0"))
    with pytest.raises(ConfigError, match=r"'/tmp/evil\.sh' is not a known dynamic loader"):
        closure(odd, [])
    assert trusted_loader("/lib/ld-musl-x86_64.so.1", "x") == "/lib/ld-musl-x86_64.so.1"


def test_contexts_are_deterministic_and_variants_differ(standin_tc: Toolchain) -> None:
    binary, dirs = standin_tc.aot_binary.read_bytes(), [standin_tc.runtime_lib.parent]
    first, again = aot_context(binary, lib_dirs=dirs), aot_context(binary, lib_dirs=dirs)
    missing = aot_context(binary, lib_dirs=dirs, drop=["libfuse_rt.so"])
    assert first == again and content_tag("r", first) == content_tag("r", again)
    assert content_tag("r", first) != content_tag("r", missing)
    assert content_tag("r", first, "ns1") != content_tag("r", first, "ns2")
    assert "rootfs/app/libfuse_rt.so" in members(first)
    assert "rootfs/app/libfuse_rt.so" not in members(missing)
    assert b"FROM scratch" in members(first)["Dockerfile"]


def test_on_a_base_image_only_the_binary_and_its_own_libraries_go_in(standin_tc: Toolchain) -> None:
    ctx = members(
        aot_context(
            standin_tc.aot_binary.read_bytes(), base="debian:12", lib_dirs=[standin_tc.runtime_lib.parent]
        )
    )
    assert sorted(n for n in ctx if n.startswith("rootfs/")) == [
        "rootfs/app/fuse-aot-demo",
        "rootfs/app/libfuse_rt.so",
    ]
    assert ctx["Dockerfile"].startswith(b"FROM debian:12\n")


def test_the_oom_variant_preloads_the_ballast(standin_tc: Toolchain) -> None:
    ballast = ballast_library()
    assert ballast is not None and ballast[:4] == b"\x7fELF"
    ctx = members(
        aot_context(
            standin_tc.aot_binary.read_bytes(), preload=ballast, lib_dirs=[standin_tc.runtime_lib.parent]
        )
    )
    assert f"rootfs{BALLAST_PATH}" in ctx
    assert f'LD_PRELOAD="{BALLAST_PATH}"'.encode() in ctx["Dockerfile"]


def test_the_fallback_runs_the_package_natively_and_the_broken_one_cannot(standin_tc: Toolchain) -> None:
    fuse = standin_tc.fuse.read_bytes()
    good = members(fallback_context(fuse, app_package()))
    broken = members(fallback_context(fuse, app_package(), broken=True))
    assert b'"run", "--manifest-path", "/app/pkg", "--backend", "native"' in good["Dockerfile"]
    assert "rootfs/app/pkg/fuse.toml" in good and "rootfs/app/pkg/.env" in good
    assert good["rootfs/app/fuse"] == fuse and len(broken["rootfs/app/fuse"]) == 64


def test_a_folder_that_is_not_a_package_is_refused(standin_tc: Toolchain, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a FUSE app package"):
        fallback_context(standin_tc.fuse.read_bytes(), tmp_path)


def test_archive_members_are_read_by_name(tmp_path: Path) -> None:
    release = write_release(tmp_path / "v0.7.1", "v0.7.1")
    assert archive_member(release / "fuse-aot-linux-x64.tar.gz", "AOT_BUILD_INFO.txt").startswith(b"mode=aot")
    with pytest.raises(ConfigError, match="has no member 'fuse'"):
        archive_member(release / "fuse-aot-linux-x64.tar.gz", "fuse")


def test_a_scratch_context_imports_as_its_rootfs_plus_the_dockerfile_metadata(standin_tc: Toolchain) -> None:
    ctx = aot_context(standin_tc.aot_binary.read_bytes(), lib_dirs=[standin_tc.runtime_lib.parent])
    parts = import_parts(ctx)
    assert parts is not None
    rootfs, changes = parts
    files = members(rootfs)
    assert files["app/fuse-aot-demo"] == standin_tc.aot_binary.read_bytes()
    assert "app/libfuse_rt.so" in files and not any(n.startswith("rootfs/") for n in files)
    assert changes[0] == "WORKDIR /app" and changes[-1] == 'ENTRYPOINT ["/app/fuse-aot-demo"]'
    on_base = aot_context(
        standin_tc.aot_binary.read_bytes(), base="debian:12", lib_dirs=[standin_tc.runtime_lib.parent]
    )
    assert import_parts(on_base) is None  # a base image needs the builder


def test_a_failing_compiler_shows_the_tail_of_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cc = tmp_path / "cc"
    cc.write_text("#!/bin/sh\necho 'ballast.c:3: error: pthread.h: No such file' >&2\nexit 1\n")
    cc.chmod(0o755)
    monkeypatch.setenv("CC", str(cc))
    with pytest.raises(InfraError, match=r"(?s)failed \(exit 1\).*pthread\.h: No such file"):
        ballast_library()
