"""Release variants, each named for the one rule it breaks.

`DEFECTS` names them. A defect runs twice: `before` archives are written (edit the bundles) and `after`
the integrity files are written (edit files on disk, so checksums stay honest or not).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

from drills.standard.releases import MTIME, Bundle, Defect, Member, build_info, integrity_files
from drills.standard.sidecar_defects import SIDECAR_DEFECTS


def _bundle(bundles: list[Bundle], name: str) -> Bundle:
    return next(b for b in bundles if b.name == name)


def missing_fallback(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        bundles.remove(_bundle(bundles, "fuse-cli-linux-x64.tar.gz"))


def missing_primary(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        bundles.remove(_bundle(bundles, "fuse-aot-macos-arm64.tar.gz"))


def duplicate_primary(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        twin = _bundle(bundles, "fuse-aot-linux-x64.tar.gz")
        bundles.append(Bundle(name="fuse-aot-linux-x64.zip", members=list(twin.members)))


def wrong_extension(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-cli-windows-x64.zip").name = "fuse-cli-windows-x64.tar.gz"


def cli_without_lsp(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        cli = _bundle(bundles, "fuse-cli-linux-x64.tar.gz")
        cli.members.remove(cli.member("fuse-lsp"))


def aot_without_build_info(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        aot = _bundle(bundles, "fuse-aot-linux-x64.tar.gz")
        aot.members.remove(aot.member("AOT_BUILD_INFO.txt"))


def not_executable(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-cli-macos-arm64.tar.gz").member("fuse").mode = 0o644


def build_info_version(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        aot = _bundle(bundles, "fuse-aot-linux-x64.tar.gz")
        aot.member("AOT_BUILD_INFO.txt").data = (build_info("0.6.9") + "\n").encode()


def build_info_contract(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        aot = _bundle(bundles, "fuse-aot-windows-x64.zip")
        version = aot.member("AOT_BUILD_INFO.txt").data.decode().split(" cli=")[1].split()[0]
        aot.member("AOT_BUILD_INFO.txt").data = (
            build_info(version, "windows-x64", contract="aot-v2") + "\n"
        ).encode()


def build_info_garbage(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        aot = _bundle(bundles, "fuse-aot-linux-x64.tar.gz")
        aot.member("AOT_BUILD_INFO.txt").data = b"mode=aot target x86_64 cli 0.7.0\n"


def path_escape(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-cli-linux-x64.tar.gz").members.append(
            Member("../../etc/cron.d/fuse", b"* * * * * root sh\n")
        )


def absolute_member(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-cli-windows-x64.zip").members.append(Member("/tmp/fuse.exe", b"MZ"))


def link_member(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-aot-linux-x64.tar.gz").members.append(
            Member("libfuse_rt.so", kind="symlink", link="/usr/lib/libc.so.6")
        )


def hardlink_escape(bundles: list[Bundle], dest: Path, phase: str) -> None:
    """A hardlink whose target leaves the archive once read from the root (tar's rule)."""
    if phase == "before":
        _bundle(bundles, "fuse-aot-linux-x64.tar.gz").members.append(
            Member("lib/rt/libfuse_rt.so", kind="hardlink", link="lib/../../etc/passwd")
        )


def too_many_members(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        _bundle(bundles, "fuse-aot-macos-arm64.tar.gz").members += [
            Member(f"pad/{i:05d}", b"") for i in range(1200)
        ]


def bomb(bundles: list[Bundle], dest: Path, phase: str) -> None:
    """A CLI bundle whose extra member unpacks to 1.1 GiB of zeros from ~1 MiB on disk."""
    if phase != "after":
        return
    path = dest / "fuse-cli-linux-x64.tar.gz"
    with tarfile.open(path, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isreg() else b"") for m in tar]  # type: ignore[union-attr]
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w|", format=tarfile.GNU_FORMAT) as tar,
    ):
        for info, data in members:
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("zeros.bin")
        info.size, info.mtime = 1100 * 1024 * 1024, MTIME
        tar.addfile(info, _Zeros(info.size))
    path.write_bytes(raw.getvalue())
    _refresh_integrity(dest)


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return bytes(n)


def _refresh_integrity(dest: Path) -> None:
    stamp = json.loads((dest / "release-artifacts.json").read_text())["generatedAtUtc"]
    integrity_files(dest, stamp)


def corrupt_archive(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "before":
        return
    path = dest / "fuse-aot-macos-arm64.tar.gz"
    path.write_bytes(path.read_bytes()[:200])
    _refresh_integrity(dest)


def checksum_mismatch(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        path = dest / "fuse-cli-macos-arm64.tar.gz"
        data = bytearray(path.read_bytes())
        data[9] ^= 0x01  # the gzip header's OS byte: still a valid archive, other bytes
        path.write_bytes(bytes(data))


def sums_missing_entry(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        sums = dest / "SHA256SUMS"
        lines = sums.read_text().splitlines(keepends=True)
        sums.write_text("".join(line for line in lines if "fuse-cli-windows-x64" not in line))


def sums_malformed(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        sums = dest / "SHA256SUMS"
        sums.write_text(sums.read_text().replace("  fuse-aot-linux", " *fuse-aot-linux", 1))


def sums_missing(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        (dest / "SHA256SUMS").unlink()


def metadata_missing(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        (dest / "release-artifacts.json").unlink()


def metadata_size_mismatch(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        meta = dest / "release-artifacts.json"
        data = json.loads(meta.read_text())
        data["artifacts"][0]["size"] += 1
        meta.write_text(json.dumps(data, indent=2))


def metadata_invalid(bundles: list[Bundle], dest: Path, phase: str) -> None:
    if phase == "after":
        (dest / "release-artifacts.json").write_text('{"generatedAtUtc": "x", "artifacts": 3}')


# variant name -> the edit; `python -m fixtures build-release --defect NAME` offers these
DEFECTS: dict[str, Defect] = {
    "missing-fallback": missing_fallback,
    "missing-primary": missing_primary,
    "duplicate-primary": duplicate_primary,
    "wrong-extension": wrong_extension,
    "cli-without-fuse-lsp": cli_without_lsp,
    "aot-without-build-info": aot_without_build_info,
    "not-executable": not_executable,
    "build-info-version-mismatch": build_info_version,
    "build-info-wrong-contract": build_info_contract,
    "build-info-garbage": build_info_garbage,
    "path-escape-member": path_escape,
    "absolute-member": absolute_member,
    "link-member": link_member,
    "hardlink-escape": hardlink_escape,
    "too-many-members": too_many_members,
    "bomb": bomb,
    "corrupt-archive": corrupt_archive,
    "checksum-mismatch": checksum_mismatch,
    "sums-missing-entry": sums_missing_entry,
    "sums-malformed": sums_malformed,
    "sums-missing": sums_missing,
    "metadata-missing": metadata_missing,
    "metadata-size-mismatch": metadata_size_mismatch,
    "metadata-invalid": metadata_invalid,
}
DEFECTS.update(SIDECAR_DEFECTS)
