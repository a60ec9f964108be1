"""The app section of a scenario: the user's own FUSE service, drilled with their binaries.

What it names: the package (its `fuse.toml`), the candidate and previous AOT binaries (a
file, or a member of a release archive), the fallback CLI bundle (`fuse-cli-<platform>.tar.gz`
by path, from a release folder or from a GitHub release), the health path, the port
variables, the environment and the state the service needs before it can be healthy (a
setup command run once in the fallback image, a data folder).

The environment: FUSE's AOT reads only its process env, while `fuse run` also loads
`<pkg>/.env` (contract §3.8, §4.2). So the package's `.env` is read here and given to both
backends the same way, explicitly, then `app.env`, then each backend's own additions; the
harness sets `FUSE_HOST` and the port variables last, as the container's port is its own.

A GitHub release (`release: github:OWNER/REPO` with `tag:`) is fetched by the command line,
which alone may use the gate's GitHub source: the loader is handed a `FetchBundle` that turns
a `RemoteBundle` into a local file, and without one it refuses the section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import bounded_read
from harness.errors import ConfigError

PORT = 8080  # the container port every deployment serves on
APP_DIR = "/app"
PKG_DIR = "/app/pkg"  # where the fallback image holds the package
PLATFORM = "linux-x64"
CLI_BUNDLE = f"fuse-cli-{PLATFORM}.tar.gz"
PORT_VARS = ("APP_PORT", "PORT")  # v1.1 reads APP_PORT only; v0.7 APP_PORT, else PORT
HOST_ENV = {"FUSE_HOST": "0.0.0.0"}  # noqa: S104 - inside the container
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DB_URL_RE = re.compile(r"sqlite:(?://)?(?P<path>[^?]+)")
_ENV_NAME_RE = re.compile(r"\b(?:set|export)\s+(?P<name>[A-Z][A-Z0-9_]{2,})\b")
GITHUB = "github:"


@dataclass(frozen=True, kw_only=True)
class RemoteBundle:
    """A fallback CLI bundle of a GitHub release: `fuse-cli-<platform>.tar.gz` of `repo`'s `tag`."""

    repo: str  # OWNER/REPO
    tag: str
    platform: str = PLATFORM

    @property
    def asset(self) -> str:
        return f"fuse-cli-{self.platform}.tar.gz"


# (the bundle, the scenario key naming it) -> a local copy of it; ConfigError/InfraError else
FetchBundle = Callable[[RemoteBundle, str], Path]


@dataclass(frozen=True, kw_only=True)
class Binary:
    """A binary on disk, or a member of a .tar.gz release archive."""

    path: Path
    member: str | None = None  # None: `path` is the binary itself


@dataclass(frozen=True, kw_only=True)
class Setup:
    command: tuple[str, ...]  # run once in the fallback image, env as the fallback's
    keep: tuple[str, ...]  # absolute paths in the container it leaves for every deployment
    timeout_s: float = 120.0


@dataclass(frozen=True, kw_only=True)
class DataFolder:
    path: Path  # a host folder
    into: str = APP_DIR  # where its files go in every deployment


@dataclass(frozen=True, kw_only=True)
class App:
    package: Path
    candidate: Binary
    previous: Binary | None
    fallback_bundle: Path
    lib_dirs: tuple[Path, ...] = ()
    port_vars: tuple[str, ...] = PORT_VARS
    dotenv: Mapping[str, str] = field(default_factory=dict)  # what <package>/.env says
    setup: Setup | None = None
    data: DataFolder | None = None

    def dirs_for(self, binary: Binary) -> tuple[Path, ...]:
        """Where a binary's own libraries are: `lib_dirs`, and the binary's folder (`fuse
        build` puts them beside program.aot, found through rpath $ORIGIN)."""
        return (*self.lib_dirs, binary.path.parent) if binary.member is None else self.lib_dirs


def parse_dotenv(text: str, where: str) -> dict[str, str]:
    """`.env` as FUSE's CLI reads it: KEY=VALUE, an optional `export `, surrounding quotes,
    `#` comments (whole lines, or after an unquoted value)."""
    env: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY_RE.fullmatch(key):
            raise ConfigError(f"{where}:{n}: expected KEY=VALUE, got {raw.strip()[:80]!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].rstrip()
        env[key] = value
    return env


def read_dotenv(package: Path, origin: str) -> dict[str, str]:
    path = package / ".env"
    if not path.is_file():
        return {}
    try:
        text = bounded_read.read_text(path, bounded_read.MiB)  # a regular file, and small
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{origin}: app.package: cannot read {path} ({exc})") from exc
    return parse_dotenv(text, str(path))


def backend_env(
    app_doc: Mapping[str, Any], dotenv: Mapping[str, str], backend: str, port_vars: tuple[str, ...]
) -> dict[str, str]:
    """The env one backend ('aot' or 'native') gets: .env, app.env, app.<backend>_env, then
    the harness's host and port (the container's own)."""
    ports = {name: str(PORT) for name in port_vars}
    return {**dotenv, **app_doc.get("env", {}), **app_doc.get(f"{backend}_env", {}), **HOST_ENV, **ports}


def _resolve(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (base / path).resolve()


def _binary(base: Path, value: str | Mapping[str, Any]) -> Binary:
    if isinstance(value, str):
        return Binary(path=_resolve(base, value))
    return Binary(path=_resolve(base, value["archive"]), member=value.get("member", "fuse-aot-demo"))


def _bundle(base: Path, value: Mapping[str, Any], origin: str, fetch: FetchBundle | None) -> Path:
    if "bundle" in value:
        return _resolve(base, value["bundle"])
    if value["release"].startswith(GITHUB):
        return _remote(value, origin, fetch)
    release = _resolve(base, value["release"])
    tag = value.get("tag")
    folder = release / tag if tag else release
    return folder / f"fuse-cli-{value.get('platform', PLATFORM)}.tar.gz"


def _remote(value: Mapping[str, Any], origin: str, fetch: FetchBundle | None) -> Path:
    where = f"{origin}: app.fallback"
    if "tag" not in value:
        raise ConfigError(f"{where}.tag: a GitHub release is named by its tag; add tag: (e.g. tag: v1.1.0)")
    if fetch is None:
        raise ConfigError(
            f"{where}.release: {value['release']} is fetched by `drill validate` and `drill run` only; "
            "run one of them, or name a local bundle"
        )
    ref = RemoteBundle(
        repo=value["release"].removeprefix(GITHUB), tag=value["tag"], platform=value.get("platform", PLATFORM)
    )
    return fetch(ref, where)


def db_file(env: Mapping[str, str]) -> str | None:
    """The container path of the SQLite file FUSE_DB_URL names (relative: to the CWD, /app)."""
    url = env.get("FUSE_DB_URL", "")
    match = _DB_URL_RE.fullmatch(url)
    if match is None or match["path"].startswith(":memory:"):
        return None
    path = match["path"]
    return path if path.startswith("/") else f"{APP_DIR}/{path.removeprefix('./')}"


def _setup(
    doc: Mapping[str, Any] | None, native_env: Mapping[str, str], origin: str, package: Path
) -> Setup | None:
    if doc is None:
        return None
    keep = tuple(doc.get("keep", ()))
    if not keep and (package / "fuse.toml").is_file():  # else check_paths refuses the package
        found = db_file(native_env)
        if found is None:
            raise ConfigError(
                f"{origin}: app.setup.keep: name the files the setup leaves for every deployment "
                "(no sqlite FUSE_DB_URL in the fallback's env to default to)"
            )
        keep = (found,)
    return Setup(command=tuple(doc["command"]), keep=keep, timeout_s=float(doc.get("timeout_s", 120.0)))


def from_document(
    doc: Mapping[str, Any], base: Path, origin: str, fetch: FetchBundle | None = None
) -> tuple[App, dict[str, str], dict[str, str]]:
    """(App, AOT env, native env) from a validated `app` section; `fetch` gets a GitHub
    release's bundle."""
    package = _resolve(base, doc["package"])
    dotenv = read_dotenv(package, origin) if doc.get("env_file", True) and package.is_dir() else {}
    port_vars = tuple(doc.get("port_env", PORT_VARS))
    aot_env = backend_env(doc, dotenv, "aot", port_vars)
    native_env = backend_env(doc, dotenv, "native", port_vars)
    aot = doc["aot"]
    data = doc.get("data")
    app = App(
        package=package,
        candidate=_binary(base, aot["candidate"]),
        previous=None if aot.get("previous") is None else _binary(base, aot["previous"]),
        fallback_bundle=_bundle(base, doc["fallback"], origin, fetch),
        lib_dirs=tuple(_resolve(base, d) for d in aot.get("lib_dirs", ())),
        port_vars=port_vars,
        dotenv=dotenv,
        setup=_setup(doc.get("setup"), native_env, origin, package),
        data=None
        if data is None
        else DataFolder(path=_resolve(base, data["path"]), into=data.get("into", APP_DIR)),
    )
    return app, aot_env, native_env


def check_paths(app: App, origin: str) -> None:
    """Every file and folder the section names exists."""
    if not (app.package / "fuse.toml").is_file():
        raise ConfigError(
            f"{origin}: app.package: {app.package} has no fuse.toml; point it at a FUSE package"
        )
    for key, binary in (("aot.candidate", app.candidate), ("aot.previous", app.previous)):
        if binary is not None and not binary.path.is_file():
            raise ConfigError(
                f"{origin}: app.{key}: {binary.path}: no such file; build it with "
                "`fuse build --release` (writes .fuse/build/program.aot) or name the binary"
            )
    if not app.fallback_bundle.is_file():
        raise ConfigError(
            f"{origin}: app.fallback: {app.fallback_bundle}: no such file; name the FUSE release's "
            f"{CLI_BUNDLE} (bundle: PATH, release: FOLDER with tag:, or release: github:OWNER/REPO with tag:)"
        )
    for n, lib in enumerate(app.lib_dirs):
        if not lib.is_dir():
            raise ConfigError(f"{origin}: app.aot.lib_dirs[{n}]: {lib} is not a folder")
    if app.data is not None and not app.data.path.is_dir():
        raise ConfigError(f"{origin}: app.data.path: {app.data.path} is not a folder")


def hint(body: str, aot_env: Mapping[str, str]) -> str:
    """What a deployment's unhealthy answer says is missing, in the scenario's words."""
    named = _ENV_NAME_RE.search(body)
    if named and named["name"] not in aot_env:
        return (
            f"{named['name']} is not in the AOT's environment (FUSE's AOT ignores .env): "
            "set it in the package's .env or in app.env / app.aot_env"
        )
    if "no such table" in body:
        return (
            "the database is not set up: add app.setup (e.g. command: [fuse, migrate, "
            f"--manifest-path, {PKG_DIR}]) or app.data"
        )
    return "fix the service or the scenario's app section first"
