"""Raw HTML and links: printed as written, and what must never reach a reader."""

import pytest

from pipeline.tree import Paragraph, plain_text

from helpers import errors_of, load_doc, nodes_of


def test_raw_html_stays_text_with_a_warning(tmp_path):
    doc, warnings = load_doc(tmp_path, {"01.md": "<b>太字</b> & 1 < 2\n"})
    (paragraph,) = nodes_of(doc, Paragraph)
    assert plain_text(paragraph.content) == "<b>太字</b> & 1 < 2"
    assert [(w.code, w.line) for w in warnings] == [("raw-html", 1)]


@pytest.mark.parametrize("markdown, message", [
    ("<script>alert(1)</script>", "raw HTML is not allowed in a briefing: <script>"),
    ('<iframe src="https://example.jp/">', 'raw HTML is not allowed in a briefing: '
     '<iframe src="https://example.jp/">'),
    ('<span onclick="x()">押す</span>', 'raw HTML is not allowed in a briefing: '
     '<span onclick="x()">'),
    ("[押す](javascript:alert(1))", "javascript: links are not allowed (use http, https or "
     "mailto)"),
    ("[開く](file:///etc/passwd)", "file: links are not allowed (use http, https or mailto)"),
])
def test_scripts_and_unsafe_links_areerrors_of(tmp_path, markdown, message):
    errors = errors_of(tmp_path, {"01.md": f"# 一\n\n{markdown}\n"})
    assert [e.split(": error: ")[1].rsplit(" [", 1)[0] for e in errors] == [message]
    rule = "bad-link" if "links" in message else "unsafe-html"
    assert [e.startswith("r/01.md:3") or e.startswith("01.md:3") for e in errors] == [True]
    assert errors[0].endswith(f"[{rule}]")


def test_text_that_looks_like_a_citation_is_a_warning_at_its_line(tmp_path):
    doc, warnings = load_doc(tmp_path, {"01.md": "# 一\n\n本文である[@alpha p. 12]。\n"})
    assert [(w.code, w.line) for w in warnings] == [("stray-citation", 3)]
    assert "'[@alpha p. 12]' looks like a citation but is not one" in warnings[0].message
