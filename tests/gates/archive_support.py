"""Shared by the gate's boundary tests: real .tar.gz bytes built member by member."""

from __future__ import annotations

import gzip
import io
import tarfile


def tar_gz(*members: tuple[str, bytes, bytes]) -> bytes:
    """(name, tar type, data) triples as a real .tar.gz."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size = kind, 0o755, len(data)
            if kind == tarfile.SYMTYPE:
                info.linkname, info.size = "README.txt", 0
            tar.addfile(info, io.BytesIO(data) if data else None)
    return gzip.compress(raw.getvalue())
