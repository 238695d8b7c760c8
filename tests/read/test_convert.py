"""Sections → the un-numbered tree: Markdown, Jinja, figures, source lines."""

import pytest
from PIL import Image

from pipeline.tree import BulletList, Citation, Code, CodeBlock, OrderedList, Paragraph, plain_text

from helpers import errors_of, load_doc, nodes_of, tiny_png


def test_citation_positions_are_source_lines(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "# 一\n\n段落の一行目\n二行目に[@alpha]。\n\n- 項目[@beta]\n"})
    assert [(c.pos.line, c.pos.column) for c in nodes_of(doc, Citation)] == [(4, 5), (6, 5)]


def test_citation_inside_code_is_left_as_text(tmp_path):
    doc, warnings = load_doc(tmp_path, {"01.md": "`[@alpha]` と\n\n```\n[@beta]\n```\n\n[@gamma]\n"})
    assert [c.keys for c in nodes_of(doc, Citation)] == [("gamma",)]
    assert nodes_of(doc, Code)[0].text == "[@alpha]"
    assert nodes_of(doc, CodeBlock)[0].text == "[@beta]"


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
def test_figureerrors_of(tmp_path, markdown, message):
    (tmp_path / "fig.png").write_bytes(tiny_png())
    Image.new("RGB", (2, 2)).save(tmp_path / "fig.bmp")
    (tmp_path / "broken.png").write_bytes(tiny_png()[:30])
    (tmp_path.parent / "outside.png").write_bytes(tiny_png())
    assert errors_of(tmp_path, {"01.md": "# 一\n\n" + markdown}) == [f"01.md:3: error: {message}"]


def test_lists_nest_and_keep_their_start(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "- 上\n    - 下\n- 次\n\n3. 三\n4. 四\n"})
    bullet = nodes_of(doc, BulletList)[0]
    assert len(bullet.items) == 2
    assert isinstance(bullet.items[0].blocks[1], BulletList)
    ordered = nodes_of(doc, OrderedList)[0]
    assert ordered.start == 3 and ordered.pos.line == 5


def test_jinja_variables_and_data_reach_the_text(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "{{ report.title }}は{{ staff.total | comma }}人、"
                             "{{ reduction(staff.before, staff.total) }}%減。\n"},
                  data={"staff.yaml": "before: 20000\ntotal: 15000\n"})
    (paragraph,) = nodes_of(doc, Paragraph)
    assert plain_text(paragraph.content) == "試験報告は15,000人、25.0%減。"


def test_lines_survive_jinja_loops(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "# 一\n\n{% for x in [1, 2] %}\n- 項目{{ x }}\n{% endfor %}\n"
                             "\n最後[@alpha]\n"})
    assert [c.pos.line for c in nodes_of(doc, Citation)] == [7]
    assert [i.pos.line for i in nodes_of(doc, BulletList)[0].items] == [4, 4]


def test_undefined_variable_names_file_and_line(tmp_path):
    errors = errors_of(tmp_path, {"01.md": "# 一\n\n本文\n{{ staf.total }}\n"})
    assert errors == ["01.md:4: error: undefined variable: 'staf' is undefined [template]"]


def test_errors_in_several_sections_are_all_reported(tmp_path):
    errors = errors_of(tmp_path, {"01.md": "{{ nope }}\n", "02.md": "[@nokey]\n"})
    assert errors == ["01.md:1: error: undefined variable: 'nope' is undefined [template]",
                      "02.md:1:1: error: unknown reference key 'nokey' [unknown-key]"]


@pytest.mark.parametrize("markdown, paragraphs", [
    ("一つ目 {## 注 ##}\n\n二つ目\n", [("一つ目 ", 1), ("二つ目", 3)]),  # not joined
    ("一行目\n{## 注 ##}\n二行目\n", [("一行目二行目", 1)]),  # the line vanishes whole
])
def test_jinja_comment_keeps_or_removes_its_line(tmp_path, markdown, paragraphs):
    doc, _ = load_doc(tmp_path, {"01.md": markdown})
    assert [(plain_text(p.content), p.pos.line) for p in nodes_of(doc, Paragraph)] == paragraphs


@pytest.mark.parametrize("markdown, text", [
    ("行政の\nデジタル化", "行政のデジタル化"),  # between kanji and kana: nothing
    ("二行目\nEnglish\nwords", "二行目 English words"),  # beside Latin: a space
    ("全角、\n　続き", "全角、　続き"),  # the author's ideographic space stays
    ("**強調**\nの後", "強調の後"),
])
def test_soft_line_breaks_join_as_japanese_text(tmp_path, markdown, text):
    doc, _ = load_doc(tmp_path, {"01.md": f"# 一\n\n{markdown}\n"})
    (paragraph,) = nodes_of(doc, Paragraph)
    assert plain_text(paragraph.content) == text


def test_code_holds_the_characters_written_not_their_html_escapes(tmp_path):
    doc, _ = load_doc(tmp_path, {"01.md": "# 一\n\n`a < b && c > d` と書く。\n\n"
                                          "    x &lt; y <z>\n"})
    assert nodes_of(doc, Code)[0].text == "a < b && c > d"
    assert nodes_of(doc, CodeBlock)[0].text == "x &lt; y <z>"
