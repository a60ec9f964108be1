"""A GitHub API that misbehaves ends the run with one infra error (or an A001 finding for
one asset), always bounded: pagination loops, secondary rate limits without retry-after,
slow answers, downloads that lie about their size or never end, JSON nested too deep.

Real HTTP against tests/gates/github_server.py. Fails on the code before the bounds: the
Link loops and the endless download never ended (pytest-timeout fires), the secondary
limit waited a minute per retry, and deep JSON raised RecursionError.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from gates import runner
from gates.contract import load
from gates.sources.github import GitHubSource, open_github
from gates.sources.github_transport import Settings
from harness.errors import InfraError
from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, Fault, State, clients, fake_github, published_line
from tests.gates.test_github_source import Sleeps

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    with fake_github(published_line(tmp_path / "line")) as state:
        yield state


def source(state: State, tmp_path: Path, sleeps: Sleeps | None = None, **settings: object) -> GitHubSource:
    env = {"GITHUB_API_URL": state.base, "GATE_CACHE_DIR": str(tmp_path / "cache")}
    chosen = replace(Settings(api_url=state.base, backoff_s=0.01), **settings)  # type: ignore[arg-type]
    if sleeps is None:
        return open_github(OWNER_REPO, env, "v0.7.x", settings=chosen)
    return open_github(OWNER_REPO, env, "v0.7.x", sleep=sleeps.sleep, clock=sleeps.clock, settings=chosen)


@pytest.mark.parametrize("loop", ["self", "cycle"])
@pytest.mark.parametrize("via", ["stdlib", "requests"])
def test_a_link_loop_is_one_infra_error(github: State, tmp_path: Path, loop: str, via: str) -> None:
    github.link_loop = loop
    with pytest.raises(InfraError, match=r'Link rel="next" points back at a page already read'):
        source(github, tmp_path, api_http=via).releases()
    assert len(github.api_hits(fragment="/releases?")) <= 3  # page 1 is first asked as per_page=100
    assert clients(github) == {via}


def test_a_list_past_the_page_cap_stops(
    github: State, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gates.sources.github_transport.MAX_PAGES", 1)
    with pytest.raises(InfraError, match="more than 1 pages; stopped there"):
        source(github, tmp_path).releases()


SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


def test_a_secondary_limit_without_retry_after_backs_off_within_its_bound(
    github: State, tmp_path: Path
) -> None:
    github.faults.append(Fault("/releases", 403, times=2, body=SECONDARY))
    sleeps = Sleeps()
    tags = {r.tag for r in source(github, tmp_path, sleeps, max_wait_s=90).releases()}
    assert tags == {"v0.7.0", "v0.7.1", "v0.8.0"}
    assert sleeps.calls == [60.0, 90.0]  # a minute, then doubled but capped at max_wait_s


def test_a_secondary_limit_that_persists_is_one_infra_error(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/releases", 403, times=100, body=SECONDARY))
    sleeps = Sleeps()
    with pytest.raises(InfraError, match="rate limit"):
        source(github, tmp_path, sleeps).releases()
    assert sum(sleeps.calls) <= 4 * 90


def test_the_run_budget_ends_the_waiting(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/releases", 403, times=100, body=SECONDARY))
    sleeps = Sleeps()
    with pytest.raises(InfraError, match="would pass this run's 100 s time budget"):
        source(github, tmp_path, sleeps, budget_s=100).releases()
    assert sum(sleeps.calls) <= 100


VIA = pytest.mark.parametrize("via", ["stdlib", "requests"])  # the client of the API's GETs


@VIA
def test_a_slow_api_times_out_within_the_read_timeout(github: State, tmp_path: Path, via: str) -> None:
    github.delay_s = 3
    started = time.monotonic()
    slow = source(github, tmp_path, timeout_s=0.3, retries=1, api_http=via)
    with pytest.raises(InfraError, match=r"cannot reach the server \(ReadTimeout\)"):
        slow.releases()
    assert time.monotonic() - started < 3
    assert (slow.http.stdlib is not None) == (via == "stdlib")  # no answer came to tell


@VIA
def test_a_slow_api_cannot_outlast_the_run_budget(github: State, tmp_path: Path, via: str) -> None:
    github.delay_s = 0.4
    started = time.monotonic()
    with pytest.raises(InfraError, match="time budget"):
        gate = source(github, tmp_path, budget_s=1.0, api_http=via)
        for release in gate.releases():
            gate.assets(release)
    assert time.monotonic() - started < 3
    assert clients(github) == {via}


def _check(state: State, tmp_path: Path) -> dict[str, str]:
    from datetime import UTC, datetime  # noqa: PLC0415

    report = runner.check(
        source(state, tmp_path), "v0.7.1", load(None), lambda: datetime(2026, 3, 12, tzinfo=UTC)
    )
    return {
        f"{r.check} {r.scope}": r.summary for r in report.results if r.outcome.value in ("failed", "error")
    }


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("endless", "goes on past the"),
        ("short", "bytes (Content-Length), the API declared"),
        ("long", "bytes (Content-Length), the API declared"),
    ],
)
def test_a_download_that_lies_about_its_size_is_bounded(
    github: State, tmp_path: Path, mode: str, message: str
) -> None:
    github.download = mode
    problems = _check(github, tmp_path)
    assert any(k.startswith("A001") and message in v for k, v in problems.items()), problems
    if mode == "endless":
        biggest = max(a.path.stat().st_size for r in github.releases for a in r.assets)
        assert github.endless_sent < biggest + (64 << 20)  # stopped near the declared size


def test_an_api_answer_nested_too_deep_is_one_infra_error(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/releases", 200, body="[" * 100_000 + "]" * 100_000))
    with pytest.raises(InfraError, match=r"not the answer of a GitHub REST API .*nested too deep"):
        source(github, tmp_path).releases()


def _gate_check(github: State, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"GITHUB_API_URL": github.base, "GATE_CACHE_DIR": str(tmp_path / "cache")}
    return run_gate("check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}", env=env)


def test_an_api_answer_nested_too_deep_exits_3_in_one_line(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/releases", 200, body="[" * 100_000 + "]" * 100_000))
    proc = _gate_check(github, tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "RecursionError" not in proc.stderr and proc.stderr.count("\n") == 1


def test_a_link_loop_exits_3_in_one_line(github: State, tmp_path: Path) -> None:
    github.link_loop = "self"
    proc = _gate_check(github, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "pagination loops" in proc.stderr


@pytest.mark.parametrize("how", ["rate-limit-wait", "slow-answer"])
def test_sigterm_ends_a_github_run_within_a_second(github: State, tmp_path: Path, how: str) -> None:
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if how == "slow-answer":
        github.delay_s = 100
    else:
        github.faults.append(Fault("/releases", 403, times=1000, body=SECONDARY))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(GITHUB_API_URL=github.base, GATE_CACHE_DIR=str(tmp_path / "cache"))
    gate = str(Path(sys.executable).with_name("gate"))
    args = [gate, "check", "--release", "v0.7.x", "--source", f"github:{OWNER_REPO}"]
    with subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(1.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 1.0


def _asset_list(state: State, size: str) -> str:
    """The asset list of the first release, as the API spells it, with its first size replaced."""
    from tests.gates.github_server import asset_json  # noqa: PLC0415

    items = [asset_json(state, a) for a in state.releases[0].assets]
    text = json.dumps(items)
    return text.replace(f'"size": {items[0]["size"]}', f'"size": {size}', 1)


@pytest.mark.parametrize(
    "size", ["Infinity", "-Infinity", "NaN", "1e400", "-1", "1.5", "true", "1" + "0" * 400]
)
def test_an_asset_size_that_is_no_byte_count_is_one_infra_error(
    github: State, tmp_path: Path, size: str
) -> None:
    github.faults.append(Fault("/assets?", 200, times=100, body=_asset_list(github, size)))
    gate = source(github, tmp_path)
    with pytest.raises(InfraError, match=r"not the answer of a GitHub REST API .*size"):
        gate.assets(next(r for r in gate.releases() if r.tag == "v0.7.0"))


def test_an_infinite_asset_size_exits_3_in_one_line(github: State, tmp_path: Path) -> None:
    github.faults.append(Fault("/assets?", 200, times=100, body=_asset_list(github, "Infinity")))
    proc = _gate_check(github, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "not the answer of a GitHub REST API" in proc.stderr


@pytest.mark.parametrize("reset", ["9" * 12, "9" * 30, "9" * 400])
def test_a_rate_limit_reset_past_any_date_is_one_infra_error(
    github: State, tmp_path: Path, reset: str
) -> None:
    limit = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    github.faults.append(Fault("/releases", 403, times=100, headers=limit, body="API rate limit exceeded"))
    sleeps = Sleeps()
    with pytest.raises(InfraError, match="rate limit reached"):
        source(github, tmp_path, sleeps).releases()
    assert sleeps.calls == []  # no wait past the run's budget was begun


@pytest.mark.parametrize("retry_after", ["9" * 30, "9" * 400])
def test_a_retry_after_past_the_budget_waits_not_at_all(
    github: State, tmp_path: Path, retry_after: str
) -> None:
    github.faults.append(Fault("/releases", 429, times=100, headers={"Retry-After": retry_after}))
    sleeps = Sleeps()
    with pytest.raises(InfraError, match="rate limit reached"):
        source(github, tmp_path, sleeps).releases()
    assert sleeps.calls == []
