"""`gate check`: read the selected releases once, judge what was read (gates/judging.py: every
registered check, the waivers in one pass over the results, then the waivers themselves), and
report.

The judging modules (and the result model) load while the reads run: the readers spend their
time in hashing and inflating, which release the GIL, so this thread's imports cost no wall
time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gates import retention
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts, start_reading
from gates.retention import WindowState
from gates.sources.release import ReleaseSource, select
from harness.errors import ConfigError

if TYPE_CHECKING:
    from gates.recovery.binsize import Binary
    from harness.results import Report

Clock = Callable[[], datetime]


def check(source: ReleaseSource, selector: str, contract: Contract, clock: Clock) -> Report:
    """Run the release gate for a tag or a line."""
    return _check(source, selector, contract, clock, None)[0]


@contextmanager
def check_keeping_binaries(
    source: ReleaseSource, selector: str, contract: Contract, clock: Clock
) -> Iterator[tuple[Report, list[Binary]]]:
    """`check`, and the AOT binaries its one read copied out (to a temp dir, while open)."""
    # binsize (and the process seam under it) loads only when recovery gates are asked for,
    # and so does tempfile (with shutil, random, bz2 and lzma under it)
    import tempfile  # noqa: PLC0415

    from gates.recovery import binsize  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="gate-aot-") as tmp:
        report, facts = _check(source, selector, contract, clock, Path(tmp))
        yield (
            report,
            binsize.scoped([(f.ref.tag, binsize.binaries_of(f.ref.tag, f.assets, contract)) for f in facts]),
        )


def _check(
    source: ReleaseSource, selector: str, contract: Contract, clock: Clock, keep_binaries: Path | None
) -> tuple[Report, list[ReleaseFacts]]:
    started = clock()
    today = started.date()
    all_releases = source.releases()
    chosen = select(all_releases, selector)
    if not chosen:
        seen = ", ".join(sorted(r.tag for r in all_releases)) or "none"
        raise ConfigError(f"--release {selector}: no such release in {source.description} (found: {seen})")
    windows: dict[str, WindowState] = {
        line: retention.window_state(line, all_releases, contract, today) for line in {r.line for r in chosen}
    }
    with start_reading(source, [(r, windows[r.line]) for r in chosen], contract, keep_binaries) as reading:
        from gates import judging  # noqa: PLC0415 - loads while the reads run (the module docstring)
        from harness.results import Report  # noqa: PLC0415 - and so does the result model

        read = reading.facts()
    run = judging.Run(
        source=source,
        contract=contract,
        all_releases=all_releases,
        chosen=chosen,
        windows=windows,
        started=started,
    )
    facts, results = judging.judge(read, run)
    notes = [contract.retention_note, *(w.reason for w in windows.values())]
    notes += [f"{r.tag} is a draft" for r in chosen if r.draft]
    report = Report(
        tool="gate check",
        subject=f"{selector} from {source.description} (contract: {contract.origin})",
        started_at=started,
        finished_at=clock(),
        results=tuple(results),
        notes=tuple(n for n in notes if n),
        stats=source.stats(),
    )
    return report, facts
