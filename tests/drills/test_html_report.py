"""report.html in a real browser: a passing and a failing suite render in headless Chromium
with no page error, show a timeline and a latency chart per scenario, and every evidence
link resolves to a file."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from drills.records import journal, outputs
from drills.scenario.model import SUITES, load_all, scenario_files
from fixtures.fake_engine import Behaviour
from tests.drills.browser import page_errors, screenshot
from tests.drills.conftest import drill, standard


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def _hrefs(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def _passing(fake, out: Path) -> Path:
    drill(fake, out, *load_all(scenario_files((), "standard")))
    return out


def _failing(fake, out: Path) -> Path:
    fake.role_behaviours["fallback-native"] = Behaviour(ready_after_s=999)  # never healthy
    hang = standard("hang")
    slow = replace(hang, budgets=replace(hang.budgets, detect_s=0.1))  # detection over budget
    drill(fake, out, standard("crash"), slow, standard("none"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("suite", [_passing, _failing], ids=["passing", "failing"])
def test_the_report_renders_in_chromium_with_no_page_error(fake, tmp_path, suite):
    out = suite(fake, tmp_path / "run")
    events = journal.read(out / "journal.jsonl")
    report, _ = outputs.write(events, out, evidence_dir=out / "evidence")
    page = out / "report.html"
    errors, dom = page_errors(page, tmp_path / "profile")
    assert errors == []
    names = list(events[0].raw("scenarios"))
    assert dom.count('class="gantt"') == len(names) and dom.count('class="latency"') == len(names)
    assert 'id="overview"' in dom and dom.index('id="overview"') < dom.index(f'id="s-{names[0]}"')
    over = dom.count('class="bar over"')
    assert (over > 0) == (report.exit_code != 0), "over-budget phases are drawn red, and only those"
    assert "failed-probe" in dom and "restored " in dom and "inject " in dom
    png = screenshot(page, tmp_path / "report.png", tmp_path / "profile")
    assert png.stat().st_size > 20_000


def test_every_evidence_link_resolves_to_a_file(fake, tmp_path):
    out = _failing(fake, tmp_path / "run")
    outputs.write(journal.read(out / "journal.jsonl"), out, evidence_dir=out / "evidence")
    links = [h for h in _hrefs(out / "report.html") if not h.startswith("#")]
    kept = sorted(p for p in (out / "evidence").rglob("*") if p.is_file())
    assert links and len(links) == len(kept)
    for href in links:
        assert not href.startswith("/") and "://" not in href, href  # relative: the artifact works
        assert (out / unquote(href)).is_file(), href
    # the links are the evidence itself: a file that goes makes its link dangle
    kept[0].unlink()
    assert not all((out / unquote(h)).is_file() for h in links)


def test_untrusted_text_is_escaped_not_markup(fake, tmp_path):
    out = tmp_path / "run"
    drill(fake, out, standard("crash"))
    events = journal.read(out / "journal.jsonl")
    hostile = '<img src="x" onerror="document.title=1"></section><script>boom()</script>'
    n = next(i for i, e in enumerate(events) if e.kind == "phase.finished")
    events[n] = replace(events[n], fields={**events[n].fields, "summary": hostile})
    outputs.write(events, out)
    text = (out / "report.html").read_text()
    assert "<img" not in text and "<script>boom" not in text and "&lt;img src=" in text
    errors, _dom = page_errors(out / "report.html", tmp_path / "profile")
    assert errors == []


def test_the_error_hook_sees_a_page_error(tmp_path):
    """The check above can go red: a page whose script throws is reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html><head></head><body><script>notDefined()</script></body></html>")
    errors, _dom = page_errors(page, tmp_path / "profile")
    assert errors and "notDefined" in errors[0]


def test_the_standard_suite_is_the_one_rendered():
    assert len(list(scenario_files((), "standard"))) == len(list(SUITES["standard"].glob("*.yaml")))


def test_chromium_missing_fails_under_ci_and_skips_elsewhere(monkeypatch):
    import shutil  # noqa: PLC0415

    from tests.drills import browser  # noqa: PLC0415

    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.ci/run installs it"):
        browser.chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        browser.chromium()
