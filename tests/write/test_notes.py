"""Cross-references and footnotes in real products: the PDF, the .docx, and the
.docx as LibreOffice reads it."""

import re
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from pipeline.build import load_document
from pipeline.cli import main
from pipeline.tree import CrossRef, Figure, Heading, Table, walk

from helpers import need_tool, pdf_pages_text, tiny_png, write_report

SECTIONS = {
    "01-a.md": "# 背景 {#sec:background}\n\n詳しくは[@sec:cases]と[@tbl:staff]で述べる[^first]。"
               "図は[@fig:map; @fig:chart]である。\n\n![地図](map.png){#fig:map}\n\n"
               "[^first]: 最初の注の本文[@alpha]。\n",
    "02-b.md": "# 事例 {#sec:cases}\n\n## 細目 {#sec:detail}\n\n[@sec:background]と[@sec:detail]"
               "を受ける[^second]。\n\nTable: 職員数 {#tbl:staff}\n\n| 区分 | 人数 |\n|---|--:|\n"
               "| 国 | 59[^third] |\n\n![グラフ](map.png){#fig:chart}\n\n"
               "[^second]: 二つ目の注の本文。\n[^third]: 表の中の注の本文。\n",
}


def _report(root, order=("01-a.md", "02-b.md")):
    write_report(root, {name: SECTIONS[name] for name in order})
    (root / "map.png").write_bytes(tiny_png())
    return root


def _labelled(doc) -> dict:
    """Returns {anchor: number as printed} of every heading, figure and table."""
    found = {}
    for section in doc.sections:
        for node in walk(section.blocks):
            if isinstance(node, Heading) and node.number:
                found[node.anchor] = node.label
            elif isinstance(node, Figure):
                found[node.anchor] = f"図{node.number}"
            elif isinstance(node, Table) and node.number:
                found[node.anchor] = f"表{node.number}"
    return found


@pytest.mark.parametrize("order", [("01-a.md", "02-b.md"), ("02-b.md", "01-a.md")])
def test_references_print_their_targets_numbers_in_any_order(tmp_path, order):
    root = _report(tmp_path / "r", order)
    doc, _ = load_document(root)
    labelled = _labelled(doc)
    references = [n for s in doc.sections for n in walk(s.blocks) if isinstance(n, CrossRef)]
    assert len(references) == 5
    for reference in references:
        for target in reference.targets:
            assert target.text == labelled[target.anchor]
    out = tmp_path / "o"
    assert main(["all", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    fields = _ref_fields(out / "test-report.docx")
    printed = [t.text for r in references for t in r.targets]
    assert [shown for _, shown in fields] == printed  # pre-filled with the numbers
    pdf_text = re.sub(r"\s+", "", "".join(pdf_pages_text(out / "test-report.pdf")))
    for reference in references:
        assert "・".join(t.text for t in reference.targets) in pdf_text


def _ref_fields(path) -> list[tuple[str, str]]:
    """Returns (bookmark, shown text) of each REF field in the document, in order."""
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.findall(r"<w:instrText[^>]*> REF (\S+) \\h </w:instrText></w:r><w:r>"
                      r"<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t[^>]*>([^<]*)</w:t>",
                      xml)


def test_each_ref_field_names_a_bookmark_around_its_number(tmp_path):
    root, out = _report(tmp_path / "r"), tmp_path / "o"
    assert main(["docx", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    xml = zipfile.ZipFile(out / "test-report.docx").read("word/document.xml").decode("utf-8")
    fields = _ref_fields(out / "test-report.docx")
    assert fields and len(fields) == xml.count("> REF ")  # every field, read as it is written
    for bookmark, shown in fields:
        inside = re.search(rf'<w:bookmarkStart w:id="(\d+)" w:name="{bookmark}"/>'
                           rf'<w:r><w:t[^>]*>([^<]*)</w:t></w:r><w:bookmarkEnd w:id="\1"/>', xml)
        assert inside and inside.group(2) == shown


def test_each_pdf_link_leads_to_the_page_of_its_target(tmp_path):
    root, out = _report(tmp_path / "r"), tmp_path / "o"
    body = "".join(f"埋め草の段落{n}である。\n\n" for n in range(120))  # targets a page apart
    (root / "01-a.md").write_text(SECTIONS["01-a.md"].replace("![地図]", body + "![地図]"),
                                  encoding="utf-8")
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    reader = PdfReader(out / "test-report.pdf")
    pages = pdf_pages_text(out / "test-report.pdf")
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}
    doc, _ = load_document(root)
    labelled = _labelled(doc)
    checked = 0
    for anchor, printed in labelled.items():
        if anchor in destinations:
            assert printed in re.sub(r"\s+", "", pages[destinations[anchor]])
            checked += 1
    assert checked == len(labelled)
    links = [annotation.get_object() for page in reader.pages
             for annotation in page.get("/Annots") or []]
    targets = {str(a["/Dest"]) for a in links if "/Dest" in a}
    referenced = {t.anchor for s in doc.sections for n in walk(s.blocks)
                  if isinstance(n, CrossRef) for t in n.targets}
    assert referenced == {"fig-1", "fig-2", "tbl-1", "sec:cases", "sec:background",
                          "sec:detail"} and referenced <= targets


def test_footnotes_sit_on_the_page_that_calls_them(tmp_path):
    root, out = tmp_path / "r", tmp_path / "o"
    paragraphs, notes = [], []
    for n in range(1, 41):  # calls in every position on a page, the last line included
        paragraphs.append(f"{'本文の段落である。' * (3 + n % 5)}段落{n}の末尾[^n{n}]。")
        notes.append(f"[^n{n}]: 脚注{n}の本文である。")
    write_report(root, {"01.md": "# 注の多い章\n\n" + "\n\n".join(paragraphs) + "\n\n"
                        + "\n".join(notes) + "\n"})
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    pages = [re.sub(r"\s+", "", text) for text in pdf_pages_text(out / "test-report.pdf")]
    for n in range(1, 41):
        called = [i for i, text in enumerate(pages) if f"段落{n}の末尾注{n}" in text]
        noted = [i for i, text in enumerate(pages) if f"注{n}脚注{n}の本文" in text]
        assert called and called == noted, n


@pytest.fixture
def libreoffice():
    return need_tool("soffice", "libreoffice")


def test_libreoffice_shows_every_footnote_and_reference(tmp_path, libreoffice):
    root, out = _report(tmp_path / "r"), tmp_path / "o"
    assert main(["docx", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    subprocess.run([libreoffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo-out"),
                    str(out / "test-report.docx")], capture_output=True, timeout=180, check=True)
    text = re.sub(r"\s+", "", "".join(pdf_pages_text(tmp_path / "lo-out" / "test-report.pdf")))
    for note in ("最初の注の本文", "二つ目の注の本文", "表の中の注の本文"):
        assert note in text
    for printed in ("2と表1", "図1・図2", "1と2.1"):
        assert printed in text
