"""The Word file, read back with python-docx and as XML; parity with the PDF; LibreOffice."""

import itertools
import re
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from pipeline.build import load_document
from pipeline.read.references import load_references
from pipeline.write.sist02 import format_sist02
from pipeline.tree import Citation, CrossRef, Figure, FootnoteRef, Table, plain_text, walk

from helpers import FLAGSHIP, need_tool, pdf_lines, pdf_pages_text, run_cli, write_report
from helpers import tiny_png

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    result = run_cli("all", "--content", str(FLAGSHIP), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "gov-dx-briefing.docx", out / "gov-dx-briefing.pdf"


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built[0]))


@pytest.fixture(scope="module")
def tree():
    return load_document(FLAGSHIP)[0]


def _xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def test_page_is_a4_with_the_pdf_margins(document):
    section = document.sections[0]
    measured = [round(length.mm, 1) for length in (section.page_width, section.page_height,
                                                   section.left_margin, section.top_margin)]
    assert measured == [210, 297, 27, 24]
    assert section.different_first_page_header_footer


def test_every_used_style_sets_the_east_asian_font_and_japanese(document):
    used = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Body Text", "List Bullet", "Caption",
            "Bibliography", "TOC 1"} <= used
    for name in used:
        style = document.styles[name]
        while style is not None and style.element.find(f"{W}rPr/{W}rFonts") is None:
            style = style.base_style
        fonts = style.element.find(f"{W}rPr/{W}rFonts")
        assert fonts.get(qn("w:eastAsia")) in {"BIZ UD明朝 Medium", "BIZ UDゴシック"}, name
        lang = document.styles[name].element.find(f"{W}rPr/{W}lang")
        assert lang.get(qn("w:eastAsia")) == "ja-JP", name
    assert document.styles["Heading 1"].element.find(f"{W}rPr/{W}rFonts").get(
        qn("w:eastAsia")) == "BIZ UDゴシック"
    assert document.styles["Normal"].element.find(f"{W}rPr/{W}rFonts").get(
        qn("w:eastAsia")) == "BIZ UD明朝 Medium"


def test_theme_fonts_are_removed_from_defaults(built):
    styles = _xml(built[0], "word/styles.xml")
    defaults = styles.split("<w:docDefaults>")[1].split("</w:docDefaults>")[0]
    assert "eastAsiaTheme" not in defaults and 'w:eastAsia="BIZ UD明朝 Medium"' in defaults


def test_headings_use_heading_styles_with_numbers(document, tree):
    found = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    expected = [(f"Heading {h.level}", (f"{h.label}\u3000" if h.number else "")
                 + plain_text(h.content)) for h in tree.headings()]
    assert found == expected + [("Heading 1", "参考文献")]


def test_cover_summary_and_toc_field(document, built, tree):
    texts = [p.text for p in document.paragraphs]
    assert document.paragraphs[0].style.name == "Marking" and texts[0] == "取扱注意"
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [tree.meta.title]
    assert any("令和8年（2026年）11月27日" in t for t in texts)
    assert sum(p.style.name == "List Bullet" for p in document.paragraphs) >= len(tree.meta.summary)
    xml = _xml(built[0])
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml
    toc = [p.text for p in document.paragraphs if p.style.name.startswith("TOC")]
    assert toc[0] == "1\u3000官公庁にDXが求められる背景" and toc[-1] == "参考文献"
    assert 'w:updateFields w:val="true"' in _xml(built[0], "word/settings.xml")


def test_header_footer_and_first_page(document):
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "官公庁におけるDXの取組事例\t取扱注意"
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and footer.index("- ") < footer.index(" PAGE ") < footer.index(" -")
    assert all(not p.text for p in section.first_page_footer.paragraphs)


def test_citations_are_superscript_links_to_reference_bookmarks(built, tree):
    xml = _xml(built[0])
    anchors = set(re.findall(r'<w:hyperlink w:anchor="(ref-\d+)"', xml))
    bookmarks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml))
    assert anchors == {f"ref-{r.number}" for r in tree.references}
    assert anchors <= bookmarks
    assert 'w:styleId="Citation"' in _xml(built[0], "word/styles.xml")


def test_urls_are_real_hyperlinks(built):
    rels = _xml(built[0], "word/_rels/document.xml.rels")
    refs, _ = load_references(FLAGSHIP / "references.yaml")
    for ref in refs:
        target = ref.url.replace("&", "&amp;")
        assert f'Target="{target}" TargetMode="External"' in rels


def test_table_header_rows_repeat_and_captions_use_caption_style(document, tree):
    tables = [n for s in tree.sections for n in walk(s.blocks) if isinstance(n, Table)]
    assert len(document.tables) == len(tables)
    for table in document.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert {c.paragraphs[0].style.name for c in table.rows[0].cells} == {"Table Heading"}
        assert {c.paragraphs[0].style.name for c in table.rows[1].cells} == {"Table Text"}
        assert all(run.bold is None for c in table.rows[0].cells for run in c.paragraphs[0].runs)
    captions = [p.text for p in document.paragraphs
                if p.style.name == "Caption" and p.text.startswith("表")]
    expected = [f"表{t.number}\u3000{plain_text(t.caption)}" for t in tables if t.number]
    assert len(captions) == len(expected)
    assert all(c.startswith(e) for c, e in zip(captions, expected))


def test_core_properties(document):
    props = document.core_properties
    assert props.title == "官公庁におけるDXの取組事例"
    assert props.author == "行政DX調査チーム" and props.subject
    assert props.created.date().isoformat() == "2026-11-27" == props.modified.date().isoformat()
    assert props.language == "ja-JP"
    assert "python-docx" not in (props.author + props.comments + props.last_modified_by)


def test_application_property_names_the_pipeline(built):
    assert "<Application>pipeline</Application>" in _xml(built[0], "docProps/app.xml")


def test_identical_inputs_give_identical_bytes(built, tmp_path):
    result = run_cli("docx", "--content", str(FLAGSHIP), "--out", str(tmp_path), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / built[0].name).read_bytes() == built[0].read_bytes()
    with zipfile.ZipFile(built[0]) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_numbered_lists_restart_and_figures_get_captions(tmp_path):
    (tmp_path / "fig.png").write_bytes(tiny_png())
    root = write_report(tmp_path, {"01.md": "# 一\n\n1. あ\n2. い\n\n段落\n\n1. う\n2. え\n\n"
                                   "![図の題](fig.png)\n\n[@alpha][@beta][@gamma]\n"})
    assert run_cli("docx", "--content", str(root), "--out", str(tmp_path / "o")).returncode == 0
    document = docx.Document(str(tmp_path / "o" / "test-report.docx"))
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    num_ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert len(numbered) == 4 and num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]
    assert [p.text for p in document.paragraphs if p.style.name == "Caption"] == ["図1\u3000図の題"]
    assert len(document.inline_shapes) == 1


def test_reference_docx_styles_are_used(tmp_path):
    house = docx.Document()
    house.styles["Heading 1"].font.size = docx.shared.Pt(20)
    house.save(str(tmp_path / "reference.docx"))
    from pipeline.write.docx import DocxOptions, render_docx
    tree = load_document(FLAGSHIP)[0]
    out = tmp_path / "out.docx"
    out.write_bytes(render_docx(tree, DocxOptions(tmp_path / "reference.docx")))
    assert docx.Document(str(out)).styles["Heading 1"].font.size == docx.shared.Pt(20)


def test_pdf_and_docx_say_the_same(built, document, tree):
    pdf_text = re.sub(r"\s+", "", "".join(pdf_pages_text(built[1])))
    word_text = re.sub(r"\s+", "", "\n".join(p.text for p in document.paragraphs))
    for heading in tree.headings():
        text = re.sub(r"\s+", "", heading.label + "\u3000" + plain_text(heading.content))
        assert text in pdf_text and text in word_text
    for node in (n for s in tree.sections for n in walk(s.blocks)):
        if isinstance(node, (Table, Figure)) and node.number:
            label = ("表" if isinstance(node, Table) else "図") + str(node.number)
            caption = re.sub(r"\s+", "", label + plain_text(node.caption))
            assert caption in pdf_text and caption in word_text
    for entry in tree.references:
        text = re.sub(r"\s+", "", f"{entry.number}){plain_text(format_sist02(entry.source))}")
        assert text in pdf_text and text in word_text
    nodes = [n for s in tree.sections for n in walk(s.blocks)]
    cites = [c.numbers for c in nodes if isinstance(c, Citation)]
    word_cites = re.findall(r'<w:hyperlink w:anchor="ref-(\d+)"', _xml(built[0])
                            + _xml(built[0], "word/footnotes.xml"))  # a note's after the text
    assert sorted(int(n) for n in word_cites) == sorted(n for numbers in cites for n in numbers)
    references = [n for n in nodes if isinstance(n, CrossRef)]
    notes = [n for n in nodes if isinstance(n, FootnoteRef)]
    assert references and notes  # the flagship uses both
    for reference in references:
        printed = "・".join(t.text for t in reference.targets)
        assert printed in pdf_text and printed in word_text
    word_notes = re.sub(r"<[^>]+>", "", _xml(built[0], "word/footnotes.xml"))
    # A note's lines as printed (a call's raised number would reorder pdftotext's text).
    pdf_lines_text = re.sub(r"\s+", "", "".join(pdf_lines(built[1])))
    for note in notes:  # up to its first citation, whose number only the products print
        before = tuple(itertools.takewhile(lambda n: not isinstance(n, Citation), note.content))
        text = re.sub(r"\s+", "", plain_text(before))
        assert f"注{note.number}{text}" in pdf_lines_text \
            and text in re.sub(r"\s+", "", word_notes)
    assert _xml(built[0]).count("<w:footnoteReference ") == len(notes)


def test_libreoffice_opens_and_converts_it(built, tmp_path, tree):
    soffice = need_tool("soffice", "libreoffice")
    result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(built[0])],
                            capture_output=True, text=True, timeout=180)
    converted = tmp_path / "gov-dx-briefing.pdf"
    assert converted.is_file(), result.stderr
    text = re.sub(r"\s+", "", "".join(pdf_pages_text(converted)))
    for heading in tree.headings():
        assert re.sub(r"\s+", "", plain_text(heading.content)) in text
    for entry in tree.references:
        assert re.sub(r"\s+", "", plain_text(format_sist02(entry.source)))[:20] in text


def test_wrapped_source_lines_are_one_line_in_both_products(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n行政の\nデジタル化を\nEnglish と進める。\n"})
    assert run_cli("all", "--content", str(root), "--out", str(tmp_path / "o")).returncode == 0
    xml = zipfile.ZipFile(tmp_path / "o" / "test-report.docx").read("word/document.xml").decode()
    paragraph = re.search(r"<w:p>(?:(?!</w:p>).)*行政の(?:(?!</w:p>).)*</w:p>", xml).group()
    assert "<w:br/>" not in paragraph  # no hard line break where the source wrapped
    assert "行政のデジタル化を English と進める。" in \
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", paragraph))
    pdf_text = "".join(pdf_pages_text(tmp_path / "o" / "test-report.pdf"))
    assert "行政のデジタル化を English と進める。" in pdf_text


def test_the_source_map_escapes_as_the_standard_library_does():
    from xml.sax import saxutils

    from pipeline.write.docx.sources import escape, quoteattr
    for text in ("a&b<c>d", 'say "x"', "it's", "\"both\" 'kinds'", "a\nb\tc\rd", "全角＆<>"):
        assert (escape(text), quoteattr(text)) == (saxutils.escape(text),
                                                   saxutils.quoteattr(text))
