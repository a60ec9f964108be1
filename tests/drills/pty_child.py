"""`drill run` of the crash scenario on the behavioural fake, as a process of its own (the
pty test runs it under a pseudo-terminal). The run's last step, removing its images, waits
until the file named by argv[2] exists, so the test can look at the output while the run
has not ended yet."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cli.drill import drill
from drills.run import wiring
from drills.scenario.model import SUITES
from fixtures.fake_engine import FakeDocker
from fixtures.fake_release import standard_behaviours
from tests.drills.conftest import tools_for


def main() -> None:
    out, go = Path(sys.argv[1]), Path(sys.argv[2])
    fake = standard_behaviours(FakeDocker())
    remove_image = fake.remove_image

    def held(tag: str) -> None:
        until = time.monotonic() + 60
        while not go.exists() and time.monotonic() < until:
            time.sleep(0.01)
        remove_image(tag)

    fake.remove_image = held  # type: ignore[method-assign]
    wiring.real_tools = lambda _work: tools_for(fake)  # type: ignore[assignment]
    args = ["run", str(SUITES["standard"] / "crash.yaml"), "--out", str(out), "--no-reap", *sys.argv[3:]]
    drill(args, prog_name="drill")


if __name__ == "__main__":
    main()
