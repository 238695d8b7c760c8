"""One tree, three products that say the same thing: every block's text (headings,
paragraphs, list items, quotations, table cells and captions, figure captions,
footnotes) is printed in the PDF, the .docx and the web edition alike.

A block's text is compared as runs: the words between its citations and
footnote calls, which each product marks its own way (a superscript 1), Word's
footnote reference, the web's note in brackets). Whitespace is ignored, since
each product breaks lines where it must.
"""

import pytest

from pipeline.build import load_document
from pipeline.cli import main

from helpers import (FLAGSHIP, ROOT, blocks_text, docx_text, pdf_reading_text, row_args,
                     web_text)

REPORTS = [FLAGSHIP] + sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())


@pytest.fixture(scope="module", params=REPORTS, ids=lambda p: p.name)
def products(request, tmp_path_factory):
    """Returns the report's tree and the text of its three products, squeezed."""
    out = tmp_path_factory.mktemp(request.param.name)
    row = row_args(request.param)  # a report over rows: its first row's report
    for command in ("all", "html"):
        assert main([command, "--content", str(request.param), "--out", str(out),
                     "--quiet", *row]) == 0
    doc, _ = load_document(request.param, row=row[1] if row else None)
    stem = out / doc.meta.id
    return doc, {"pdf": pdf_reading_text(stem.with_suffix(".pdf"), doc.meta),
                 "docx": docx_text(stem.with_suffix(".docx")),
                 "web": web_text(stem.with_suffix(".html"))}


def test_every_blocks_text_is_in_all_three_products(products):
    doc, texts = products
    expected = blocks_text(doc)
    assert expected
    missing = {kind: [run for run in expected if run not in text] for kind, text in texts.items()}
    assert missing == {"pdf": [], "docx": [], "web": []}


def test_the_comparison_sees_a_block_a_product_left_out(products):
    doc, texts = products
    run = max(blocks_text(doc), key=len)
    cut = {kind: text.replace(run, "") for kind, text in texts.items()}
    assert all(run not in text for text in cut.values())
