"""The tree numbered and linked: headings, 図, 表, citations, anchors."""

from pipeline.tree import Citation, Figure, Heading, Paragraph, Table, plain_text

from helpers import errors_of, load_doc, nodes_of, tiny_png


def test_citations_numbered_by_first_appearance_across_sections(tmp_path):
    doc, warnings = load_doc(tmp_path, {
        "01.md": "# 一\n\n本文[@beta]と[@alpha; @beta]。\n",
        "02.md": "# 二\n\n再掲[@alpha]と新規[@gamma]。\n",
    })
    cites = nodes_of(doc, Citation)
    assert [c.keys for c in cites] == [("beta",), ("alpha", "beta"), ("alpha",), ("gamma",)]
    assert [c.numbers for c in cites] == [(1,), (2, 1), (2,), (3,)]
    assert [r.key for r in doc.references] == ["beta", "alpha", "gamma"]
    assert [r.number for r in doc.references] == [1, 2, 3]
    assert warnings == []


def test_unknown_key_is_an_error_with_suggestion_and_position(tmp_path):
    errors = errors_of(tmp_path, {"01.md": "# 一\n\n本文\nここで[@alpah]。\n"})
    assert errors == ["01.md:4:4: error: unknown reference key 'alpah' (did you mean 'alpha'?) [unknown-key]"]


def test_headings_are_numbered_to_three_levels(tmp_path):
    doc, _ = load_doc(tmp_path, {
        "01.md": "# 背景\n\n## 課題\n\n### 詳細\n\n#### 補足\n\n## 対応\n",
        "02.md": "# 事例 {#cases}\n\n## 国\n",
    })
    headings = nodes_of(doc, Heading)
    assert [(h.label, h.anchor) for h in headings] == [
        ("1", "sec-1"), ("1.1", "sec-1-1"), ("1.1.1", "sec-1-1-1"), ("", "h-1"),
        ("1.2", "sec-1-2"), ("2", "cases"), ("2.1", "sec-2-1")]
    assert [h.pos.line for h in headings] == [1, 3, 5, 7, 9, 1, 3]


def test_tables_with_captions_are_numbered(tmp_path):
    table = "| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    doc, _ = load_doc(tmp_path, {
        "01.md": f"Table: 前に置いた表題\n\n{table}\n{table}\n表: 後に置いた表題[@alpha]\n",
        "02.md": f"段落\n\n{table}",
    })
    tables = nodes_of(doc, Table)
    assert [t.number for t in tables] == [1, 2, None]
    assert [plain_text(t.caption) for t in tables] == ["前に置いた表題", "後に置いた表題", ""]
    assert tables[0].aligns == ("left", "right")
    assert [plain_text(c) for c in tables[0].body[0]] == ["1", "2"]
    assert tables[2].pos.line == 3
    assert not any("表題" in plain_text(p.content) for p in nodes_of(doc, Paragraph))


def test_figures_are_numbered_and_captioned_from_alt_text(tmp_path):
    (tmp_path / "fig.png").write_bytes(tiny_png())
    doc, _ = load_doc(tmp_path, {"01.md": "# 一\n\n![最初の図](fig.png)\n\n本文\n\n![次の図](fig.png)\n"})
    figures = nodes_of(doc, Figure)
    assert [(f.number, plain_text(f.caption), f.pos.line) for f in figures] == [
        (1, "最初の図", 3), (2, "次の図", 7)]
    assert figures[0].src == str((tmp_path / "fig.png").resolve())
    assert (figures[0].data, figures[0].media_type) == (tiny_png(), "image/png")
