"""generatedAtUtc, the build time release-artifacts.json must hold as a `YYYY-MM-DDTHH:MM:SSZ`
string (contract sheet 1.7): anything else is an I004 finding (exit 1), never a pass, and
never an error of the signature checks (exit 3) that read their signing window from it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from gates import contract, runner
from gates.checks import signatures
from gates.reading.facts import read_releases
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from harness.results import Outcome, Report, Result
from harness.stamps import format_utc, read_stamp
from tests.gates.conftest import run_gate

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
MISSING = object()
MALFORMED = [
    "junk",
    12345,
    None,
    True,
    1.5,
    [],
    {},
    "",
    "2026-03-10T12:00:00",
    "2026-03-10 12:00:00Z",
    "2026-03-10t12:00:00z",
    "2026-3-10T12:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-03-10T24:00:00Z",
    "2026-03-10T12:00:60Z",
    "2026-03-10T12:00:00+00:00",
    "2026-03-10T12:00:00.5Z",
    "\uff12\uff10\uff12\uff16-03-10T12:00:00Z",  # fullwidth digits: \\d without re.ASCII
    "2026-03-10T12:00:00Z\n",
    " 2026-03-10T12:00:00Z",
    "x" * 10_000,
    MISSING,
]
WELL_FORMED = ["2026-03-10T12:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-29T00:00:00Z"]


def dated(folder: Path, value: object) -> None:
    metadata = folder / "release-artifacts.json"
    data = json.loads(metadata.read_text())
    if value is MISSING:
        del data["generatedAtUtc"]
    else:
        data["generatedAtUtc"] = value
    metadata.write_text(json.dumps(data))


def check(folder: Path, tag: str) -> Report:
    return runner.check(FolderSource(folder, single_tag=tag), tag, contract.load(None), lambda: NOW)


def result(report: Report, check_id: str) -> Result:
    (found,) = [r for r in report.results if r.check == check_id]
    return found


@pytest.fixture(scope="module")
def v071(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_release(tmp_path_factory.mktemp("v071") / "v0.7.1", "v0.7.1")


@pytest.mark.parametrize("value", MALFORMED, ids=lambda v: "missing" if v is MISSING else repr(v)[:24])
def test_a_malformed_or_missing_generated_at_is_an_i004_finding(
    v071: Path, tmp_path: Path, value: object
) -> None:
    folder = tmp_path / "v0.7.1"
    folder.mkdir()
    for file in v071.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    dated(folder, value)
    report = check(folder, "v0.7.1")
    (finding,) = result(report, "I004").findings
    assert finding.subject == "release-artifacts.json"
    assert finding.expected == "generatedAtUtc: YYYY-MM-DDTHH:MM:SSZ"
    wanted = "generatedAtUtc is missing" if value is MISSING else "generatedAtUtc is malformed: "
    assert finding.message.startswith(wanted)
    assert finding.message.endswith(
        "write when the release was built, in UTC, as FUSE does (date -u +%Y-%m-%dT%H:%M:%SZ)"
    )
    assert len(finding.message) < 250  # a 10,000-character stamp is quoted, not printed whole
    assert report.exit_code == 1


@pytest.mark.parametrize("value", WELL_FORMED)
def test_a_well_formed_generated_at_passes_i004(v071: Path, tmp_path: Path, value: str) -> None:
    folder = tmp_path / "v0.7.1"
    folder.mkdir()
    for file in v071.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    dated(folder, value)
    assert result(check(folder, "v0.7.1"), "I004").outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("junk", "release-artifacts.json's generatedAtUtc is malformed: 'junk' is not of the form"),
        (None, "release-artifacts.json's generatedAtUtc is malformed: null is not a"),
        (12345, "release-artifacts.json's generatedAtUtc is malformed: the number 12345 is not a"),
        (MISSING, "no generatedAtUtc in release-artifacts.json"),
    ],
)
def test_a_v1_release_with_a_bad_build_time_fails_on_i004_not_an_error(
    tmp_path: Path, value: object, said: str
) -> None:
    """Bug: `error G003 ... could not evaluate: when the release was made is unknown (no
    generatedAtUtc, ...)` and exit 3, for bad input from the release."""
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    dated(folder, value)
    reports = tmp_path / "r"
    proc = run_gate("check", "--release", "v1.1.0", "--source", str(folder), "--report-dir", str(reports))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "could not evaluate" not in proc.stdout
    results = {r["check"]: r for r in json.loads((reports / "report.json").read_text())["results"]}
    assert results["I004"]["outcome"] == "failed"
    assert results["G003"]["outcome"] == "skipped"
    assert said in results["G003"]["summary"]
    assert results["G003"]["summary"].endswith("(I004 reports it), no publication date")


def test_a_folder_release_with_a_malformed_build_time_has_no_date(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.7.1", "v0.7.1")
    for value, published in [
        ("2026-3-10T12:00:00Z", None),
        ("2026-03-10T12:00:00Z", datetime(2026, 3, 10, 12, tzinfo=UTC)),
    ]:
        dated(folder, value)
        (release,) = FolderSource(folder).releases()
        assert release.published_at == published


def test_the_signing_window_of_a_release_built_in_the_year_1_is_shown_zero_padded(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    dated(folder, "0001-01-01T00:00:00Z")
    source = FolderSource(folder, single_tag="v1.1.0")
    (release,) = source.releases()
    (facts,) = read_releases(
        source, [(release, WindowState(open=True, closes=None, reason=""))], contract.load(None)
    )
    found = signatures.certificates_valid_then(replace(facts, checked_at=None), contract.load(None))
    assert {f.expected for f in found} == {
        "valid at some time in 0001-01-01T00:00:00Z .. 0001-01-31T00:00:00Z"
    }


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), "0999-12-31T23:59:59Z"),
        (datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC), "2026-03-10T12:00:05Z"),
        (datetime.max.replace(tzinfo=UTC), "9999-12-31T23:59:59Z"),
    ],
)
def test_format_utc_writes_four_digit_years_read_stamp_reads_back(moment: datetime, shown: str) -> None:
    assert format_utc(moment) == shown
    assert read_stamp(shown) == moment.replace(microsecond=0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "null is not a YYYY-MM-DDTHH:MM:SSZ string"),
        (False, "false is not a YYYY-MM-DDTHH:MM:SSZ string"),
        (7, "the number 7 is not a YYYY-MM-DDTHH:MM:SSZ string"),
        ([1], "a JSON array is not a YYYY-MM-DDTHH:MM:SSZ string"),
        ({"a": 1}, "a JSON object is not a YYYY-MM-DDTHH:MM:SSZ string"),
        ("junk", "'junk' is not of the form YYYY-MM-DDTHH:MM:SSZ"),
        ("2026-02-30T00:00:00Z", "'2026-02-30T00:00:00Z' is no real time (day is out of range for month)"),
        ("y" * 41, f"'{'y' * 40}'... is not of the form YYYY-MM-DDTHH:MM:SSZ"),
    ],
)
def test_read_stamp_says_what_the_value_is(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        read_stamp(value)
    assert str(caught.value) == message


def test_g003_reads_the_build_time_as_i004_does_so_utf16_metadata_has_none(tmp_path: Path) -> None:
    """G003 read release-artifacts.json with json's byte reader, which takes UTF-16; I004
    refuses it as not UTF-8. Both now read it one way: no build time, G003 says why."""
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    metadata = folder / "release-artifacts.json"
    metadata.write_bytes(metadata.read_text().encode("utf-16"))
    source = FolderSource(folder, single_tag="v1.1.0")
    (release,) = source.releases()
    window = WindowState(open=True, closes=None, reason="open")
    (facts,) = read_releases(source, [(release, window)], contract.load(None))
    built, why = signatures._metadata_built_at(facts, contract.load(None))
    assert built is None and "is not FUSE release metadata" in why
