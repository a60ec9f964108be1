"""The app section: .env read like FUSE's CLI and given to both backends, the harness's port
and host last, the section's paths checked, setup files defaulted from FUSE_DB_URL, and the
hint a deploy failure's answer gives."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest
import yaml

from drills.engine.images import aot_context, layer_parts
from drills.scenario.app import backend_env, db_file, hint, parse_dotenv
from drills.scenario.model import load
from drills.standard.toolchain import Toolchain, build_toolchain, notes_package
from harness.errors import ConfigError

DB_500 = (
    '{"error":{"code":"internal_error","message":"db url not configured (set FUSE_DB_URL or App.dbUrl)"}}'
)


@pytest.fixture(scope="module")
def tc() -> Toolchain:
    return build_toolchain("0.7.1")


def test_dotenv_reads_export_quotes_and_comments() -> None:
    text = "# a comment\nexport A=1\nB=\"two words\"\nC='x#y'\nD=plain # trailing\n\nE=\n"
    assert parse_dotenv(text, ".env") == {"A": "1", "B": "two words", "C": "x#y", "D": "plain", "E": ""}


@pytest.mark.parametrize("line", ["no equals sign", "1BAD=x", "=x"])
def test_dotenv_refuses_a_line_it_cannot_read_naming_file_and_line(line: str) -> None:
    with pytest.raises(ConfigError, match=r"^pkg/\.env:2: expected KEY=VALUE"):
        parse_dotenv(f"A=1\n{line}\n", "pkg/.env")


def test_both_backends_get_dotenv_then_additions_then_the_harness_port_and_host() -> None:
    doc = {"env": {"B": "app"}, "aot_env": {"C": "aot"}, "native_env": {"C": "native"}}
    dotenv = {"APP_PORT": "3000", "B": "dotenv", "FUSE_DB_URL": "sqlite://x.db", "FUSE_HOST": "127.0.0.1"}
    aot = backend_env(doc, dotenv, "aot", ("APP_PORT", "PORT"))
    native = backend_env(doc, dotenv, "native", ("APP_PORT",))
    assert aot == {
        "APP_PORT": "8080",
        "PORT": "8080",
        "B": "app",
        "C": "aot",
        "FUSE_DB_URL": "sqlite://x.db",
        "FUSE_HOST": "0.0.0.0",
    }
    assert native["C"] == "native" and native["FUSE_DB_URL"] == "sqlite://x.db" and "PORT" not in native


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite://notes.db", "/app/notes.db"),
        ("sqlite:///data/n.db", "/data/n.db"),
        ("sqlite:./a.db", "/app/a.db"),
    ],
)
def test_db_file_follows_the_url_relative_to_the_cwd(url: str, path: str) -> None:
    assert db_file({"FUSE_DB_URL": url}) == path


def test_db_file_none_for_memory_or_other_schemes() -> None:
    assert db_file({"FUSE_DB_URL": "sqlite::memory:"}) is None
    assert db_file({"FUSE_DB_URL": "postgres://x"}) is None
    assert db_file({}) is None


def test_hint_names_the_variable_the_aot_lacks_and_the_missing_setup() -> None:
    assert hint(DB_500, {}).startswith(
        "FUSE_DB_URL is not in the AOT's environment (FUSE's AOT ignores .env)"
    )
    assert "add app.setup" in hint('{"message":"no such table: notes"}', {})
    assert (
        hint(DB_500, {"FUSE_DB_URL": "sqlite://x"}) == "fix the service or the scenario's app section first"
    )


def write_app_scenario(tmp_path: Path, tc: Toolchain, **app: object) -> Path:
    pkg = shutil.copytree(notes_package(), tmp_path / "pkg")
    bundle = tmp_path / "fuse-cli-linux-x64.tar.gz"
    bundle.write_bytes(b"not read at load")
    section = {
        "package": "pkg",
        "aot": {"candidate": str(tc.notes_aot)},
        "fallback": {"bundle": bundle.name},
        "health_path": "/api/public/notes",
        "setup": {"command": ["fuse", "migrate", "--manifest-path", "/app/pkg"]},
        **app,
    }
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump({"name": "s", "fault": {"id": "crash"}, "expect": {"fallback": True}, "app": section})
    )
    assert Path(pkg).is_dir()
    return path


def test_an_app_scenario_gives_dotenv_to_both_backends(tmp_path: Path, tc: Toolchain) -> None:
    s = load(write_app_scenario(tmp_path, tc, aot_env={"X": "1"}))
    assert s.app is not None and s.app.dotenv == {"APP_PORT": "3000", "FUSE_DB_URL": "sqlite://notes.db"}
    assert s.aot_env["FUSE_DB_URL"] == s.native_env["FUSE_DB_URL"] == "sqlite://notes.db"
    assert s.aot_env["APP_PORT"] == s.native_env["APP_PORT"] == "8080"  # not .env's 3000
    assert s.aot_env["X"] == "1" and "X" not in s.native_env
    assert (s.health_path, s.load_path) == ("/api/public/notes", "/api/public/notes")
    assert s.app.setup is not None and s.app.setup.keep == ("/app/notes.db",)  # from FUSE_DB_URL
    assert s.app.previous is None and s.release.previous is None


def test_env_file_false_leaves_dotenv_out_and_setup_needs_keep(tmp_path: Path, tc: Toolchain) -> None:
    with pytest.raises(ConfigError, match=r"s\.yaml: app\.setup\.keep: name the files the setup leaves"):
        load(write_app_scenario(tmp_path, tc, env_file=False))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"aot": {"candidate": "missing.aot"}},
            r"app\.aot\.candidate: .*missing\.aot: no such file; build it",
        ),
        ({"fallback": {"bundle": "nope.tar.gz"}}, r"app\.fallback: .*nope\.tar\.gz: no such file"),
        ({"package": "."}, r"app\.package: .* has no fuse\.toml"),
        ({"data": {"path": "seed"}}, r"app\.data\.path: .*seed is not a folder"),
    ],
)
def test_the_section_names_the_key_whose_path_is_wrong(
    tmp_path: Path, tc: Toolchain, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load(write_app_scenario(tmp_path, tc, **change))


def test_app_and_release_are_exclusive(tmp_path: Path, tc: Toolchain) -> None:
    path = write_app_scenario(tmp_path, tc)
    doc = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**doc, "health_path": "/health"}))
    with pytest.raises(ConfigError, match=r"s\.yaml: health_path: not with an app section"):
        load(path)


def test_a_base_image_context_becomes_one_layer_of_its_files_and_instructions(tc: Toolchain) -> None:
    data = {"/app/notes.db": b"table notes\n"}
    base, rootfs, changes = layer_parts(aot_context(tc.notes_aot.read_bytes(), base="debian:12", data=data))
    with tarfile.open(fileobj=io.BytesIO(rootfs)) as tar:
        names = set(tar.getnames())
    # on a base only the binary and the data go in (glibc comes with the base)
    assert base == "debian:12" and names == {"app/fuse-aot-demo", "app/notes.db"}
    assert changes[0] == "WORKDIR /app" and changes[-1] == 'ENTRYPOINT ["/app/fuse-aot-demo"]'
    scratch, _, _ = layer_parts(aot_context(tc.notes_aot.read_bytes(), data=data))
    assert scratch is None
