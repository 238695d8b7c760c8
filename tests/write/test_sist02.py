"""SIST 02 formatting of the reference list."""

from pipeline.read.references import load_references
from pipeline.tree import Link, plain_text
from pipeline.write.sist02 import format_sist02

from helpers import write_report


def _formatted(tmp_path, references):
    root = write_report(tmp_path, {"01.md": "x\n"}, references=references)
    refs, _ = load_references(root / "references.yaml")
    return [format_sist02(r) for r in refs]


def test_webpage_in_sist02_form(tmp_path):
    (entry,) = _formatted(tmp_path, """\
- id: a
  type: webpage
  title: 題名
  publisher: 発行者
  container-title: サイト名
  issued: 2021-05-21
  accessed: 2026-11-01
  URL: https://example.go.jp/a
""")
    assert plain_text(entry) == ("発行者. “題名”. サイト名. 2021-05-21. "
                                 "https://example.go.jp/a, (参照 2026-11-01).")
    assert [n.url for n in entry if isinstance(n, Link)] == ["https://example.go.jp/a"]


def test_report_title_unquoted_and_japanese_author_joined(tmp_path):
    (entry,) = _formatted(tmp_path, """\
- id: a
  type: report
  title: 白書
  author: [{family: 山田, given: 太郎}]
  publisher: 某省
  issued: 2022
""")
    assert plain_text(entry) == "山田太郎. 白書. 某省. 2022."
