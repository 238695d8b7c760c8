"""The web edition: one self-contained page, accessible (axe-core in Chromium finds
no WCAG 2.1 A or AA violation), readable at 375 and 1280 pixels, deterministic."""

import os
import re
import shutil
from pathlib import Path

import pytest

from pipeline.build import load_document
from pipeline.cli import main

from helpers import FLAGSHIP, blocks_text, web_text


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("web")
    assert main(["html", "--content", str(FLAGSHIP), "--out", str(out), "--quiet"]) == 0
    return out / "gov-dx-briefing.html"


def test_the_page_is_self_contained_and_needs_no_script(page):
    html = page.read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and '<a class="skip" href="#main">' in html
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert html.count('<svg role="img" aria-label="') == 2  # the charts, inline
    assert '<caption><span class="label">表1</span>' in html and 'scope="col"' in html
    assert len(set(re.findall(r'\sid="([^"]+)"', html))) == len(re.findall(r'\sid="', html))


def test_one_h1_the_title_and_an_outline_without_a_skipped_level(page):
    html = page.read_text(encoding="utf-8")
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels[0] == 1 and levels.count(1) == 1 and '<h1 class="title">' in html
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:])), levels
    doc, _ = load_document(FLAGSHIP)
    chapters = [b for s in doc.sections for b in s.blocks if getattr(b, "level", 0) == 1]
    assert chapters and all(f'<h2 id="{h.anchor}">' in html for h in chapters)


def test_it_says_what_the_other_products_say(page):
    doc, _ = load_document(FLAGSHIP)
    text = web_text(page)  # every block's words, whole (tests/write/test_parity.py: all three)
    expected = blocks_text(doc)
    assert expected and [run for run in expected if run not in text] == []


def test_identical_inputs_give_identical_bytes(page, tmp_path):
    assert main(["html", "--content", str(FLAGSHIP), "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / page.name).read_bytes() == page.read_bytes()


def _axe(browser) -> list[dict]:
    import axe_core_python
    script = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    browser.execute_script(script)
    result = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', "
        "'wcag21a', 'wcag21aa']}}).then(function (r) { done(r); },"
        " function (e) { done({error: String(e)}); });")
    assert "error" not in result, result
    return result["violations"]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation_and_the_page_fits(page, browser, tmp_path, width):
    browser.set_window_size(width, 900)
    browser.get(page.as_uri())
    violations = _axe(browser)
    assert [(v["id"], v["nodes"][0]["html"][:80]) for v in violations] == []
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # nothing wider than a phone's screen: tables scroll in their box
    shot = tmp_path / f"web-{width}.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("KEEP_SCREENSHOTS"):
        shutil.copy(shot, os.environ["KEEP_SCREENSHOTS"])
