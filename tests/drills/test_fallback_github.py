"""An app section's fallback bundle from a GitHub release, fetched by the command line
through the gate's GitHub source from the local fake GitHub (tests/gates/github_server.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from cli.drill import drill
from cli.drill_bundles import github_fetcher
from drills.scenario.model import load
from drills.standard.releases import PUBLISHED, write_release
from drills.standard.toolchain import Toolchain, app_package, build_toolchain
from harness.errors import ConfigError, InfraError
from tests.gates.github_server import OWNER_REPO, PUSH_TOKEN, State, env_for, fake_github

TAG = "v0.7.1"
BUNDLE = "fuse-cli-linux-x64.tar.gz"


@pytest.fixture(scope="module")
def tc() -> Toolchain:
    return build_toolchain("0.7.1")


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return write_release(tmp_path / "published" / TAG, TAG)


@pytest.fixture
def github(release: Path) -> Iterator[State]:
    state = State(page_size=2)
    state.add_release(release, TAG, PUBLISHED[TAG])
    with fake_github(state) as served:
        yield served


def scenario(tmp_path: Path, tc: Toolchain, **fallback: str) -> Path:
    section = {
        "package": str(app_package()),
        "aot": {"candidate": str(tc.aot_binary)},
        "fallback": {"release": f"github:{OWNER_REPO}", "tag": TAG, "platform": "linux-x64", **fallback},
    }
    path = tmp_path / "s.yaml"
    doc = {"name": "s", "fault": {"id": "crash"}, "expect": {"fallback": True}, "app": section}
    path.write_text(yaml.safe_dump(doc))
    return path


def invoke(state: State, tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(drill, list(args), env=env_for(state, tmp_path))


def kept(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "bundles" / OWNER_REPO / TAG / BUNDLE


def test_validate_fetches_the_releases_bundle_once_and_verified(
    github: State, tmp_path: Path, tc: Toolchain, release: Path
) -> None:
    path = scenario(tmp_path, tc)
    result = invoke(github, tmp_path, "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok ")
    assert kept(tmp_path).read_bytes() == (release / BUNDLE).read_bytes()
    downloads = len(github.storage_hits)
    assert downloads == 1
    fetch = github_fetcher(env_for(github, tmp_path))
    loaded = load(path, fetch)
    assert loaded.app is not None and loaded.app.fallback_bundle == kept(tmp_path)
    assert len(github.storage_hits) == downloads  # the kept copy still matches the digest
    assert PUSH_TOKEN not in result.output


def test_a_kept_copy_that_no_longer_matches_is_fetched_again(
    github: State, tmp_path: Path, tc: Toolchain, release: Path
) -> None:
    path = scenario(tmp_path, tc)
    assert invoke(github, tmp_path, "validate", str(path)).exit_code == 0
    kept(tmp_path).write_bytes(b"changed on disk")
    cache = tmp_path / "cache" / "assets"
    for entry in cache.rglob("*"):  # and the asset cache's copy too, so it is downloaded anew
        if entry.is_file():
            entry.unlink()
    assert invoke(github, tmp_path, "validate", str(path)).exit_code == 0
    assert kept(tmp_path).read_bytes() == (release / BUNDLE).read_bytes()
    assert len(github.storage_hits) == 2


@pytest.mark.parametrize("command", ["validate", "run"])
def test_an_unknown_tag_is_one_config_line_for_validate_and_run(
    github: State, tmp_path: Path, tc: Toolchain, command: str
) -> None:
    path = scenario(tmp_path, tc, tag="v9.9.9")
    result = invoke(
        github, tmp_path, command, str(path), *(["--out", str(tmp_path / "o")] * (command == "run"))
    )
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"s.yaml: app.fallback.tag: github:{OWNER_REPO} has no published release v9.9.9" in result.output
    assert not (tmp_path / "o").exists()  # refused before the run began


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_release_without_the_platforms_bundle_is_refused(
    github: State, tmp_path: Path, tc: Toolchain, command: str
) -> None:
    release = github.releases[0]
    release.assets = [a for a in release.assets if a.name != BUNDLE]
    path = scenario(tmp_path, tc)
    result = invoke(
        github, tmp_path, command, str(path), *(["--out", str(tmp_path / "o")] * (command == "run"))
    )
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1
    assert f"s.yaml: app.fallback.platform: github:{OWNER_REPO} {TAG} has no {BUNDLE}" in result.output
    assert "its CLI bundles: fuse-cli-macos-arm64.tar.gz, fuse-cli-windows-x64.zip" in result.output


def test_bytes_that_do_not_match_the_published_digest_are_not_kept(
    github: State, tmp_path: Path, tc: Toolchain
) -> None:
    asset = next(a for a in github.releases[0].assets if a.name == BUNDLE)
    asset.digest = "sha256:" + hashlib.sha256(b"another file").hexdigest()
    result = invoke(github, tmp_path, "validate", str(scenario(tmp_path, tc)))
    assert result.exit_code == 3, result.output
    assert "app.fallback: " in result.output and "not the published sha256:" in result.output
    assert not kept(tmp_path).exists()
    assert list(kept(tmp_path).parent.iterdir()) == []  # no part file left either


def test_without_a_published_digest_the_releases_sha256sums_verifies_it(
    github: State, tmp_path: Path, tc: Toolchain, release: Path
) -> None:
    asset = next(a for a in github.releases[0].assets if a.name == BUNDLE)
    asset.digest = None
    path = scenario(tmp_path, tc)
    assert invoke(github, tmp_path, "validate", str(path)).exit_code == 0
    assert kept(tmp_path).read_bytes() == (release / BUNDLE).read_bytes()
    sums = next(a for a in github.releases[0].assets if a.name == "SHA256SUMS")
    sums.path.write_text(f"{'0' * 64}  {BUNDLE}\n")  # a release whose SHA256SUMS says otherwise
    sums.digest = "sha256:" + hashlib.sha256(sums.path.read_bytes()).hexdigest()
    kept(tmp_path).unlink()
    result = invoke(github, tmp_path, "validate", str(path))
    assert result.exit_code == 3, result.output
    assert f"not the published sha256:{'0' * 64}" in result.output


def test_an_unreachable_github_is_an_infrastructure_error(tmp_path: Path, tc: Toolchain) -> None:
    env = {"GITHUB_API_URL": "http://127.0.0.1:9", "GATE_CACHE_DIR": str(tmp_path / "cache")}
    fetch = github_fetcher(env, sleep=lambda _s: None)
    with pytest.raises(InfraError, match=r"s\.yaml: app\.fallback: GET .*: cannot reach the server") as exc:
        load(scenario(tmp_path, tc), fetch)
    assert exc.value.exit_code == 3


def test_a_github_release_needs_a_tag_and_the_command_lines_fetcher(tmp_path: Path, tc: Toolchain) -> None:
    path = scenario(tmp_path, tc)
    with pytest.raises(ConfigError, match=r"app\.fallback\.release: github:owner/repo is fetched by `drill"):
        load(path)
    doc = yaml.safe_load(path.read_text())
    del doc["app"]["fallback"]["tag"]
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(
        ConfigError, match=r"s\.yaml: app\.fallback\.tag: a GitHub release is named by its tag"
    ):
        load(path, github_fetcher({}))


def test_init_names_the_github_release_and_its_suite_validates(
    github: State, tmp_path: Path, tc: Toolchain, release: Path
) -> None:
    out = tmp_path / "suite"
    args = ["init", "--app", str(app_package()), "--aot", str(tc.aot_binary), "--out", str(out)]
    result = invoke(github, tmp_path, *args, "--release", f"github:{OWNER_REPO}", "--tag", TAG)
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((out / "crash.yaml").read_text())
    assert doc["app"]["fallback"] == {"release": f"github:{OWNER_REPO}", "tag": TAG}
    assert kept(tmp_path).read_bytes() == (release / BUNDLE).read_bytes()
    assert invoke(github, tmp_path, "validate", str(out)).exit_code == 0
    assert len(github.storage_hits) == 1  # eleven scenarios, one download


def test_init_with_a_github_release_needs_a_tag(github: State, tmp_path: Path, tc: Toolchain) -> None:
    args = ["init", "--app", str(app_package()), "--aot", str(tc.aot_binary), "--out", str(tmp_path / "s")]
    result = invoke(github, tmp_path, *args, "--release", f"github:{OWNER_REPO}")
    assert result.exit_code == 2
    assert "--release github:owner/repo: a GitHub release is named by its tag; add --tag" in result.output
    missing = invoke(github, tmp_path, *args, "--release", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "nowhere: no such file or folder" in missing.output


def test_a_sha256sums_that_is_not_its_published_self_verifies_nothing(
    github: State, tmp_path: Path, tc: Toolchain
) -> None:
    next(a for a in github.releases[0].assets if a.name == BUNDLE).digest = None
    sums = next(a for a in github.releases[0].assets if a.name == "SHA256SUMS")
    sums.path.write_text(sums.path.read_text() + "\n")  # its published digest is of the old bytes
    result = invoke(github, tmp_path, "validate", str(scenario(tmp_path, tc)))
    assert result.exit_code == 3, result.output
    assert "SHA256SUMS: its bytes hash to sha256:" in result.output
    assert not kept(tmp_path).exists()


def test_a_rejected_token_is_a_config_line_naming_the_key_and_never_the_token(
    github: State, tmp_path: Path, tc: Toolchain
) -> None:
    bad = "ghp_NOTvalidNOTvalid0123456789"
    env = {**env_for(github, tmp_path), "GITHUB_TOKEN": bad}
    result = CliRunner().invoke(drill, ["validate", str(scenario(tmp_path, tc))], env=env)
    assert result.exit_code == 2, result.output
    assert "s.yaml: app.fallback: GET " in result.output and "GITHUB_TOKEN was rejected" in result.output
    assert bad not in result.output
