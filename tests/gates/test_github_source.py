"""The GitHub source against a real local HTTP server (no mocking of requests).

Tests taking `via` run twice: the API's GETs through the http.client client (what a run
without a proxy uses) and through requests (what a proxy makes it use); `clients` checks,
from what the server saw, that the run went the way it was meant to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

from drills.standard.releases import PUBLISHED, write_release
from gates import contract, prune, runner
from gates.sources.folder import FolderSource
from gates.sources.github import GitHubSource, Settings, open_github
from harness.errors import ConfigError, InfraError
from tests.gates.github_server import (
    LINE,
    OWNER_REPO,
    PUSH_TOKEN,
    READ_TOKEN,
    Fault,
    State,
    clients,
    fake_github,
    published_line,
)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[State]:
    """Three published releases, a draft v0.7.2, pages of two items."""
    state = published_line(tmp_path / "line")
    draft = write_release(tmp_path / "drafts" / "v0.7.2", "v0.7.2")
    state.add_release(draft, "v0.7.2", None, draft=True)
    with fake_github(state):
        yield state


class Sleeps:
    """An injected sleep that records instead of waiting, and a clock it advances."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = datetime.now(UTC).timestamp()

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(params=["stdlib", "requests"])
def via(request: pytest.FixtureRequest) -> str:
    """The client of the API's GETs: http.client, or requests (as behind a proxy)."""
    return str(request.param)


def source_for(
    state: State,
    tmp_path: Path,
    sleeps: Sleeps,
    *,
    token: str = "",
    selector: str = "v0.7.x",
    **settings: object,
) -> GitHubSource:
    env = {"GITHUB_API_URL": state.base, "GITHUB_TOKEN": token, "GATE_CACHE_DIR": str(tmp_path / "cache")}
    chosen = replace(Settings(api_url=state.base, token=token), **settings)  # type: ignore[arg-type]
    return open_github(OWNER_REPO, env, selector, sleep=sleeps.sleep, clock=sleeps.clock, settings=chosen)


def gate_report(source: GitHubSource | FolderSource, selector: str, on: date = date(2026, 3, 12)):
    when = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    return runner.check(source, selector, contract.load(None), lambda: when)


def failed(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.check for r in report.results if r.outcome.value == "failed"}


def test_releases_follow_link_pagination(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps)
    tags = sorted(r.tag for r in source.releases())
    assert tags == list(LINE)  # the draft is hidden from an anonymous client
    lists = github.api_hits(fragment="/releases?")
    assert len(lists) == 2  # 3 releases, pages of 2
    assert "page=2" in lists[1].path  # the URL came from the Link header


def test_assets_paginate_past_the_first_page(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps)
    release = next(r for r in source.releases() if r.tag == "v0.7.0")
    names = {a.name for a in source.assets(release)}
    assert names == {a.name for a in github.releases[0].assets}
    assert len(names) == 11
    assert len(github.api_hits(fragment="/assets?")) == 6
    assert all(a.digest and a.digest.startswith("sha256:") for a in source.assets(release))


def test_drafts_are_listed_only_for_push_access(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    pushed = source_for(github, tmp_path / "a", sleeps, token=PUSH_TOKEN, selector="v0.7.2")
    draft = next(r for r in pushed.releases() if r.tag == "v0.7.2")
    assert draft.draft
    assert pushed.stats()["drafts"] == "visible"
    reader = source_for(github, tmp_path / "b", sleeps, token=READ_TOKEN, selector="v0.7.2")
    with pytest.raises(ConfigError, match="push access, and GITHUB_TOKEN has none"):
        reader.releases()
    anonymous = source_for(github, tmp_path / "c", sleeps, selector="v0.7.2")
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is unset"):
        anonymous.releases()


def test_a_tag_resolves_through_the_tags_endpoint(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps, selector="v0.7.1")
    assert "v0.7.1" in {r.tag for r in source.releases()}
    assert len(github.api_hits(fragment="/releases/tags/v0.7.1")) == 1


def test_second_run_is_answered_with_304s(github: State, tmp_path: Path, sleeps: Sleeps, via: str) -> None:
    first = source_for(github, tmp_path, sleeps, api_http=via)
    for release in first.releases():
        first.assets(release)
    budget = github.budget
    again = source_for(github, tmp_path, sleeps, api_http=via)
    for release in again.releases():
        again.assets(release)
    stats = again.stats()
    assert stats["api_calls"] == first.stats()["api_calls"]
    assert stats["not_modified"] == stats["api_calls"] > 0
    assert github.budget == budget  # a 304 costs no rate limit
    assert stats["rate_limit_remaining"] == budget
    assert clients(github) == {via}


def test_the_api_gets_share_one_kept_alive_connection(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    first = source_for(github, tmp_path, sleeps, api_http="stdlib")
    for release in first.releases():
        first.assets(release)
    again = source_for(github, tmp_path, sleeps, api_http="stdlib")
    for release in again.releases():
        again.assets(release)
    warm = github.hits[len(github.hits) // 2 :]
    assert {h.status for h in warm} == {304}
    assert len({h.port for h in warm}) == 1  # a 304 hands its connection to the next GET


def test_an_answer_closed_twice_gives_its_connection_back_once(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    source = source_for(github, tmp_path, sleeps, api_http="stdlib", retries=0)
    url = source.http.url(f"/repos/{OWNER_REPO}")
    answer = source.http.send("GET", url)
    source.http.json_body(answer, "GET", url)  # read to its end, closed
    answer.close()
    both = [source.http.send("GET", url), source.http.send("GET", url)]  # open at once
    assert [source.http.json_body(a, "GET", url)["full_name"] for a in both] == [OWNER_REPO] * 2
    assert len({h.port for h in github.hits[1:]}) == 2


def test_a_connection_the_server_closed_is_redialled_without_a_retry(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    github.hang_up = True
    source = source_for(github, tmp_path, sleeps, api_http="stdlib")
    for release in source.releases():
        source.assets(release)
    assert len({h.port for h in github.hits}) == len(github.hits) > 3  # a new connection each time
    assert sleeps.calls == [] and source.stats()["retries"] == 0


def test_download_follows_302_without_the_token(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN)
    release = next(r for r in source.releases() if r.tag == "v0.7.0")
    asset = next(a for a in source.assets(release) if a.name == "SHA256SUMS")
    with source.open(release, asset) as stream:
        data = stream.read()
        stream.seek(0)  # the stream is seekable
    assert data == (tmp_path / "line" / "v0.7.0" / "SHA256SUMS").read_bytes()
    [hit] = github.storage_hits
    assert hit.status == 200
    assert "Authorization" not in hit.headers
    assert github.api_hits(fragment="/releases/assets/")[0].headers["Accept"] == "application/octet-stream"
    assert source.stats()["downloads"] == 1


def test_storage_host_rejects_a_forwarded_token(github: State) -> None:
    """The guard the previous test relies on: a client that forwards the token fails."""
    asset_id = github.releases[0].assets[0].id
    url = f"{github.storage}/release-assets/{asset_id}?X-Amz-Signature=abc123"
    answer = requests.get(url, headers={"Authorization": f"Bearer {READ_TOKEN}"}, timeout=5)
    assert answer.status_code == 400
    assert "Only one auth mechanism" in answer.text


def test_download_answered_with_200(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    github.direct_downloads = True
    source = source_for(github, tmp_path, sleeps)
    release = next(r for r in source.releases() if r.tag == "v0.7.0")
    asset = next(a for a in source.assets(release) if a.name == "release-artifacts.json")
    with source.open(release, asset) as stream:
        assert b'"artifacts"' in stream.read()
    assert github.storage_hits == []


def test_transient_502s_are_retried_with_backoff(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.faults.append(Fault("/releases", 502, times=2, body="<html>Bad gateway</html>"))
    source = source_for(github, tmp_path, sleeps, api_http=via)
    assert len(source.releases()) == 3
    assert sleeps.calls == [1.0, 2.0]
    assert source.stats()["retries"] == 2
    assert clients(github) == {via}


def test_persistent_5xx_is_an_infrastructure_error(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.faults.append(Fault("/releases", 503, times=10, body='{"message": "Unavailable"}'))
    source = source_for(github, tmp_path, sleeps, retries=2, api_http=via)
    with pytest.raises(InfraError, match=r"HTTP 503 Unavailable"):
        source.releases()
    assert len(sleeps.calls) == 2
    assert clients(github) == {via}


def test_unreachable_api_is_an_infrastructure_error(tmp_path: Path, sleeps: Sleeps, via: str) -> None:
    state = State()
    with fake_github(state):
        closed = state.base  # the server is gone once the block ends
    state.base = closed
    source = source_for(state, tmp_path, sleeps, retries=2, api_http=via)
    with pytest.raises(InfraError, match=r"cannot reach the server \(ConnectionError\)") as caught:
        source.releases()
    assert sleeps.calls == [1.0, 2.0]
    assert "per_page" not in str(caught.value)  # no query string is shown
    assert (source.http.stdlib is not None) == (via == "stdlib")


def test_primary_rate_limit_waits_until_reset(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    reset = int(sleeps.now) + 30
    github.faults.append(
        Fault(
            "/releases",
            403,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
            body='{"message": "API rate limit exceeded"}',
        )
    )
    source = source_for(github, tmp_path, sleeps, api_http=via)
    assert len(source.releases()) == 3
    assert len(sleeps.calls) == 1
    assert 30 <= sleeps.calls[0] <= 32
    assert clients(github) == {via}


def test_primary_rate_limit_far_away_is_a_clear_error(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.faults.append(
        Fault(
            "/releases",
            403,
            headers={
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(sleeps.now) + 3000),
                "x-ratelimit-limit": "60",
                "x-ratelimit-used": "60",
            },
            body='{"message": "API rate limit exceeded"}',
        )
    )
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(InfraError, match=r"primary rate limit reached \(60 of 60 used\)") as err:
        source.releases()
    assert sleeps.calls == []
    assert READ_TOKEN not in str(err.value)
    assert clients(github) == {via}


def test_secondary_rate_limit_honours_retry_after(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.faults.append(
        Fault(
            "/assets",
            429,
            headers={"retry-after": "7"},
            body='{"message": "You have exceeded a secondary rate limit"}',
        )
    )
    source = source_for(github, tmp_path, sleeps, api_http=via)
    release = source.releases()[0]
    assert len(source.assets(release)) == 11
    assert sleeps.calls == [7.0]
    assert clients(github) == {via}


def test_rejected_token_is_a_config_error_without_the_token(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    bad = "ghp_WRONGwrongWRONG0123456789"
    source = source_for(github, tmp_path, sleeps, token=bad, api_http=via)
    with pytest.raises(ConfigError, match="GITHUB_TOKEN was rejected") as err:
        source.releases()
    assert bad not in str(err.value)
    assert bad not in repr(source.http.settings)
    assert bad not in str(source.stats())
    assert clients(github) == {via}
    assert github.hits[0].headers["Authorization"] == f"Bearer {bad}"  # sent, never shown


def test_token_is_never_written_to_the_cache(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    for release in source.releases():
        source.assets(release)
    files = list((tmp_path / "cache").rglob("*"))
    assert files
    assert all(PUSH_TOKEN not in f.read_text() for f in files if f.is_file())


def test_a_clean_line_passes_through_github(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    report = gate_report(source_for(github, tmp_path, sleeps), "v0.7.x")
    assert report.verdict.value == "passed", [
        r.summary for r in report.results if r.outcome.value != "passed"
    ]
    assert report.stats["api_calls"] > 0
    # archives (the VSIX too: E002 looks for fuse-lsp inside) and integrity files are
    # downloaded, and bytes two releases share only once: the asset cache is content-addressed
    hits = [h.path for h in github.api_hits(fragment="/releases/assets/")]
    by_id = {f"/repos/{OWNER_REPO}/releases/assets/{a.id}": a for r in github.releases for a in r.assets}
    contents = {hashlib.sha256(by_id[path].path.read_bytes()).digest() for path in hits}
    assert len(hits) == len(set(hits)) == len(contents) < 2 * 11
    assert any(by_id[path].name.endswith(".vsix") for path in hits)


def test_an_asset_not_uploaded_fails_the_release(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    github.releases[1].assets[0].state = "starter"
    report = gate_report(source_for(github, tmp_path, sleeps), "v0.7.1")
    assert "A002" in failed(report)
    assert report.verdict.value == "failed"


def test_a_digest_that_disagrees_with_the_bytes_fails_i006(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    asset = next(a for a in github.releases[0].assets if a.name == "fuse-cli-linux-x64.tar.gz")
    asset.digest = "sha256:" + "0" * 64
    report = gate_report(source_for(github, tmp_path, sleeps), "v0.7.0")
    assert "I006" in failed(report)


@pytest.mark.parametrize(
    "defect",
    ["missing-fallback", "cli-without-fuse-lsp", "checksum-mismatch", "sums-missing", "corrupt-archive"],
)
def test_defects_fail_the_same_checks_as_the_folder_source(
    defect: str, tmp_path: Path, sleeps: Sleeps
) -> None:
    folder = write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0", defects=(defect,))
    expected = failed(gate_report(FolderSource(folder, single_tag="v0.7.0"), "v0.7.0"))
    state = State(page_size=3)
    state.add_release(folder, "v0.7.0", PUBLISHED["v0.7.0"])
    with fake_github(state):
        got = failed(gate_report(source_for(state, tmp_path, sleeps, selector="v0.7.0"), "v0.7.0"))
    assert expected
    assert got == expected


def test_prune_apply_deletes_through_the_api_with_pauses(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    items = prune.plan(source, "v0.7.x", contract.load(None), date(2026, 7, 1))
    done = prune.apply(source, items)
    deleted = [i.asset.name for i in done if i.action is prune.Action.DELETED]
    assert len(deleted) == 6  # v0.7.0's pairs; v0.7.1 is the newest of the line
    assert not {a.name for a in github.releases[0].assets} & set(deleted)
    assert len(github.api_hits("DELETE")) == 6
    assert sleeps.calls == [1.0] * 5  # one pause between consecutive deletions
    assert source.stats()["deleted"] == 6


def test_prune_refuses_inside_an_open_window(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    done = prune.apply(source, prune.plan(source, "v0.7.x", contract.load(None), date(2026, 3, 12)))
    assert {i.action for i in done} == {prune.Action.REFUSE, prune.Action.KEEP}
    assert github.api_hits("DELETE") == []


def test_immutable_release_is_kept_and_never_deleted(github: State, tmp_path: Path, sleeps: Sleeps) -> None:
    github.releases[0].immutable = True
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    done = prune.apply(source, prune.plan(source, "v0.7.x", contract.load(None), date(2026, 7, 1)))
    kept = [i for i in done if i.release.tag == "v0.7.0"]
    assert {i.action for i in kept} == {prune.Action.KEEP}
    assert all("immutable" in i.reason for i in kept)
    assert github.api_hits("DELETE") == []


def test_deleting_from_an_immutable_release_is_refused_clearly(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    github.releases[0].immutable = True
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    release = next(r for r in source.releases() if r.tag == "v0.7.0")
    asset = source.assets(release)[0]
    with pytest.raises(InfraError, match="immutable release keeps its assets"):
        source.delete(release, asset)


def test_bad_repository_spec_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="expected github:OWNER/REPO"):
        open_github("not a repo", {})


def no_token_left_the_api_host(state: State) -> bool:
    return not any("Authorization" in hit.headers for hit in state.storage_hits)


def test_an_off_host_next_link_is_refused_and_never_gets_the_token(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.foreign_links = True
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(InfraError, match=r"not on the API host .*; refusing to send") as caught:
        source.releases()
    assert "\n" not in str(caught.value) and "per_page" not in str(caught.value)
    assert github.storage_hits == [] and no_token_left_the_api_host(github)
    assert clients(github) == {via}


def test_an_off_host_asset_url_is_refused_and_never_gets_the_token(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    github.foreign_asset_urls = True
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, selector="v0.7.0")
    release = next(r for r in source.releases() if r.tag == "v0.7.0")
    asset = source.assets(release)[0]
    with pytest.raises(InfraError, match="not on the API host"):
        source.open(release, asset).close()
    assert github.storage_hits == [] and no_token_left_the_api_host(github)


def test_errors_never_show_a_signed_query_string(tmp_path: Path, sleeps: Sleeps) -> None:
    state = State()
    with fake_github(state):
        closed = state.storage  # a storage host that is gone
    source = source_for(state, tmp_path, sleeps, retries=0)
    signed = f"{closed}/release-assets/1?X-Amz-Signature=secret123&X-Amz-Credential=AKIA"
    with pytest.raises(InfraError, match="cannot reach the server") as caught:
        source.http.send("GET", signed, session=source.http.bare)
    assert "secret123" not in str(caught.value) and "AKIA" not in str(caught.value)
    assert f"{closed}/release-assets/1" in str(caught.value)


def test_json_redirects_are_bounded(github: State, tmp_path: Path, sleeps: Sleeps, via: str) -> None:
    loop = f"/repos/{OWNER_REPO}"
    github.faults.append(
        Fault(fragment=loop, status=301, times=50, headers={"Location": f"{github.base}{loop}"})
    )
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(InfraError, match="too many redirects"):
        source.http.get_json(loop)
    assert len(github.api_hits(fragment=loop)) == 4  # the GET and MAX_REDIRECTS hops
    assert clients(github) == {via}


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_json_redirect_to_another_host_is_refused(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str, status: int
) -> None:
    """A moved repository is followed on the API host only: the token never goes elsewhere."""
    path = f"/repos/{OWNER_REPO}/releases"
    elsewhere = f"{github.storage}/release-assets/1?X-Amz-Signature=abc123"
    github.faults.append(Fault(path, status, headers={"Location": elsewhere}, body='{"message": "Moved"}'))
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(InfraError, match=rf"^GET {github.base}{path}: HTTP {status} Moved$") as caught:
        source.releases()
    assert "abc123" not in str(caught.value) and "per_page" not in str(caught.value)
    assert github.storage_hits == [] and clients(github) == {via}


def test_a_404_release_list_is_no_such_repository(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    github.faults.append(Fault("/releases", 404, body='{"message": "Not Found"}'))
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(ConfigError, match=r"no such repository at .*not visible to GITHUB_TOKEN") as caught:
        source.releases()
    assert READ_TOKEN not in str(caught.value)
    assert clients(github) == {via}


def test_a_403_that_is_no_rate_limit_is_not_waited_for(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    body = f'{{"message": "Resource not accessible by integration {READ_TOKEN}"}}'
    github.faults.append(Fault("/releases", 403, body=body))
    source = source_for(github, tmp_path, sleeps, token=READ_TOKEN, api_http=via)
    with pytest.raises(InfraError, match=r"HTTP 403 Resource not accessible by integration \*\*\*$"):
        source.releases()
    assert sleeps.calls == [] and clients(github) == {via}


def test_an_oversized_json_answer_is_refused(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gates.sources.github_transport.MAX_JSON_BYTES", 4096)
    monkeypatch.setattr("gates.sources.github_transport.CHUNK", 1024)
    github.faults.append(Fault("/releases", 200, body="[" + "1, " * 5000 + "1]"))
    source = source_for(github, tmp_path, sleeps, api_http=via)
    with pytest.raises(InfraError, match="the answer is larger than 0 MiB; not a GitHub API answer"):
        source.releases()
    assert clients(github) == {via}


def test_an_answer_that_breaks_off_is_one_infra_error(
    github: State, tmp_path: Path, sleeps: Sleeps, via: str
) -> None:
    """A Content-Length longer than the body the server sends before it closes."""
    github.faults.append(
        Fault("/releases", 200, headers={"Content-Length": "5000", "Connection": "close"}, body="[1, 2")
    )
    source = source_for(github, tmp_path, sleeps, api_http=via)
    with pytest.raises(InfraError, match=r"the answer broke off \(ChunkedEncodingError\)$"):
        source.releases()
    assert clients(github) == {via}


def test_a_release_flagged_prerelease_is_not_the_newest_to_keep(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    rc = write_release(tmp_path / "rc" / "v0.7.2", "v0.7.2", generated_at="2026-03-08T12:00:00Z")
    github.add_release(rc, "v0.7.2", "2026-03-08T12:00:00Z", prerelease=True)  # flagged, plain tag
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    items = prune.plan(source, "v0.7.x", contract.load(None), date(2026, 7, 1))
    actions = {(i.release.tag, i.action) for i in items}
    assert actions == {
        ("v0.7.0", prune.Action.DELETE),
        ("v0.7.1", prune.Action.KEEP),
        ("v0.7.2", prune.Action.DELETE),
    }


def test_a_next_line_flagged_prerelease_does_not_close_the_window(
    github: State, tmp_path: Path, sleeps: Sleeps
) -> None:
    next(r for r in github.releases if r.tag == "v0.8.0").prerelease = True
    source = source_for(github, tmp_path, sleeps, token=PUSH_TOKEN)
    items = prune.plan(source, "v0.7.x", contract.load(None), date(2026, 7, 1))
    assert {i.action for i in items} == {prune.Action.REFUSE, prune.Action.KEEP}
    assert "no later line has shipped" in items[0].reason
