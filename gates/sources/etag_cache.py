"""An on-disk cache of conditional GETs: URL -> (ETag, JSON body, next page URL).

A 304 answer costs no GitHub rate limit, so repeated gate runs and polling stay cheap.
Entries are keyed by URL and by a hash of the credentials (drafts differ by token); the
token itself is never written. A cache that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import bounded_read

MAX_ENTRY_BYTES = 64 * bounded_read.MiB


@dataclass(frozen=True, kw_only=True)
class Entry:
    etag: str
    body: Any
    next_url: str | None


def default_cache_dir(env: Mapping[str, str]) -> Path:
    if env.get("GATE_CACHE_DIR"):
        return Path(env["GATE_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fuse-release-harness"


class EtagCache:
    def __init__(self, folder: Path, identity: str) -> None:
        self.folder = folder
        self.identity = identity
        self._lock = threading.Lock()

    @classmethod
    def open(cls, root: Path, token: str) -> EtagCache | None:
        folder = root / "github-etags"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        who = hashlib.sha256(f"token:{token}".encode()).hexdigest()[:16] if token else "anonymous"
        return cls(folder, who)

    def _path(self, url: str) -> Path:
        key = hashlib.sha256(f"{self.identity} {url}".encode()).hexdigest()
        return self.folder / f"{key}.json"

    def get(self, url: str) -> Entry | None:
        try:
            data = bounded_read.parse_json(bounded_read.read_bytes(self._path(url), MAX_ENTRY_BYTES))
            return Entry(etag=str(data["etag"]), body=data["body"], next_url=data.get("next"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, url: str, etag: str, body: Any, next_url: str | None) -> None:
        path = self._path(url)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        text = json.dumps({"url": url, "etag": etag, "body": body, "next": next_url})
        with self._lock:
            try:
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
            except OSError:
                tmp.unlink(missing_ok=True)
