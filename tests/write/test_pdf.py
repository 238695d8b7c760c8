"""The flagship PDF, built through the command line and read back."""

import re

import pytest
from pypdf import PdfReader

from pipeline.build import load_document
from pipeline.read.references import load_references
from pipeline.tree import Citation, Heading, plain_text, walk

from helpers import FLAGSHIP, blocks_text, pdf_pages_text, pdf_reading_text, run_cli

A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def reader(flagship_pdf):
    return PdfReader(flagship_pdf)


@pytest.fixture(scope="module")
def pages(flagship_pdf):
    return pdf_pages_text(flagship_pdf)


@pytest.fixture(scope="module")
def doc():
    return load_document(FLAGSHIP)[0]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_page_is_a4(reader):
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=0.5)


def test_fonts_are_embedded_biz_ud(reader):
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor
    assert fonts and all(fonts.values()), fonts
    names = {name.split("+", 1)[1] for name in fonts}
    assert names >= {"BIZ-UDMincho", "BIZ-UDGothic-Bold"}, names
    assert all(name.startswith("BIZ-UD") for name in names)


def test_metadata_comes_from_the_report(reader):
    meta = reader.metadata
    assert meta["/Title"] == "官公庁におけるDXの取組事例"
    assert meta["/Author"] == "行政DX調査チーム"
    assert "デジタル庁" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20261127")
    assert reader.trailer["/Root"]["/Lang"] == "ja"


def test_cover_shows_era_date_version_and_marking(pages):
    cover = _squeeze(pages[0])
    assert "令和8年（2026年）11月27日" in cover
    assert "第1.0版" in cover and "取扱注意" in cover and "行政DX調査チーム" in cover


def test_footer_numbers_every_page_but_the_cover(pages):
    assert not re.search(r"-\s*1\s*-", pages[0])
    for number, text in enumerate(pages[1:], start=2):
        assert re.search(rf"^\s*-\s*{number}\s*-\s*$", text, re.M), f"page {number}"


def test_running_header_carries_title_and_marking(pages):
    for text in pages[1:]:
        header = text.strip().splitlines()[0]
        assert "官公庁におけるDXの取組事例" in header and "取扱注意" in header


def _toc_entries(pages):
    entries = []
    for line in pages[1].splitlines():
        # The leader's dots are drawn, not text: title, a wide gap, the page number.
        match = re.match(r"\s*(.+?)\s{3,}(\d+)\s*$", line)
        if match:
            entries.append((_squeeze(match.group(1)), int(match.group(2))))
    return entries


def test_the_toc_leader_is_a_drawing_not_a_tagged_text_box_per_dot(pages, reader):
    assert "...." not in pages[1]
    toc_page = reader.pages[1].get_contents().get_data()
    assert toc_page.count(b"BDC") < 300  # a marked-content span per dot made it 2,000


def test_toc_page_numbers_match_the_pages_of_the_headings(pages, doc):
    entries = _toc_entries(pages)
    expected = [_squeeze(h.label + plain_text(h.content)) for h in doc.headings(2)]
    assert [title for title, _ in entries] == expected + ["参考文献"]
    for title, page in entries:
        lines = [_squeeze(line) for line in pages[page - 1].splitlines()]
        assert title in lines, f"{title} is not on page {page}"
        earlier = [_squeeze(line) for p in pages[2:page - 1] for line in p.splitlines()]
        assert title not in earlier, f"{title} appears before page {page}"


def test_bookmarks_follow_the_headings(reader, doc):
    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]
    found = [_squeeze(t) for t in titles(reader.outline)]
    for heading in doc.headings(3):
        assert _squeeze(heading.label + plain_text(heading.content)) in found


def test_every_reference_is_printed_in_sist02_form(pages, doc):
    refs, _ = load_references(FLAGSHIP / "references.yaml")
    listing = _squeeze("".join(pages).split("参考文献")[-1])
    assert len(doc.references) == len(refs)
    for entry in doc.references:
        ref = next(r for r in refs if r.key == entry.key)
        assert _squeeze(f"{entry.number}){ref.creator}.") in listing
        assert _squeeze(ref.title) in listing and _squeeze(ref.url) in listing


def test_every_citation_links_to_its_reference(reader, doc):
    cited = {n for s in doc.sections for c in walk(s.blocks) if isinstance(c, Citation)
             for n in c.numbers}
    assert cited == set(range(1, len(doc.references) + 1))
    targets, uris = set(), set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            height = abs(float(annot["/Rect"][3]) - float(annot["/Rect"][1]))
            assert height > 1, "a link with no clickable height"
            if "/Dest" in annot:
                targets.add(str(annot["/Dest"]))
            elif "/A" in annot:
                uris.add(str(annot["/A"]["/URI"]))
    assert {f"ref-{n}" for n in cited} <= targets
    assert targets <= set(reader.named_destinations)
    refs, _ = load_references(FLAGSHIP / "references.yaml")
    assert {r.url for r in refs} <= uris


def test_headings_are_numbered_in_the_text(pages, doc):
    body = [_squeeze(line) for p in pages[2:] for line in p.splitlines()]
    for heading in doc.headings(3):
        assert isinstance(heading, Heading)
        assert _squeeze(heading.label + plain_text(heading.content)) in body


def test_no_missing_glyphs(flagship_pdf, doc):
    # A glyph missing from the font comes out as U+FFFD or vanishes; the full
    # text of every paragraph, heading, cell and note must come back from the PDF.
    text = pdf_reading_text(flagship_pdf, doc.meta)
    assert "\ufffd" not in text
    expected = blocks_text(doc)
    assert expected and [run for run in expected if run not in text] == []


def test_identical_inputs_give_identical_bytes(flagship_pdf, tmp_path):
    result = run_cli("pdf", "--content", str(FLAGSHIP), "--out", str(tmp_path), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / flagship_pdf.name).read_bytes() == flagship_pdf.read_bytes()


def test_a_missing_japanese_font_names_its_debian_package(monkeypatch):
    from pipeline.diagnostics import PipelineError
    from pipeline.write import pdf
    monkeypatch.setattr(pdf, "installed_families", lambda: frozenset({"BIZ UDGothic"}))
    with pytest.raises(PipelineError) as caught:
        pdf.require_fonts()
    assert [str(d) for d in caught.value.diagnostics] == [
        "fonts: error: Japanese font not installed: BIZ UDMincho (install it: apt-get install "
        "fonts-morisawa-bizud-mincho) [font]"]
