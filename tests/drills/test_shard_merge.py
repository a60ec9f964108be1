"""`drill run --shard K/N` and `drill merge`: a deterministic split whose merged shards are
the whole suite, on the behavioural fake engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.drill import drill as drill_cli
from drills.scenario import shard
from drills.scenario.model import SUITES
from harness.errors import ConfigError
from tests.drills.conftest import standard, tools_for

SHA = "0123456789abcdef0123456789abcdef01234567"
STANDARD = sorted(p.stem for p in SUITES["standard"].glob("*.yaml"))


@pytest.fixture
def shards(fake, tmp_path, monkeypatch):
    """Run shard K of N of the standard suite on the fake; returns its report.json."""
    from drills.run import wiring  # noqa: PLC0415

    monkeypatch.setattr(wiring, "real_tools", lambda _work: tools_for(fake))

    def run(spec: str, sha: str = SHA) -> Path:
        out = tmp_path / spec.replace("/", "-of-")
        args = ["run", "--suite", "standard", "--shard", spec, "--out", str(out), "--no-reap"]
        result = CliRunner().invoke(drill_cli, args, env={"GITHUB_SHA": sha})
        assert result.exit_code == 0, result.output
        return out / "report.json"

    return run


@pytest.mark.parametrize("size", [0, 1, 2, 7, 11, 30])
@pytest.mark.parametrize("count", [1, 2, 3, 8])
def test_shards_are_disjoint_and_cover_the_suite(size: int, count: int) -> None:
    names = [f"s{(i * 7919) % 101:03d}" for i in range(size)]  # unsorted, unique
    parts = [shard.names_in(shard.Shard(k, count), names) for k in range(1, count + 1)]
    flat = [name for part in parts for name in part]
    assert sorted(flat) == sorted(names) and len(flat) == len(set(flat))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1  # balanced


def test_the_split_ignores_file_order() -> None:
    scenarios = [standard(name) for name in STANDARD]
    part = shard.Shard(2, 3)
    assert shard.select(part, scenarios) == shard.select(part, scenarios[::-1])
    assert [s.name for s in shard.select(part, scenarios)] == STANDARD[1::3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", "K must be between 1 and N"),
        ("4/3", "K must be between 1 and N"),
        ("1/0", "K must be between 1 and N"),
        ("2", "is not K/N"),
        ("a/b", "is not K/N"),
        ("-1/3", "is not K/N"),
    ],
)
def test_bad_shards_are_exit_2_one_line(text: str, message: str) -> None:
    result = CliRunner().invoke(drill_cli, ["run", "--suite", "standard", "--shard", text])
    assert result.exit_code == 2
    assert result.output.startswith("drill: error: --shard") and result.output.count("\n") == 1
    assert message in result.output


def test_a_shard_that_would_be_empty_is_refused() -> None:
    with pytest.raises(ConfigError, match="use at most 1 shards"):
        shard.select(shard.Shard(2, 2), [standard("crash")])


def test_merged_shards_are_the_whole_suite(shards, tmp_path) -> None:
    reports = [shards(f"{k}/3") for k in (1, 2, 3)]
    first = json.loads(reports[0].read_text())
    assert first["shard"] == "1/3" and first["commit"] == SHA
    assert sorted({r["scope"] for r in first["results"]}) == STANDARD[0::3]
    out = tmp_path / "merged"
    result = CliRunner().invoke(
        drill_cli, ["merge", *map(str, reports), "--report-dir", str(out)], env={"GITHUB_SHA": SHA}
    )
    assert result.exit_code == 0, result.output
    merged = json.loads((out / "report.json").read_text())
    scenarios = {r["scope"] for r in merged["results"] if r["check"] == "drill.verdict"}
    assert sorted(scenarios) == STANDARD
    assert [r["outcome"] for r in merged["results"] if r["check"] == "D001"] == ["passed"] * 3
    assert (out / "junit.xml").is_file() and "drill merge" in (out / "summary.md").read_text()


def test_a_missing_shard_fails_naming_it_and_its_scenarios(shards) -> None:
    reports = [shards("1/3"), shards("3/3")]
    result = CliRunner().invoke(drill_cli, ["merge", *map(str, reports)], env={"GITHUB_SHA": SHA})
    assert result.exit_code == 1, result.output
    assert "failed   D001 shard 2/3" in result.output
    assert ", ".join(STANDARD[1::3]) in result.output


def test_shards_of_another_commit_or_split_or_twice_are_refused(shards) -> None:
    one = shards("1/2")
    for other, message in (
        (shards("2/2", sha="f" * 40), "is not expected"),
        (shards("2/3"), "is not of the same split"),
        (one, "pass each shard once"),
    ):
        result = CliRunner().invoke(drill_cli, ["merge", str(one), str(other)], env={"GITHUB_SHA": SHA})
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and message in result.output
