"""Charts → a warning for each character of their text that the charts' font lacks.

matplotlib draws a chart's labels in BIZ UD Gothic alone: a character the font
lacks (an emoji, a symbol outside JIS X 0213) is an empty box in the Word
file's picture, and matplotlib only says so on stderr, past --quiet. (The
PDF's chart is SVG text that WeasyPrint sets with a fallback font.) So it is
said once, before the build, at the chart's block.
"""

from __future__ import annotations

import functools
import subprocess

from ..diagnostics import Diagnostic
from ..fonts import HEADING_FONT
from ..rules import CHART_GLYPH
from ..tree import Chart, Section, walk


def glyph_findings(sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Returns a warning for each chart whose text holds a character its font lacks."""
    texts = [(n, "".join(n.categories) + "".join(s.name for s in n.series) + n.unit)
             for s in sections for n in walk(s.blocks) if isinstance(n, Chart)]
    if all(_surely_held(c) for _, text in texts for c in text):
        return []  # the usual case, without reading the font (0.4 s)
    covered = font_characters(HEADING_FONT.family)
    if not covered:
        return []  # no font: the font rule says so when a product is written
    findings = []
    for chart, text in texts:
        missing = "".join(sorted({c for c in text if not c.isspace() and ord(c) not in covered}))
        if missing:
            findings.append(CHART_GLYPH.at(chart.pos.path, chart.pos.line, f"「{missing}」は "
                                           f"{HEADING_FONT.word_name}にない文字：Word の図では空白の"
                                           "四角になる（PDF では別の書体で表示される）"))
    return findings


def _surely_held(char: str) -> bool:
    """Says whether BIZ UD Gothic surely has a character: every one that Shift_JIS
    (CP932) can write is in it but the private-use area (checked against its cmap)."""
    if not char.isprintable():
        return char.isspace()  # a control character is refused when the file is read
    if char.isascii():
        return True
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return not "\ue000" <= char <= "\uf8ff"


@functools.cache
def font_characters(family: str) -> frozenset[int]:
    """Returns the code points a family's regular face holds (fontconfig finds it,
    fontTools, which WeasyPrint brings, reads its cmap); empty if it is not there."""
    try:
        listing = subprocess.run(["fc-list", f"{family}:style=Regular", "file"],
                                 capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    files = sorted(line.rstrip(": \n") for line in listing.splitlines() if line.strip())
    if not files:
        return frozenset()
    from fontTools.ttLib import TTFont  # imported here: only a report with charts needs it
    with TTFont(files[0], lazy=True, fontNumber=0) as font:
        return frozenset(font["cmap"].getBestCmap())
