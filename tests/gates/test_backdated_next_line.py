"""A next line's first release dated before the checked line (or an earlier one) first shipped
does not close the checked line's window: its date is treated as unknown, the window stays
open (R001 still judges), and the window's reason says why. The sweep's bypass: v0.8.0 dated
2020-01-01 (or 0001-01-01) closed v0.7.x's window in 2020, so a deleted fallback passed."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from drills.standard.releases import write_line
from gates import contract, retention
from gates.sources.release import ReleaseRef
from tests.gates.conftest import run_gate

TODAY = date(2026, 12, 1)


def ref(tag: str, day: str | None, *, draft: bool = False) -> ReleaseRef:
    when = datetime.fromisoformat(f"{day}T12:00:00+00:00") if day else None
    return ReleaseRef(tag=tag, location=tag, published_at=when, draft=draft)


def state(*releases: ReleaseRef, line: str = "v0.7.x") -> retention.WindowState:
    return retention.window_state(line, list(releases), contract.load(None), TODAY)


@pytest.mark.parametrize("day", ["0001-01-01", "2020-01-01", "2026-02-27"])
def test_a_next_line_dated_before_the_line_first_shipped_leaves_the_window_open(day: str) -> None:
    window = state(ref("v0.7.0", "2026-02-28"), ref("v0.7.1", "2026-03-05"), ref("v0.8.0", day))
    assert (window.open, window.closes) == (True, None)
    assert window.reason == (
        f"v0.7.x window is open: v0.8.0's release date ({day}T12:00:00Z) is before v0.7.0's "
        "(2026-02-28T12:00:00Z), so it is no date v0.8.0 shipped on; treated as unknown "
        "(fix the release's generatedAtUtc or published_at)"
    )


def test_an_earlier_line_bounds_it_when_the_checked_line_is_undated() -> None:
    window = state(ref("v0.6.0", "2026-01-10"), ref("v0.7.0", None), ref("v0.8.0", "2025-06-01"))
    assert window.open and "before v0.6.0's (2026-01-10T12:00:00Z)" in window.reason


def test_the_latest_first_release_of_the_earlier_lines_bounds_it() -> None:
    # v0.7.0 backdated too: v0.6.0's date still bounds v0.8.0
    window = state(ref("v0.6.0", "2026-01-10"), ref("v0.7.0", "0001-01-01"), ref("v0.8.0", "2025-06-01"))
    assert window.open and "before v0.6.0's" in window.reason


@pytest.mark.parametrize(
    ("releases", "closes"),
    [
        # a backport after the next line shipped is normal: patches bound nothing
        (
            (ref("v0.7.0", "2026-02-28"), ref("v0.7.5", "2026-09-01"), ref("v0.8.0", "2026-03-10")),
            date(2026, 6, 8),
        ),
        # the same day as the line's first release is a date it can have shipped on
        ((ref("v0.7.0", "2026-02-28"), ref("v0.8.0", "2026-02-28")), date(2026, 5, 29)),
        # nothing dated to compare with: the date stands
        ((ref("v0.7.0", None), ref("v0.8.0", "2020-01-01")), date(2020, 3, 31)),
        # a pre-release or a draft of the checked line is no first release
        (
            (
                ref("v0.7.0-rc1", "2026-04-01"),
                ref("v0.7.0", "2026-02-28", draft=True),
                ref("v0.7.1", "2026-03-01"),
                ref("v0.8.0", "2026-03-10"),
            ),
            date(2026, 6, 8),
        ),
    ],
)
def test_a_plausible_next_line_date_closes_the_window(releases: tuple[ReleaseRef, ...], closes: date) -> None:
    window = state(*releases)
    assert (window.open, window.closes) == (closes >= TODAY, closes)


@pytest.mark.parametrize("stamp", ["2020-01-01T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_a_backdated_next_line_does_not_let_a_deleted_fallback_pass(tmp_path: Path, stamp: str) -> None:
    line = write_line(tmp_path / "line")
    (line / "v0.7.1" / "fuse-cli-linux-x64.tar.gz").unlink()
    metadata = line / "v0.8.0" / "release-artifacts.json"
    data = json.loads(metadata.read_text())
    data["generatedAtUtc"] = stamp
    metadata.write_text(json.dumps(data))
    proc = run_gate("check", "--release", "v0.7.x", "--source", str(line), "--as-of", "2026-12-01")
    assert proc.returncode == 1, proc.stdout
    assert "failed   R001 v0.7.1" in proc.stdout
    assert "window closed" not in proc.stdout
    assert f"v0.8.0's release date ({stamp}) is before v0.7.0's (2026-02-28T12:00:00Z)" in proc.stdout
