"""Fuzz the archive readers with atheris (coverage-guided libFuzzer) for a fixed time.

Every input goes through the tar.gz reader (as the inflated tar stream and as raw gzip),
the zip reader, the build-info parser and the SHA256SUMS line splitter. Findings are the
readers' answers; any exception that escapes them is a bug: atheris prints the input
and its traceback, writes it as crash-<sha1> in the working folder, and the run exits
non-zero.

Usage: python benchmarks/fuzz_archives.py [--seconds 60] [--corpus DIR]
(needs `pip install atheris`, which is the `fuzz` extra: `pip install -e '.[fuzz]'`)
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["gates"]):
    from gates.checks.buildinfo import read_build_info
    from gates.checks.integrity import sums_lines, well_formed_line
    from gates.contract import ArchiveLimits
    from gates.reading.archive import read_tar_gz, read_zip

from tests.gates.hostile import bytes_builder as b  # noqa: E402

LIMITS = ArchiveLimits(max_members=64, max_unpacked_bytes=4 << 20, max_member_bytes=1 << 20)
WANT = frozenset({"AOT_BUILD_INFO.txt"})


def one_input(data: bytes) -> None:
    read_tar_gz(io.BytesIO(gzip.compress(data, compresslevel=0, mtime=0)), LIMITS, WANT)
    read_tar_gz(io.BytesIO(data), LIMITS, WANT)
    read_zip(io.BytesIO(data), LIMITS, WANT)
    text = data.decode("utf-8", "surrogateescape")
    read_build_info(text, copies=1 + len(data) % 2)
    for line in sums_lines(text):
        well_formed_line(line)


def seeds(folder: Path) -> None:
    """A few clean and hostile archives to start from."""
    tar = (
        b.aot_members()
        + b.link("x", ".")
        + b.pax({"path": "a/b"})
        + b.file("c", b"d")
        + b.gnu_long("e" * 120)
    )
    (folder / "tar").write_bytes(tar + b.END)
    (folder / "global").write_bytes(b.pax({"path": "../x"}, b"g") + b.file("f", b"x") + b.END)
    (folder / "zip").write_bytes(b.zip_bytes(b.aot_zip_entries()))
    (folder / "sums").write_bytes(b"0" * 64 + b"  a\r\n" + b"f" * 64 + b"  b\x0c\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--corpus", type=Path, help="keep the corpus here (default: a temp folder)")
    args, rest = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="fuzz-archives-") as tmp:
        corpus = args.corpus or Path(tmp)
        corpus.mkdir(parents=True, exist_ok=True)
        seeds(corpus)
        argv = [sys.argv[0], f"-max_total_time={args.seconds}", "-max_len=65536", "-rss_limit_mb=1024"]
        atheris.Setup([*argv, *rest, str(corpus)], one_input)
        atheris.Fuzz()


if __name__ == "__main__":
    main()
