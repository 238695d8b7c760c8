"""Realistic documents (tests/corpus/) through both writers, read back."""

import re
import subprocess
from pathlib import Path

import docx
import pytest

from pipeline.cli import main
from pipeline.write.page import PAGE

from helpers import ROOT, need_tool, pdf_pages_text, row_args

CORPUS = ROOT / "tests" / "corpus"
A4_WIDTH_PT = 595.28
MM = 72 / 25.4


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Returns {name: (pdf, docx)} for every corpus document, built once."""
    out = tmp_path_factory.mktemp("corpus")
    products = {}
    for root in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        row = row_args(root)  # a report over rows: its first (tests/cli/test_batch.py: all)
        assert main(["all", "--content", str(root), "--out", str(out / root.name), "--strict",
                     "--quiet", *row]) == 0, root.name
        name = row[1] if row else root.name
        products[root.name] = (out / root.name / f"{name}.pdf",
                               out / root.name / f"{name}.docx")
    return products


def _docx_text(path: Path) -> str:
    document = docx.Document(path)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("name, last_words", [
    ("long-tables", "以上が付属資料の末尾である。"),
    ("deep-lists", "以上で手順の説明を終える。"),
    ("mixed-scripts", "以上が用語と表記の説明である。"),
])
def test_every_document_reaches_both_products_whole(built, name, last_words):
    pdf, word = built[name]
    assert last_words in "".join(pdf_pages_text(pdf)).replace(" ", "").replace("\n", "")
    assert last_words in _docx_text(word)


def test_long_tables_repeat_their_header_on_every_page(built):
    pages = pdf_pages_text(built["long-tables"][0])
    row = re.compile(r"^ *\d+ +\S+[都道府県](（再掲）)? +[\d,]+ +[\d,]+ +[\d.]+%", re.M)
    table_pages = [p for p in pages if row.search(p)]
    assert len(table_pages) >= 3
    assert all("電子申請（件）" in page for page in table_pages)
    rows = docx.Document(built["long-tables"][1]).tables[0].rows
    assert len(rows) == 1 + 94
    assert rows[0]._tr.trPr.xpath("./w:tblHeader")  # Word repeats it too


def test_deep_lists_keep_every_level(built):
    text = "".join(pdf_pages_text(built["deep-lists"][0]))
    assert "変更があれば、変更後の商号で再照合する" in text.replace(" ", "")
    word = _docx_text(built["deep-lists"][1])
    assert "端数の処理" in word and "照合する人は、番号と項目名の両方を確かめる。" in word


def test_mixed_scripts_keep_their_characters(built):
    text = "".join(pdf_pages_text(built["mixed-scripts"][0]))
    for sample in ["ＡＢＣ", "①②③", "120㎡", "25℃", "α、β、γ", "Д", "≦"]:
        assert sample in text, sample
    assert "佐藤一郎" in text and "Tanaka, Hanako" in text


def test_long_addresses_and_words_stay_inside_the_page(built):
    need_tool("pdftotext")
    pdf = built["mixed-scripts"][0]
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    limit = A4_WIDTH_PT - PAGE.right * MM + 1
    assert right_edges and max(right_edges) <= limit, max(right_edges)


def test_the_word_files_map_points_at_each_caption_and_cell_where_it_is_written(built):
    """A caption (`Table: …`) and a table's cells are marked at their own lines, which
    `review --apply` edits: here the table whose first cell repeats the words that
    open the paragraph four lines above it."""
    import zipfile
    source = (CORPUS / "long-tables" / "01-annex.md").read_text(encoding="utf-8").split("\n")
    mapping = zipfile.ZipFile(built["long-tables"][1]).read(
        "customXml/pipeline-sources.xml").decode("utf-8")
    blocks = re.findall(r'<block mark="[^"]+" file="01-annex.md" line="(\d+)"[^>]*>'
                        r'([^<]*)</block>', mapping)
    caption = next(int(line) for line, text in blocks if text.startswith("表2"))
    assert source[caption - 1].startswith("Table: 手続ごとの内訳")
    cells = [(int(line), text) for line, text in blocks if text in ("手続", "894")]
    assert cells and all(f"| {text} |" in source[line - 1] or f" {text} |" in source[line - 1]
                         for line, text in cells)
