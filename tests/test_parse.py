"""Sections → tree: citations, numbering of headings, figures and tables, source lines."""

import struct
import zlib

import pytest
from PIL import Image

from pipeline.build import load_document
from pipeline.diagnostics import PipelineError
from pipeline.tree import (BulletList, Citation, Code, CodeBlock, Figure, Heading, OrderedList,
                           Paragraph, Table, plain_text, walk)

from conftest import write_report


def _doc(tmp_path, sections, **kwargs):
    doc, warnings = load_document(write_report(tmp_path, sections, **kwargs))
    return doc, warnings


def _nodes(doc, kind):
    return [n for s in doc.sections for n in walk(s.blocks) if isinstance(n, kind)]


def _errors(tmp_path, sections, **kwargs):
    with pytest.raises(PipelineError) as caught:
        load_document(write_report(tmp_path, sections, **kwargs))
    return [str(d).replace(f"{tmp_path}/", "") for d in caught.value.diagnostics if d.is_error]


def tiny_png() -> bytes:
    """Returns a valid 1×1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_citations_numbered_by_first_appearance_across_sections(tmp_path):
    doc, warnings = _doc(tmp_path, {
        "01.md": "# 一\n\n本文[@beta]と[@alpha; @beta]。\n",
        "02.md": "# 二\n\n再掲[@alpha]と新規[@gamma]。\n",
    })
    cites = _nodes(doc, Citation)
    assert [c.keys for c in cites] == [("beta",), ("alpha", "beta"), ("alpha",), ("gamma",)]
    assert [c.numbers for c in cites] == [(1,), (2, 1), (2,), (3,)]
    assert [r.key for r in doc.references] == ["beta", "alpha", "gamma"]
    assert [r.number for r in doc.references] == [1, 2, 3]
    assert warnings == []


def test_citation_positions_are_source_lines(tmp_path):
    doc, _ = _doc(tmp_path, {"01.md": "# 一\n\n段落の一行目\n二行目に[@alpha]。\n\n- 項目[@beta]\n"})
    assert [(c.pos.line, c.pos.column) for c in _nodes(doc, Citation)] == [(4, 5), (6, 5)]


def test_citation_inside_code_is_left_as_text(tmp_path):
    doc, warnings = _doc(tmp_path, {"01.md": "`[@alpha]` と\n\n```\n[@beta]\n```\n\n[@gamma]\n"})
    assert [c.keys for c in _nodes(doc, Citation)] == [("gamma",)]
    assert _nodes(doc, Code)[0].text == "[@alpha]"
    assert _nodes(doc, CodeBlock)[0].text == "[@beta]"


def test_unknown_key_is_an_error_with_suggestion_and_position(tmp_path):
    errors = _errors(tmp_path, {"01.md": "# 一\n\n本文\nここで[@alpah]。\n"})
    assert errors == ["01.md:4:4: error: unknown reference key 'alpah' (did you mean 'alpha'?) [unknown-key]"]


def test_headings_are_numbered_to_three_levels(tmp_path):
    doc, _ = _doc(tmp_path, {
        "01.md": "# 背景\n\n## 課題\n\n### 詳細\n\n#### 補足\n\n## 対応\n",
        "02.md": "# 事例 {#cases}\n\n## 国\n",
    })
    headings = _nodes(doc, Heading)
    assert [(h.label, h.anchor) for h in headings] == [
        ("1", "sec-1"), ("1.1", "sec-1-1"), ("1.1.1", "sec-1-1-1"), ("", "h-1"),
        ("1.2", "sec-1-2"), ("2", "cases"), ("2.1", "sec-2-1")]
    assert [h.pos.line for h in headings] == [1, 3, 5, 7, 9, 1, 3]


def test_tables_with_captions_are_numbered(tmp_path):
    table = "| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    doc, _ = _doc(tmp_path, {
        "01.md": f"Table: 前に置いた表題\n\n{table}\n{table}\n表: 後に置いた表題[@alpha]\n",
        "02.md": f"段落\n\n{table}",
    })
    tables = _nodes(doc, Table)
    assert [t.number for t in tables] == [1, 2, None]
    assert [plain_text(t.caption) for t in tables] == ["前に置いた表題", "後に置いた表題", ""]
    assert tables[0].aligns == ("left", "right")
    assert [plain_text(c) for c in tables[0].body[0]] == ["1", "2"]
    assert tables[2].pos.line == 3
    assert not any("表題" in plain_text(p.content) for p in _nodes(doc, Paragraph))


def test_figures_are_numbered_and_captioned_from_alt_text(tmp_path):
    (tmp_path / "fig.png").write_bytes(tiny_png())
    doc, _ = _doc(tmp_path, {"01.md": "# 一\n\n![最初の図](fig.png)\n\n本文\n\n![次の図](fig.png)\n"})
    figures = _nodes(doc, Figure)
    assert [(f.number, plain_text(f.caption), f.pos.line) for f in figures] == [
        (1, "最初の図", 3), (2, "次の図", 7)]
    assert figures[0].src == str((tmp_path / "fig.png").resolve())
    assert (figures[0].data, figures[0].media_type) == (tiny_png(), "image/png")


@pytest.mark.parametrize("markdown, message", [
    ("![](fig.png)\n", "figure 'fig.png' has no caption: write ![caption](fig.png) [figure]"),
    ("![図](none.png)\n", "image file not found: none.png [figure]"),
    ("![図](fig.bmp)\n", "unsupported image format BMP (use PNG, JPEG or GIF) [figure]"),
    ("![図](broken.png)\n", "not an image Pillow can read (use PNG, JPEG or GIF) [figure]"),
    ("![図](../outside.png)\n", "'../outside.png' is outside the report directory [figure]"),
    ("![図](/etc/passwd)\n", "'/etc/passwd' is outside the report directory: a figure must be "
     "a file inside it, given by a relative path [figure]"),
    ("![図](https://example.jp/a.png)\n", "remote image 'https://example.jp/a.png' is not "
     "fetched: save it in the report directory, or set remote_images: true in report.yaml "
     "[figure]"),
    ("文中の ![図](fig.png) 画像\n",
     "an image must stand alone in its paragraph, to become a figure [markdown]"),
])
def test_figure_errors(tmp_path, markdown, message):
    (tmp_path / "fig.png").write_bytes(tiny_png())
    Image.new("RGB", (2, 2)).save(tmp_path / "fig.bmp")
    (tmp_path / "broken.png").write_bytes(tiny_png()[:30])
    (tmp_path.parent / "outside.png").write_bytes(tiny_png())
    assert _errors(tmp_path, {"01.md": "# 一\n\n" + markdown}) == [f"01.md:3: error: {message}"]


def test_lists_nest_and_keep_their_start(tmp_path):
    doc, _ = _doc(tmp_path, {"01.md": "- 上\n    - 下\n- 次\n\n3. 三\n4. 四\n"})
    bullet = _nodes(doc, BulletList)[0]
    assert len(bullet.items) == 2
    assert isinstance(bullet.items[0].blocks[1], BulletList)
    ordered = _nodes(doc, OrderedList)[0]
    assert ordered.start == 3 and ordered.pos.line == 5


def test_raw_html_stays_text_with_a_warning(tmp_path):
    doc, warnings = _doc(tmp_path, {"01.md": "<b>太字</b> & 1 < 2\n"})
    (paragraph,) = _nodes(doc, Paragraph)
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
def test_scripts_and_unsafe_links_are_errors(tmp_path, markdown, message):
    errors = _errors(tmp_path, {"01.md": f"# 一\n\n{markdown}\n"})
    assert [e.split(": error: ")[1].rsplit(" [", 1)[0] for e in errors] == [message]


def test_jinja_variables_and_data_reach_the_text(tmp_path):
    doc, _ = _doc(tmp_path, {"01.md": "{{ report.title }}は{{ staff.total | comma }}人、"
                             "{{ reduction(staff.before, staff.total) }}%減。\n"},
                  data={"staff.yaml": "before: 20000\ntotal: 15000\n"})
    (paragraph,) = _nodes(doc, Paragraph)
    assert plain_text(paragraph.content) == "試験報告は15,000人、25.0%減。"


def test_lines_survive_jinja_loops(tmp_path):
    doc, _ = _doc(tmp_path, {"01.md": "# 一\n\n{% for x in [1, 2] %}\n- 項目{{ x }}\n{% endfor %}\n"
                             "\n最後[@alpha]\n"})
    assert [c.pos.line for c in _nodes(doc, Citation)] == [7]
    assert [i.pos.line for i in _nodes(doc, BulletList)[0].items] == [4, 4]


def test_undefined_variable_names_file_and_line(tmp_path):
    errors = _errors(tmp_path, {"01.md": "# 一\n\n本文\n{{ staf.total }}\n"})
    assert errors == ["01.md:4: error: undefined variable: 'staf' is undefined [template]"]


def test_errors_in_several_sections_are_all_reported(tmp_path):
    errors = _errors(tmp_path, {"01.md": "{{ nope }}\n", "02.md": "[@nokey]\n"})
    assert errors == ["01.md:1: error: undefined variable: 'nope' is undefined [template]",
                      "02.md:1:1: error: unknown reference key 'nokey' [unknown-key]"]


@pytest.mark.parametrize("markdown, paragraphs", [
    ("一つ目 {## 注 ##}\n\n二つ目\n", [("一つ目 ", 1), ("二つ目", 3)]),  # not joined
    ("一行目\n{## 注 ##}\n二行目\n", [("一行目二行目", 1)]),  # the line vanishes whole
])
def test_jinja_comment_keeps_or_removes_its_line(tmp_path, markdown, paragraphs):
    doc, _ = _doc(tmp_path, {"01.md": markdown})
    assert [(plain_text(p.content), p.pos.line) for p in _nodes(doc, Paragraph)] == paragraphs


@pytest.mark.parametrize("markdown, text", [
    ("行政の\nデジタル化", "行政のデジタル化"),  # between kanji and kana: nothing
    ("二行目\nEnglish\nwords", "二行目 English words"),  # beside Latin: a space
    ("全角、\n　続き", "全角、　続き"),  # the author's ideographic space stays
    ("**強調**\nの後", "強調の後"),
])
def test_soft_line_breaks_join_as_japanese_text(tmp_path, markdown, text):
    doc, _ = _doc(tmp_path, {"01.md": f"# 一\n\n{markdown}\n"})
    (paragraph,) = _nodes(doc, Paragraph)
    assert plain_text(paragraph.content) == text
