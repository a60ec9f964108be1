"""`drill run --shard K/N`: a deterministic split of a suite, so a nightly matrix of N jobs
runs it all once and `drill merge` joins their reports.

Scenarios are sorted by name (unique in a run) and dealt round-robin: shard K holds the
1st-based positions K, K+N, K+2N, ... The split depends only on the names, never on file
order, the machine or the time, so every job of a matrix computes the same split and the
shards are disjoint and cover the suite exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import ConfigError

if TYPE_CHECKING:
    from drills.scenario.model import Scenario

_SHAPE = re.compile(r"([0-9]{1,4})/([0-9]{1,4})\Z")


@dataclass(frozen=True)
class Shard:
    index: int  # K, 1-based
    count: int  # N

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    """'K/N' with 1 <= K <= N; anything else is a ConfigError saying how to write it."""
    match = _SHAPE.match(text.strip())
    if match is None:
        raise ConfigError(f"--shard: '{text}' is not K/N (e.g. --shard 2/3 runs the second of three shards)")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise ConfigError(f"--shard: '{text}': K must be between 1 and N (1 <= K <= {count or 'N'})")
    return Shard(index, count)


def names_in(shard: Shard, names: Sequence[str]) -> list[str]:
    """The names shard K of N holds, in sorted order."""
    return [name for at, name in enumerate(sorted(names)) if at % shard.count == shard.index - 1]


def select(shard: Shard, scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios of the shard, in name order; an empty shard is a ConfigError."""
    chosen = set(names_in(shard, [s.name for s in scenarios]))
    if not chosen:
        raise ConfigError(
            f"--shard {shard}: the suite has {len(scenarios)} scenarios, so shard {shard.index} "
            f"would be empty; use at most {len(scenarios)} shards"
        )
    return sorted((s for s in scenarios if s.name in chosen), key=lambda s: s.name)
