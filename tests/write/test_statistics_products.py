"""Statistics files as published, in all three products: every number printed as its
source says, long tables across pages, charts whose words never overlap, and a
phone that never breaks a number inside a cell.

The report is tests/corpus/statistics (its data files are described in
tests/read/test_statistics_files.py).
"""

import re
import subprocess
import zipfile
from html import unescape

import docx
import pytest

from pipeline.cli import main

from helpers import ROOT, need_tool, pdf_pages_text

STATISTICS = ROOT / "tests" / "corpus" / "statistics"
TABLE_ROWS = [["00", "全国", "127,094,745", "126,146,099", "-0.7", "377,975"],
               ["011002", "札幌市", "1,973,395", "12,873"],  # JSON records
               ["2023/8", "28.7", "141.0"],  # 気象庁's, read with header_rows: 2
               ["01", "北海道", "5,381,733", "5,224,614", "-2.9", "78,421"],
               ["13", "東京都", "13,515,271", "14,047,594", "3.9", "-"]]
SENTENCES = ["東京都の人口は14,047,594人であり、2015年の13,515,271人から532,323人増えた",
             "北海道は5,224,614人で、都道府県コードは01である", "東京都の面積は-と表示されている",
             "青森県の人口は2019年に1,252千人であった", "札幌市の人口は1,973,395人である"]
NOTE = "注1) 2015年は国勢調査の確定値、2020年度は同年の国勢調査による。"


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    """Returns the report's PDF, .docx and web page, built once."""
    out = tmp_path_factory.mktemp("statistics")
    for command in ("all", "html"):
        assert main([command, "--content", str(STATISTICS), "--out", str(out), "--strict",
                     "--quiet"]) == 0
    return {kind: out / f"statistics.{kind}" for kind in ("pdf", "docx", "html")}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _has_row(text: str, cells: list[str]) -> bool:
    """Says whether the cells stand in one line of text, in order, apart."""
    pattern = r"\s+".join(re.escape(c) for c in cells)
    return re.search(rf"(?m)^\s*{pattern}\s*$", text) is not None


def test_the_pdf_prints_every_number_as_its_source(products):
    pages = pdf_pages_text(products["pdf"])
    text = "\n".join(pages)
    for sentence in SENTENCES:
        assert sentence in _flat(text)
    for row in TABLE_ROWS:
        assert _has_row(text, row), row
    assert _has_row(text, ["47000", "沖縄県", "…", "1,440", "1,447", "1,454", "1,461"])
    assert _flat(NOTE) in _flat(text) and "資料：総務省統計局「国勢調査」" in _flat(text)


def test_the_docx_prints_every_number_as_its_source(products):
    document = docx.Document(products["docx"])
    body = _flat("".join(p.text for p in document.paragraphs))
    for sentence in SENTENCES:
        assert sentence in body
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    for row in TABLE_ROWS:
        assert row in rows
    assert _flat(NOTE) in body
    alt = " ".join(re.findall(r'descr="([^"]*)"', zipfile.ZipFile(products["docx"]).read(
        "word/document.xml").decode()))
    assert "北海道：2020年度 5,224,614人" in unescape(alt)


def test_the_web_edition_prints_every_number_as_its_source(products):
    html = products["html"].read_text(encoding="utf-8")
    text = _flat(unescape(re.sub(r"<[^>]+>", "", html)))
    for sentence in SENTENCES:
        assert sentence in text
    cells = [[unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
             for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    for row in TABLE_ROWS:
        assert row in cells
    assert _flat(NOTE) in text
    assert "北海道：2020年度 5,224,614人" in unescape(html)  # the chart in words


def test_a_long_table_starts_after_its_text_and_repeats_its_header(products):
    pages = pdf_pages_text(products["pdf"])
    first = next(n for n, page in enumerate(pages) if "表1" in page)
    assert "札幌市の人口は" in _flat(pages[first])  # no page left nearly blank before it
    assert _has_row(pages[first], TABLE_ROWS[0])
    following = pages[first + 1]
    assert "都道府県コード" in following and _has_row(following, ["47", "沖縄県", "1,433,566",
                                                                 "1,467,480", "2.4", "2,282"])


def _words(pdf) -> list[list[tuple[float, float, float, float, str]]]:
    """Returns each page's words with their boxes (pdftotext -bbox)."""
    need_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                      r'yMax="([\d.]+)">([^<]*)</word>')
    return [[(float(a), float(b), float(c), float(d), unescape(t))
             for a, b, c, d, t in word.findall(page)] for page in out.split("<page ")[1:]]


def overlaps(words) -> list[tuple[str, str]]:
    """Returns the pairs of words whose boxes overlap by more than half a point."""
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                found.append((a[4], b[4]))
    return found


def test_no_two_words_of_any_chart_overlap(products):
    pages = _words(products["pdf"])
    charted = [words for words in pages if any(w[4].startswith("図") for w in words)]
    assert len(charted) >= 3  # 48 categories, 1,033 dates, 20 stacked bars with labels, …
    assert [overlaps(words) for words in charted] == [[] for _ in charted]


def test_the_overlap_check_sees_overlapping_words():
    words = [(0, 0, 20, 10, "2020/1/16"), (15, 2, 35, 12, "2020/1/17"), (40, 0, 60, 10, "x")]
    assert overlaps(words) == [("2020/1/16", "2020/1/17")]


def test_the_legend_reads_row_by_row_in_the_order_of_the_series(products):
    names = ["国", "都道府県", "市区町村", "独立行政法人", "その他"]
    page = next(words for words in _words(products["pdf"])
                if any("主体別の件数の推移" in w[4] for w in words))
    legend = sorted((w for w in page if w[4] in names), key=lambda w: (round(w[1]), w[0]))
    assert [w[4] for w in legend] == names
    assert len({round(w[1]) for w in legend}) == 2  # two rows, beside the unit


def test_a_phone_never_breaks_a_number_or_a_name_inside_a_cell(products, browser):
    browser.set_window_size(375, 800)
    browser.get(products["html"].as_uri())
    broken = browser.execute_script("""
        const out = [];
        for (const cell of document.querySelectorAll('div.table td, div.table th')) {
          const range = document.createRange(); range.selectNodeContents(cell);
          const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          if (lines.size > 1) out.push(cell.textContent);
        }
        return out;""")
    assert broken == []
    scrolls = browser.execute_script("""
        const box = document.querySelector('div.table.data');
        return [box.scrollWidth > box.clientWidth,
                document.documentElement.scrollWidth <= document.documentElement.clientWidth];""")
    assert scrolls == [True, True]  # the wide table scrolls in its own box, not the page
