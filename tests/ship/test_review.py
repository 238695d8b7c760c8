"""`review`: reviewers' Word edits back to the Markdown.

The edits are made as Word writes them (w:ins, w:del with w:delText,
w:moveFrom / w:moveTo, a comment range and comments.xml, a paragraph split in
two), on the .docx the pipeline wrote and on the same file after LibreOffice
has opened and saved it.
"""

import json
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from pipeline.cli import main

from helpers import need_tool, run_bounded, write_report

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SECTIONS = {
    "01.md": "# 背景\n\n職員数は長期にわたり減少している。限られた人員で行政を支える必要がある。\n\n"
             "- 手続の見直しを進める。\n- 窓口の負担を減らす。\n",
    "02.md": "# 事例\n\n{{ report.title }}の事例として、県の取組を紹介する[@alpha]。\n\n"
             "町は通信網を整備した。住民の端末を結ぶ方式である。\n",
}


def _w(name):
    return f"{{{W}}}{name}"


class WordEdits:
    """Edits a .docx's document.xml as Word does with 変更履歴 on."""

    def __init__(self, path):
        self.path = path
        with zipfile.ZipFile(path) as package:
            self.parts = {n: package.read(n) for n in package.namelist()}
        self.root = etree.fromstring(self.parts["word/document.xml"])

    def run_with(self, text, within=None):
        for t in self.root.iter(_w("t")):
            if text in (t.text or "") and (within or text) in (t.text or ""):
                return t.getparent(), t
        raise AssertionError(f"no run holds {text!r}")

    def _split(self, text, within=None):
        """Returns the run holding text, split so that text is a run of its own."""
        run, t = self.run_with(text, within)
        before, _, after = t.text.partition(text)
        parent, index = run.getparent(), run.getparent().index(run)
        pieces = []
        for piece in (before, text, after):
            new = etree.fromstring(etree.tostring(run))
            new.find(_w("t")).text = piece
            new.find(_w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            pieces.append(new)
        parent.remove(run)
        kept = [piece for piece in pieces if piece.find(_w("t")).text]
        for offset, piece in enumerate(kept):
            parent.insert(index + offset, piece)
        return pieces[1]

    def _wrap(self, run, tag, author="課長 山田", date="2026-12-01T09:00:00Z"):
        wrapper = etree.Element(_w(tag))
        wrapper.set(_w("id"), str(900 + len(list(self.root.iter()))))
        wrapper.set(_w("author"), author)
        wrapper.set(_w("date"), date)
        run.addprevious(wrapper)
        wrapper.append(run)
        return wrapper

    def replace(self, old, new, within=None):
        run = self._split(old, within)
        t = run.find(_w("t"))
        t.tag = _w("delText")
        deleted = self._wrap(run, "del")
        inserted_run = etree.fromstring(etree.tostring(run))
        inserted_run.find(_w("delText")).tag = _w("t")
        inserted_run.find(_w("t")).text = new
        inserted = etree.Element(_w("ins"))
        for key, value in deleted.attrib.items():
            inserted.set(key, value)
        inserted.set(_w("id"), str(int(deleted.get(_w("id"))) + 1))
        deleted.addnext(inserted)
        inserted.append(inserted_run)

    def move(self, text, before_text):
        run = self._split(text)
        copy = etree.fromstring(etree.tostring(run))
        run.find(_w("t")).tag = _w("delText")
        self._wrap(run, "moveFrom")
        target = self._split(before_text)
        target.addprevious(copy)
        self._wrap(copy, "moveTo")

    def comment(self, text, remark):
        run = self._split(text)
        start, end = etree.Element(_w("commentRangeStart")), etree.Element(_w("commentRangeEnd"))
        start.set(_w("id"), "0")
        end.set(_w("id"), "0")
        run.addprevious(start)
        run.addnext(end)
        self.parts["word/comments.xml"] = (
            f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="係長 佐藤" '
            f'w:date="2026-12-01T10:00:00Z"><w:p><w:r><w:t>{remark}</w:t></w:r></w:p>'
            f'</w:comment></w:comments>').encode()
        rels = self.parts["word/_rels/document.xml.rels"].decode()
        self.parts["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", '<Relationship Id="rIdComments" Type="http://schemas.openxml'
            'formats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
            "</Relationships>").encode()
        types = self.parts["[Content_Types].xml"].decode()
        self.parts["[Content_Types].xml"] = types.replace(
            "</Types>", '<Override PartName="/word/comments.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>').encode()

    def split_paragraph(self, at_text):
        """Breaks the paragraph before at_text, as pressing Enter does."""
        run = self._split(at_text)
        paragraph = run.getparent()
        while paragraph.tag != _w("p"):
            paragraph = paragraph.getparent()
        new = etree.Element(_w("p"))
        ppr = paragraph.find(_w("pPr"))
        if ppr is not None:
            new.append(etree.fromstring(etree.tostring(ppr)))
        following = [run] + list(run.itersiblings())
        paragraph.addnext(new)
        for node in following:
            new.append(node)

    def save(self, path):
        self.parts["word/document.xml"] = etree.tostring(self.root, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in self.parts.items():
                package.writestr(name, data)
        return path


@pytest.fixture
def built(tmp_path):
    root = write_report(tmp_path / "r", SECTIONS)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.jp", "-c",
                    "user.name=t", "commit", "-q", "-m", "sources"], check=True)
    out = tmp_path / "o"
    assert main(["docx", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    return root, out / "test-report.docx"


def _reviewed(docx_path, target):
    edits = WordEdits(docx_path)
    edits.replace("長期にわたり", "この20年間")
    edits.replace("窓口の負担", "窓口の職員の負担")
    edits.move("住民の端末を結ぶ方式である。", "町は")
    edits.comment("限られた人員", "数値の出典を示すこと")
    edits.split_paragraph("限られた人員")
    return edits.save(target)


def _accepted_text(path):
    """Returns the document's paragraphs with every tracked change accepted."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    texts = []
    for p in root.iter(_w("p")):
        text = "".join("\t" if t.tag == _w("tab") else t.text or ""
                       for t in p.iter(_w("t"), _w("tab"))
                       if not any(a.tag in (_w("del"), _w("moveFrom")) for a in t.iterancestors()))
        if text:
            texts.append(text)
    return texts


def _review(docx_path, root, out, *options):
    code = main(["review", str(docx_path), "--content", str(root), "--out", str(out), *options])
    return code, json.loads((out / "review.json").read_text(encoding="utf-8"))


def test_changes_and_comments_are_listed_at_their_source_lines(built, tmp_path):
    root, original = built
    reviewed = _reviewed(original, tmp_path / "reviewed.docx")
    code, report = _review(reviewed, root, tmp_path / "o")
    found = {(f["rule"], f["path"].rsplit("/", 1)[-1], f["line"]) for f in report["findings"]}
    assert ("review-change", "01.md", 3) in found and ("review-change", "01.md", 6) in found
    assert ("review-change", "02.md", 5) in found  # the move
    assert ("review-comment", "01.md", 3) in found
    comment = next(f for f in report["findings"] if f["rule"] == "review-comment")
    assert "係長 佐藤" in comment["message"] and "数値の出典を示すこと" in comment["message"]
    assert "限られた人員" in comment["message"]
    change = next(f for f in report["findings"] if "この20年間" in f["message"])
    assert "課長 山田" in change["message"] and "2026-12-01" in change["message"]
    assert code == 0


@pytest.mark.parametrize("through_libreoffice", [False, True])
def test_apply_round_trip(built, tmp_path, through_libreoffice):
    root, original = built
    if through_libreoffice:
        original = _libreoffice_save(original, tmp_path / "lo")
    reviewed = _reviewed(original, tmp_path / "reviewed.docx")
    before = {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.md")}
    code, _ = _review(reviewed, root, tmp_path / "o", "--apply")
    assert code == 0
    after = {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.md")}
    assert after["01.md"] == before["01.md"].replace("長期にわたり", "この20年間").replace(
        "窓口の負担", "窓口の職員の負担").replace("している。限られた", "している。\n\n限られた")
    assert "住民の端末を結ぶ方式である。町は通信網を整備した。" in after["02.md"]  # moved
    assert "{{ report.title }}の事例" in after["02.md"]  # untouched
    out = tmp_path / "rebuilt"
    assert main(["docx", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    rebuilt = [p.text for p in docx.Document(out / "test-report.docx").paragraphs if p.text]
    accepted = _accepted_text(reviewed)
    body = accepted[accepted.index("1\u3000背景"):]
    assert rebuilt[rebuilt.index("1\u3000背景"):][:len(body)] == body
    code, _ = _review(reviewed, root, tmp_path / "o2", "--apply")  # again: nothing to do
    assert code == 0
    assert {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.md")} == after


def _libreoffice_save(path, directory):
    soffice = need_tool("soffice", "libreoffice")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{directory}/profile",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(directory),
                    str(path)], capture_output=True, timeout=180, check=True)
    return directory / path.name


def test_a_change_in_jinja_or_a_citation_is_reported_not_applied(built, tmp_path):
    root, original = built
    edits = WordEdits(original)
    edits.replace("試験報告", "別の報告", within="試験報告の事例")  # from {{ report.title }}
    edits.replace("紹介する", "紹介した")  # beside a citation printed 1)
    reviewed = edits.save(tmp_path / "reviewed.docx")
    before = (root / "02.md").read_text(encoding="utf-8")
    code, report = _review(reviewed, root, tmp_path / "o", "--apply")
    manual = [f for f in report["findings"] if f["rule"] == "review-manual"]
    assert len(manual) == 1 and manual[0]["line"] == 3
    assert "別の報告の事例として" in manual[0]["message"]
    assert (root / "02.md").read_text(encoding="utf-8") == before  # nothing of that block


def test_a_change_to_text_written_inside_a_jinja_tag_is_never_written_there(built, tmp_path):
    """The guard itself: the words stand literally in the source, but inside
    `{{ "…" }}`, so writing them there would edit an expression."""
    root, _ = built
    (root / "02.md").write_text('# 事例\n\n{{ "県と市町の取組の一覧を示す" }}。\n', encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "tag"], check=True)
    assert main(["docx", "--content", str(root), "--out", str(tmp_path / "d"), "--quiet"]) == 0
    edits = WordEdits(tmp_path / "d" / "test-report.docx")
    edits.replace("取組", "施策")
    reviewed = edits.save(tmp_path / "reviewed.docx")
    before = (root / "02.md").read_text(encoding="utf-8")
    code, report = _review(reviewed, root, tmp_path / "o", "--apply")
    assert code == 0
    assert [(f["rule"], f["line"]) for f in report["findings"]
            if f["rule"] == "review-manual"] == [("review-manual", 3)]
    assert (root / "02.md").read_text(encoding="utf-8") == before


def test_apply_refuses_uncommitted_sources_unless_forced(built, tmp_path, capsys):
    root, original = built
    reviewed = _reviewed(original, tmp_path / "reviewed.docx")
    with open(root / "01.md", "a", encoding="utf-8") as source:
        source.write("\n追記である。\n")
    assert main(["review", str(reviewed), "--content", str(root), "--out", str(tmp_path / "o"),
                 "--apply"]) == 1
    assert "[review-dirty]" in capsys.readouterr().err
    assert "この20年間" not in (root / "01.md").read_text(encoding="utf-8")
    code, _ = _review(reviewed, root, tmp_path / "o", "--apply", "--force")
    assert code == 0 and "この20年間" in (root / "01.md").read_text(encoding="utf-8")


def test_comments_become_a_checklist(built, tmp_path):
    root, original = built
    reviewed = _reviewed(original, tmp_path / "reviewed.docx")
    code, _ = _review(reviewed, root, tmp_path / "o", "--comments", str(tmp_path / "todo.md"))
    assert code == 0
    assert "- [ ] 01.md:3 係長 佐藤（2026-12-01）：数値の出典を示すこと" in \
        (tmp_path / "todo.md").read_text(encoding="utf-8")


def test_sources_changed_since_are_named(built, tmp_path):
    root, original = built
    (root / "02.md").write_text(SECTIONS["02.md"] + "\n追記である。\n", encoding="utf-8")
    _, report = _review(original, root, tmp_path / "o")
    stale = [f for f in report["findings"] if f["rule"] == "review-stale"]
    assert len(stale) == 1 and "02.md" in stale[0]["message"]


def _zip(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


@pytest.mark.parametrize("case, message", [
    ("corrupt", "not a Word file (.docx is a zip"),
    ("docm", "a macro-enabled document (.docm) is not read"),
    ("bomb", "unpacks to more than 200 MiB"),
    ("doctype", "declares a DOCTYPE or entities"),
    ("foreign", "was not written by the pipeline"),
    ("huge", "word/document.xml unpacks to"),
])
def test_hostile_files_are_diagnostics(tmp_path, case, message):
    root = write_report(tmp_path / "r", SECTIONS)
    path = tmp_path / f"{case}.docx"
    document = f'<w:document xmlns:w="{W}"><w:body/></w:document>'
    if case == "corrupt":
        path.write_bytes(b"PK\x03\x04 broken")
    elif case == "docm":
        _zip(path, {"word/document.xml": document, "word/vbaProject.bin": b"\0"})
    elif case == "bomb":
        _zip(path, {"word/document.xml": document, "word/media/a.bin": b"\0" * (210 * 2**20)})
    elif case == "doctype":
        _zip(path, {"word/document.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a '
                    '"aaaaaaaaaa">]>' + document,
                    "customXml/pipeline-sources.xml": '<sources xmlns="urn:pipeline:sources:1"/>'})
    elif case == "foreign":
        _zip(path, {"word/document.xml": document})
    else:
        _zip(path, {"word/document.xml": document + " " * (60 * 2**20)})
    # A child held to 1 GiB and 60 s: a regression that unpacks the bomb fails this test
    # instead of taking the machine down.
    result = run_bounded("review", str(path), "--content", str(root),
                         "--out", str(tmp_path / "o"), memory_mib=1024)
    assert result["code"] == 1 and message in result["stderr"]
    assert "[review-file]" in result["stderr"]


def test_merged_paragraphs_and_formatting_changes(built, tmp_path):
    root, original = built
    edits = WordEdits(original)
    first, _ = edits.run_with("町は通信網を整備した。")
    paragraph = first.getparent()
    previous = paragraph.getprevious()
    while previous.tag != _w("p") or not "".join(t.text or "" for t in previous.iter(_w("t"))):
        previous = previous.getprevious()
    for node in list(paragraph):  # the reviewer joined this paragraph to the one before
        if node.tag != _w("pPr"):
            previous.append(node)
    paragraph.getparent().remove(paragraph)
    run, _ = edits.run_with("職員数は")
    rpr = run.find(_w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(run, _w("rPr"))
        run.insert(0, rpr)
    change = etree.SubElement(rpr, _w("rPrChange"))
    change.set(_w("id"), "77")
    change.set(_w("author"), "課長 山田")
    change.set(_w("date"), "2026-12-01T09:00:00Z")
    reviewed = edits.save(tmp_path / "reviewed.docx")
    _, report = _review(reviewed, root, tmp_path / "o")
    rules = [(f["rule"], f["line"], f["message"][:6]) for f in report["findings"]]
    assert ("review-change", 3, "書式の変更（") in rules  # formatting, not a text change
    assert not any(r == "review-edit" and line == 3 for r, line, _ in rules)
    assert not [f for f in report["findings"] if f["rule"] == "review-unmapped"]  # it moved

    code, _ = _review(reviewed, root, tmp_path / "o", "--apply")
    assert code == 0 and "町は通信網を整備した。" in (root / "02.md").read_text(encoding="utf-8")



def test_a_tab_stop_set_in_word_is_not_text(built, tmp_path):
    """Word writes a tab stop as w:tab inside w:pPr/w:tabs; only a w:tab in a run is
    text. The paragraph a reviewer split off a block carries no mark of its own, so
    its w:pPr is read as part of that block."""
    root, original = built
    reports = []
    for tab_stop in (False, True):
        edits = WordEdits(original)
        edits.split_paragraph("限られた人員")
        if tab_stop:
            paragraph = edits.run_with("限られた人員")[0].getparent()
            ppr = paragraph.find(_w("pPr"))
            if ppr is None:
                ppr = etree.Element(_w("pPr"))
                paragraph.insert(0, ppr)
            tabs = etree.SubElement(ppr, _w("tabs"))
            etree.SubElement(tabs, _w("tab"), {_w("val"): "left", _w("pos"): "720"})
        target = tmp_path / f"split-{tab_stop}.docx"
        reports.append(_review(edits.save(target), root, tmp_path / f"o-{tab_stop}")[1])
    assert reports[0]["findings"] and reports[1]["findings"] == reports[0]["findings"]


def test_a_block_whose_mark_is_gone_is_reported_unmapped_not_guessed(built, tmp_path):
    """A reviewer who deletes a paragraph with its hidden mark (or retypes it whole)
    leaves a block the map cannot find: it is named at its source line."""
    root, original = built
    edits = WordEdits(original)
    run, _ = edits.run_with("町は通信網を整備した。")
    paragraph = run.getparent()
    paragraph.getparent().remove(paragraph)  # the paragraph, its bookmark with it
    reviewed = edits.save(tmp_path / "reviewed.docx")
    code, report = _review(reviewed, root, tmp_path / "o")
    assert code == 0
    unmapped = [(f["line"], f["message"]) for f in report["findings"]
                if f["rule"] == "review-unmapped"]
    assert unmapped == [(5, "この段落の目印が文書から消えている（削除されたか、目印ごと書き換えられた）："
                            "「町は通信網を整備した。住民の端末を結ぶ方式である。」")]
