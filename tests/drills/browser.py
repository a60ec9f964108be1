"""Headless Chromium for the report tests: `--dump-dom` of a copy of the page with an error
hook first in its <head>, which records every script error, unhandled rejection and
resource that failed to load into a <pre id="page-errors"> once the page has loaded; and a
screenshot. Chromium missing is a skip locally and a failure under CI (CI=true), where
.ci/run installs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HOOK = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target || {};
    errors.push(e.message || ("failed to load " + (t.src || t.href || t.tagName)));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { errors.push("rejection: " + e.reason); });
  window.addEventListener("load", function () {
    var pre = document.createElement("pre");
    pre.id = "page-errors";
    pre.textContent = JSON.stringify(errors);
    document.body.appendChild(pre);
  });
})();
</script>"""


def chromium() -> str:
    # Debian's chromium (.ci/run installs it); GitHub's Ubuntu runners ship google-chrome
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _args(browser: str, profile: Path) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
    ]


def page_errors(page: Path, profile: Path) -> tuple[list[str], str]:
    """(the errors the page raised while loading, its DOM after load)."""
    probe = page.with_name(f".probe-{page.name}")
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("<head>", "<head>" + HOOK, 1), encoding="utf-8")
    try:
        out = subprocess.run(
            [*_args(chromium(), profile), "--dump-dom", probe.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        probe.unlink()
    dom = out.stdout
    start = dom.find('<pre id="page-errors">')
    assert start >= 0, f"the error hook never reported: chromium said {out.stderr[-2000:]}"
    body = dom[start + len('<pre id="page-errors">') : dom.index("</pre>", start)]
    return json.loads(
        body.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    ), dom


def screenshot(page: Path, png: Path, profile: Path, height: int = 2400) -> Path:
    subprocess.run(
        [*_args(chromium(), profile), f"--window-size=1000,{height}", f"--screenshot={png}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return png
