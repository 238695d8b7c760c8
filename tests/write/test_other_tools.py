"""Markdown written for Pandoc, Quarto and GitHub, read as its authors meant it (the
corpus's other-tools report), and Japanese line breaking around calls (JLREQ)."""

from __future__ import annotations

import re
import zipfile

import pytest
from helpers import FLAGSHIP, ROOT, pdf_line_words, pdf_lines, write_report

from pipeline.cli import main
from pipeline.write.html import NOT_LINE_START

OTHER_TOOLS = ROOT / "tests" / "corpus" / "other-tools"


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    out = tmp_path_factory.mktemp("other-tools")
    for command in ("all", "html"):
        assert main([command, "--content", str(OTHER_TOOLS), "--out", str(out), "--strict",
                     "--quiet"]) == 0
    return {kind: out / f"other-tools.{kind}" for kind in ("pdf", "docx", "html")}


def _texts(products) -> dict[str, str]:
    import docx
    word = "\n".join(p.text for p in docx.Document(products["docx"]).paragraphs)
    html = re.sub(r"<(h[1-6]|p|li|pre)\b", "\n\\g<0>", products["html"].read_text(encoding="utf-8"))
    return {"pdf": "\n".join(pdf_lines(products["pdf"])), "docx": word,
            "html": web_text_of(html)}


def web_text_of(html: str) -> str:
    """The web page's text, a line per block."""
    from html import unescape
    html = re.sub(r"<(style|script|svg)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_unnumbered_headings_are_in_the_contents_and_not_counted(products):
    """# 付録 {-} and ## 用語 {.unnumbered}: no number, and the chapter after them is 3."""
    for kind, text in _texts(products).items():
        lines = [line.strip() for line in text.split("\n")]
        assert any(re.match(r"3\s*問合せ先", line) for line in lines), kind
        assert "付録" in lines and not any(re.match(r"[\d.]+\s*(付録|用語)", line)
                                         for line in lines), kind
    html = products["html"].read_text(encoding="utf-8")
    toc = html.split('<nav class="toc"')[1].split("</nav>")[0]
    assert ">付録</a>" in toc and ">用語</a>" in toc
    assert {"付録3", "用語3", "3問合せ先3"} <= set(pdf_lines(products["pdf"]))  # its contents
    word = zipfile.ZipFile(products["docx"]).read("word/document.xml").decode()
    assert "TOC \\o" in word  # Word's own contents field lists every heading style


def test_autolinks_are_links_in_every_product(products):
    html = products["html"].read_text(encoding="utf-8")
    for target in ("https://example.jp/contact?lang=ja&amp;topic=dx",
                   "mailto:toiawase@example.jp", "mailto:soumu@example.jp"):
        assert f'href="{target}"' in html
    with zipfile.ZipFile(products["docx"]) as docx:
        rels = docx.read("word/_rels/document.xml.rels").decode()
    assert 'Target="mailto:toiawase@example.jp"' in rels and "amp#" not in rels
    from pypdf import PdfReader
    uris = {annotation.get_object()["/A"].get("/URI") for page in PdfReader(products["pdf"]).pages
            for annotation in page.get("/Annots", []) if "/A" in annotation.get_object()}
    assert {"mailto:toiawase@example.jp", "mailto:soumu@example.jp",
            "https://example.jp/contact?lang=ja&topic=dx"} <= uris


def test_citations_with_a_prefix_or_a_locator_print_alike_everywhere(products):
    for kind, text in _texts(products).items():
        flat = re.sub(r"\s+", "", text)
        assert "である1)（p.12）。" in flat, kind
        assert "ともあるsee2)。" in flat and "形1)や、" in flat, kind  # [-@guide]: 1)
        assert "形1)（pp.3-5）、2)も" in flat, kind
        assert "[@" not in text and "[see" not in text, kind


def test_comments_and_fence_attributes_leave_no_trace(products):
    for kind, text in _texts(products).items():
        flat = re.sub(r"\s+", "", text)
        assert "omitintoc" not in flat and "共著者への覚書" not in flat, kind
        assert "forpathinsections:" in flat and "lst:check" not in flat, kind


def _line_starts(pdf) -> list[str]:
    """Returns the lines of the body that begin with what JLREQ keeps from a line's
    start: closing punctuation, or a call (1) or 注1), raised) parted from its word."""
    lines = pdf_line_words(pdf)
    texts = ["".join(word.text for word in line) for line in lines]
    body = lines[:texts.index("参考文献") if "参考文献" in texts else len(lines)]
    return ["".join(word.text for word in line) for line in body
            if line[0].text[:1] in NOT_LINE_START
            or len(line) > 1 and line[0].height < 0.8 * max(word.height for word in line)]


def test_no_line_of_the_flagship_starts_with_a_call_or_closing_punctuation(tmp_path, products):
    assert main(["pdf", "--content", str(FLAGSHIP), "--out", str(tmp_path), "--quiet"]) == 0
    assert _line_starts(tmp_path / "gov-dx-briefing.pdf") == []
    assert _line_starts(products["pdf"]) == []


def test_calls_at_every_place_of_a_line_stay_with_their_word(tmp_path):
    """A citation and a footnote call after 0 to 44 characters: somewhere each falls at
    the end of a line, where WeasyPrint would break between an inline box and text."""
    body = "".join(f"{'い' * n}とする[@alpha]。また{'ろ' * (n % 7)}の記録[^n{n}]、ほか。\n\n"
                   f"[^n{n}]: 注記である。\n\n" for n in range(45))
    root = write_report(tmp_path / "r", {"01.md": "# 配置\n\n" + body})
    assert main(["pdf", "--content", str(root), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    pdf = tmp_path / "o" / "test-report.pdf"
    lines = pdf_lines(pdf)
    assert sum(line.endswith(("1)", "る1)。", "1)。")) for line in lines) > 0  # calls at line ends
    assert _line_starts(pdf) == []
