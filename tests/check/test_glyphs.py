"""A chart's character that its font lacks is a warning at the chart (chart-glyph),
said once by the check; the build itself prints nothing about it under --quiet."""

import pytest

from pipeline.check.glyphs import _surely_held, font_characters
from pipeline.fonts import HEADING_FONT

from helpers import need_tool, run_cli, write_report

CHART = ("# 一\n\n[@alpha]による。\n\n```chart\ntype: bar\ndata: v.csv\ncaption: 図\n"
         "source: [@alpha]\n```\n")


def test_what_shift_jis_writes_is_held_by_the_font_but_the_private_use_area():
    need_tool("fc-list", "fontconfig")
    held = font_characters(HEADING_FONT.family)
    assert held, "BIZ UD Gothic is not installed"
    surely = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c <= 0xDFFF
              and _surely_held(chr(c))]
    assert [c for c in surely if not c.isspace() and ord(c) not in held] == []
    assert not _surely_held("\ue000") and not _surely_held("🙂") and _surely_held("𠮷") is False


@pytest.mark.parametrize("categories, missing", [("🙂甲,乙☃", "🙂"), ("甲,乙", None)])
def test_a_missing_glyph_is_a_warning_at_the_chart_and_quiet_builds_are_quiet(
        tmp_path, categories, missing):
    first, second = categories.split(",")
    root = write_report(tmp_path / "r", {"01.md": CHART},
                        data={"v.csv": f"名,値\n{first},1\n{second},2\n"})
    checked = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    if missing:
        assert f"01.md:5: warning: 「{missing}」は BIZ UDゴシックにない文字：Word の図では空白の" \
               "四角になる（PDF では別の書体で表示される） [chart-glyph]" in checked.stderr
    else:
        assert "[chart-glyph]" not in checked.stderr
    built = run_cli("all", "--content", str(root), "--out", str(tmp_path / "o"), "--quiet")
    assert built.returncode == 0 and built.stderr == ""
