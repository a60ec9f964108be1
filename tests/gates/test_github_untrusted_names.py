"""Strings the GitHub API hands us (asset names, states, tags) reach every report safely:
a lone surrogate (JSON can spell one, as \\ud800) is shown as \\uNNNN, so report.json stays
strict UTF-8, and a control character is shown visibly on the terminal."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from drills.standard.releases import PUBLISHED, write_release
from tests.gates.conftest import run_gate
from tests.gates.github_server import OWNER_REPO, Asset, State, fake_github

NAME = "fuse-vscode-\x01\ud800.vsix"  # a control character and a lone surrogate
SHOWN = "fuse-vscode-\x01\\ud800.vsix"  # printable: the surrogate spelled out
ON_TERMINAL = "fuse-vscode-\\x01\\ud800.vsix"  # one line: the control character too


def test_an_asset_name_from_the_api_reaches_report_json_printable(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "dist" / "v0.7.0", "v0.7.0")
    state = State(page_size=5)
    release = state.add_release(folder, "v0.7.0", PUBLISHED["v0.7.0"])
    payload = tmp_path / "payload.vsix"
    payload.write_bytes(b"PK")
    digest = "sha256:" + hashlib.sha256(b"PK").hexdigest()
    release.assets.append(Asset(id=state.next_id(), name=NAME, path=payload, digest=digest))
    reports = tmp_path / "reports"
    with fake_github(state):
        env = {"GITHUB_API_URL": state.base, "GATE_CACHE_DIR": str(tmp_path / "cache")}
        args = ("check", "--release", "v0.7.0", "--source", f"github:{OWNER_REPO}")
        proc = run_gate(*args, "--report-dir", str(reports), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = (reports / "report.json").read_bytes().decode("utf-8")
    report = json.loads(text)
    json.dumps(report, ensure_ascii=False).encode("utf-8")  # no lone surrogate left in it
    subjects = {f["subject"] for r in report["results"] if r["check"] == "I002" for f in r["findings"]}
    assert subjects == {SHOWN}
    assert f"{ON_TERMINAL}: payload is not listed in SHA256SUMS" in proc.stdout
    assert "\x01" not in proc.stdout + proc.stderr
