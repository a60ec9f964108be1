"""`drill init`: a ready suite for your own FUSE service, one scenario per fault and control
of the catalogue, written from the standard suite's tuning with an app section in place of
the fixture release.

What it finds by itself: the AOT `fuse build --release` wrote (`[build].native_bin`, else
`.fuse/build/program.aot`), the CLI bundle in the release folder (a GitHub release,
`github:OWNER/REPO` with a tag, is named as such and fetched when the suite is checked), the health path (the
package's own `get "/health"`, else the reference service's `/api/public/notes`) and a
setup (`fuse migrate`) when the package declares migrations. Every path in the files is
relative to the suite folder, so the suite moves with the repository.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from drills.scenario.app import CLI_BUNDLE, GITHUB, PKG_DIR
from drills.scenario.model import SUITES
from harness.errors import ConfigError

HEADER = "# Written by `drill init`; edit freely, `drill validate` checks it.\n"
NOT_APP = ("release", "app_package", "health_path", "aot_env", "base_image", "recover_to_aot")
_HEALTH_RE = re.compile(r'^\s*get\s+"/health"', re.MULTILINE)
_NOTES_RE = re.compile(r'^\s*get\s+"/api/public/notes"', re.MULTILINE)
_MIGRATION_RE = re.compile(r"^\s*migration\b", re.MULTILINE)


@dataclass(frozen=True, kw_only=True)
class InitOptions:
    app: Path
    release: Path | str  # a release folder (a line folder with `tag`), the bundle, or github:OWNER/REPO
    out: Path
    tag: str | None = None
    aot: Path | None = None  # default: what `fuse build --release` wrote
    previous_aot: Path | None = None  # containment on it; None: containment is skipped
    health_path: str | None = None  # default: found in the package's sources


def _manifest(app: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((app / "fuse.toml").read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--app: {app}: no fuse.toml ({exc.strerror}); point it at a FUSE package") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--app: {app / 'fuse.toml'}: not valid TOML ({exc})") from exc


def built_aot(app: Path) -> Path:
    """Where `fuse build --release` put the package's AOT binary."""
    native_bin = _manifest(app).get("build", {}).get("native_bin")
    path = app / native_bin if isinstance(native_bin, str) else app / ".fuse" / "build" / "program.aot"
    if not path.is_file():
        raise ConfigError(
            f"--aot: {path}: no AOT binary; build it first (`fuse build --manifest-path {app} --release`) "
            "or name it with --aot"
        )
    return path


def release_source(text: str, tag: str | None) -> Path | str:
    """--release as given: github:OWNER/REPO (which needs --tag), else a path that exists."""
    if text.startswith(GITHUB):
        if tag is None:
            raise ConfigError(
                f"--release {text}: a GitHub release is named by its tag; add --tag (e.g. v1.1.0)"
            )
        return text
    if not Path(text).exists():
        raise ConfigError(
            f"--release: {text}: no such file or folder; name a FUSE release folder, the bundle, "
            "or github:OWNER/REPO with --tag"
        )
    return Path(text)


def _bundle(release: Path | str, tag: str | None) -> dict[str, str]:
    """The fallback's source: a GitHub release, the bundle itself, or the release folder holding it."""
    if isinstance(release, str):
        return {"release": release, "tag": tag or ""}
    release = release.resolve()
    if release.is_file():
        return {"bundle": str(release)}
    folder = release / tag if tag else release
    if not (folder / CLI_BUNDLE).is_file():
        raise ConfigError(
            f"--release: {folder} holds no {CLI_BUNDLE}; name a FUSE release folder (or a line folder "
            "with --tag), or the bundle itself"
        )
    return {"release": str(release), **({"tag": tag} if tag else {})}


def _sources(app: Path) -> str:
    files = [
        p for p in sorted(app.rglob("*.fuse")) if p.is_file() and ".fuse" not in p.relative_to(app).parts[:-1]
    ]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def app_section(opts: InitOptions) -> dict[str, Any]:
    """The app section every scenario of the suite shares (paths absolute here)."""
    app = opts.app.resolve()
    _manifest(app)
    sources = _sources(app)
    health = opts.health_path or (
        "/api/public/notes" if _NOTES_RE.search(sources) and not _HEALTH_RE.search(sources) else "/health"
    )
    aot: dict[str, Any] = {"candidate": str((opts.aot or built_aot(app)).resolve())}
    if opts.previous_aot is not None:
        aot["previous"] = str(opts.previous_aot.resolve())
    section: dict[str, Any] = {
        "package": str(app),
        "aot": aot,
        "fallback": _bundle(opts.release, opts.tag),
        "health_path": health,
    }
    if _MIGRATION_RE.search(sources):
        section["setup"] = {"command": ["fuse", "migrate", "--manifest-path", PKG_DIR]}
    return section


def _relative(section: dict[str, Any], out: Path) -> dict[str, Any]:
    """Paths relative to the suite folder."""

    def rel(value: str) -> str:
        return os.path.relpath(value, out)

    section = {**section, "package": rel(section["package"])}
    section["aot"] = {k: rel(v) for k, v in section["aot"].items()}
    section["fallback"] = {
        k: rel(v) if k in ("bundle", "release") and not v.startswith(GITHUB) else v
        for k, v in section["fallback"].items()
    }
    return section


def write_suite(opts: InitOptions) -> list[Path]:
    """One scenario file per standard-suite scenario in `opts.out`; the files written."""
    out = opts.out.resolve()
    section = app_section(opts)
    out.mkdir(parents=True, exist_ok=True)
    section = _relative(section, out)
    if "previous" not in section["aot"]:
        section["aot"]["previous"] = None
    written = []
    for template in sorted(SUITES["standard"].glob("*.yaml")):
        doc = yaml.safe_load(template.read_text(encoding="utf-8"))
        doc = {k: v for k, v in doc.items() if k not in NOT_APP}
        doc["app"] = section
        target = out / template.name
        target.write_text(HEADER + yaml.safe_dump(doc, sort_keys=False, width=100), encoding="utf-8")
        written.append(target)
    return written
