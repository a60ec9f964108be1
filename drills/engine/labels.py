"""The labels on everything a drill run creates: the run id, the scenario and role, when it
was made and when it expires, and the owner's host and pid. Cleanup and the reaper
(drills/engine/reap.py) find what to remove by these labels alone.
"""

from __future__ import annotations

import os
import socket

RUN_ID = "fuse-harness.run-id"
SCENARIO = "fuse-harness.scenario"
ROLE = "fuse-harness.role"
CREATED = "fuse-harness.created"
EXPIRES = "fuse-harness.expires"
HOST = "fuse-harness.host"
PID = "fuse-harness.pid"


def labels(run_id: str, scenario: str, role: str, now: float, ttl_s: float) -> dict[str, str]:
    return {
        RUN_ID: run_id,
        SCENARIO: scenario,
        ROLE: role,
        CREATED: str(int(now)),
        EXPIRES: str(int(now + ttl_s)),
        HOST: socket.gethostname(),
        PID: str(os.getpid()),
    }
