"""The document tree → warnings for figures stated without a source.

A paragraph, list item or table that states a number with a unit (人, 円, %,
割, 倍, 件, 年, 万, 億 and their kin) must carry a citation in the same block,
or for a table in its caption, so that an official can check the figure. A
quotation counts as one block; a list item is covered by a citation in the
item it is nested in.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic
from ..rules import UNSOURCED_FIGURE
from ..tree import (Block, BulletList, Citation, Inlines, ListItem, OrderedList, Paragraph, Pos,
                   Quote, Section, Table, plain_text, walk)

_UNITS = ("%|％|割|倍|人|名|円|件|年|万|億|兆|社|団体|自治体|市町村|世帯|時間|日|か月|ヶ月|カ月"
          "|箇所|か所|カ所|回|台|歳|ポイント")
# Digits (half or full width, with separators), or kanji numerals before 割 and
# 倍 (三割, 二倍), then an optional 万/億/兆/千/百 and a unit.
FIGURE = re.compile(r"(?:[0-9０-９][0-9０-９,，.．]*|[一二三四五六七八九十]+(?=[割倍]))"
                    rf"\s*(?:[万億兆千百]\s*)?(?:{_UNITS})")


def check_traceability(sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Returns a warning for each block that states a figure and cites nothing."""
    findings: list[Diagnostic] = []
    for section in sections:
        for block in section.blocks:
            findings += _check_block(block, cited_above=False)
    return findings


def _check_block(block: Block, cited_above: bool) -> list[Diagnostic]:
    if isinstance(block, Paragraph):
        return _check_unit(block.content, block.pos, "paragraph", cited_above)
    if isinstance(block, Table):
        cells = tuple(node for row in block.header + block.body for cell in row for node in cell)
        return _check_unit(block.caption + block.source + cells, block.pos, "table", cited_above,
                           "in the table or its caption")
    if isinstance(block, Quote):
        cited = cited_above or _cites(block.blocks)
        return [d for inner in block.blocks for d in _check_block(inner, cited)]
    if isinstance(block, (BulletList, OrderedList)):
        return [d for item in block.items for d in _check_item(item, cited_above)]
    return []


def _check_item(item: ListItem, cited_above: bool) -> list[Diagnostic]:
    own = tuple(node for b in item.blocks if isinstance(b, Paragraph) for node in b.content)
    findings = _check_unit(own, item.pos, "list item", cited_above)
    cited = cited_above or _cites(own)
    for block in item.blocks:
        if not isinstance(block, Paragraph):
            findings += _check_block(block, cited)
    return findings


def _check_unit(content: Inlines, pos: Pos, what: str, cited_above: bool,
                where: str = "") -> list[Diagnostic]:
    figure = FIGURE.search(plain_text(content))
    if not figure or cited_above or _cites(content):
        return []
    return [UNSOURCED_FIGURE.at(pos.path, pos.line, f"this {what} states a figure "
                                f"('{figure.group()}') but cites no source: add [@key] "
                                f"{where or 'in the same ' + what}")]


def _cites(nodes) -> bool:
    return any(isinstance(node, Citation) for node in walk(nodes))
