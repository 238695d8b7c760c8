"""Document → a text snapshot; two snapshots → CHANGES.md, for the officials
who hold the earlier copy: which sections and references were added, removed
or changed, and a short diff of the changed paragraphs.

A snapshot is plain JSON data (one text per block, citations kept as
[@key]), so the next run can compare without the earlier sources.
"""

from __future__ import annotations

import datetime
import difflib
from functools import singledispatch
from pathlib import PurePosixPath

from ..tree import (BulletList, CodeBlock, Document, Figure, Heading, ListItem, OrderedList,
                   Paragraph, Quote, Table, ThematicBreak, plain_text)
from ..resolve import figure_label, table_label
from ..write.labels import edition, wareki
from ..write.sist02 import format_sist02
from .editions import data_changes

DIFF_LINES = 30  # per section: a summary, not the whole text


def snapshot(doc: Document, bundle: str) -> dict:
    """Returns what CHANGES.md compares: metadata, each section's blocks, each reference."""
    meta = doc.meta
    return {
        "bundle": bundle,
        "meta": {"title": meta.title, "version": meta.version, "date": meta.date.isoformat()},
        "sections": [{"file": s.path.name, "title": _title(s.blocks),
                      "blocks": [block_text(b) for b in s.blocks]} for s in doc.sections],
        "references": {r.key: plain_text(format_sist02(r.source)) for r in doc.references},
    }


def _title(blocks) -> str:
    return next((plain_text(b.content) for b in blocks if isinstance(b, Heading)), "")


# ---- block text ------------------------------------------------------------

@singledispatch
def block_text(node) -> str:
    return ""


@block_text.register
def _(node: Heading) -> str:
    return f"{'#' * node.level} {plain_text(node.content, keys=True)}"


@block_text.register
def _(node: Paragraph) -> str:
    return plain_text(node.content, keys=True)


@block_text.register(BulletList)
@block_text.register(OrderedList)
def _(node) -> str:
    return "\n".join(_item_text(item, "- ") for item in node.items)


def _item_text(item: ListItem, bullet: str) -> str:
    lines = [block_text(b) for b in item.blocks]
    return bullet + "\n  ".join(line.replace("\n", "\n  ") for line in lines if line)


@block_text.register
def _(node: Quote) -> str:
    return "\n".join("> " + block_text(b) for b in node.blocks)


@block_text.register
def _(node: Table) -> str:
    rows = [f"{table_label(node.number)}: {plain_text(node.caption, keys=True)}"] \
        if node.number else []
    rows += ["| " + " | ".join(plain_text(c, keys=True) for c in row) + " |"
             for row in node.header + node.body]
    return "\n".join(rows)


@block_text.register
def _(node: Figure) -> str:
    return (f"{figure_label(node.number)}: {plain_text(node.caption, keys=True)} "
            f"({PurePosixPath(node.src).name})")


@block_text.register
def _(node: CodeBlock) -> str:
    return node.text


@block_text.register
def _(node: ThematicBreak) -> str:
    return "---"


# ---- CHANGES.md ------------------------------------------------------------

def changes_markdown(before: dict, after: dict) -> str:
    """Returns CHANGES.md: what changed from the bundle `before` to `after`."""
    head = ["# 変更の概要", "", f"- 今回: {_edition(after)}", f"- 前回: {_edition(before)}", ""]
    body = (_meta_changes(before["meta"], after["meta"])
            + (data_changes(before["data"], after.get("data", {})) if "data" in before else [])
            + _section_changes(before["sections"], after["sections"])
            + _reference_changes(before["references"], after["references"]))
    return "\n".join(head + (body or ["本文と参考文献に変更はない（体裁または生成環境の変更のみ）。", ""]))


def _edition(snap: dict) -> str:
    meta = snap["meta"]
    date = wareki(datetime.date.fromisoformat(meta["date"]))
    return f"{edition(meta['version'])}（{date}） {snap['bundle']}"


def _meta_changes(before: dict, after: dict) -> list[str]:
    # The edition and the date are in the lines above.
    if before["title"] == after["title"]:
        return []
    return ["## 表題", "", f"- {before['title']} → {after['title']}", ""]


def _section_changes(before: list, after: list) -> list[str]:
    old = {s["file"]: s for s in before}
    new = {s["file"]: s for s in after}
    summary, diffs = [], []
    for name in [s["file"] for s in after if s["file"] not in old]:
        summary.append(f"- 追加: {name}「{new[name]['title']}」")
    for name in [s["file"] for s in before if s["file"] not in new]:
        summary.append(f"- 削除: {name}「{old[name]['title']}」")
    for section in after:
        previous = old.get(section["file"])
        if previous and previous["blocks"] != section["blocks"]:
            summary.append(f"- 変更: {section['file']}「{section['title']}」")
            diffs += _paragraph_diff(section, previous)
    if not summary:
        return []
    return ["## 章", "", *summary, "", *(["## 変更された段落", "", *diffs] if diffs else [])]


def _paragraph_diff(section: dict, previous: dict) -> list[str]:
    diff = list(difflib.unified_diff(previous["blocks"], section["blocks"], lineterm="", n=0))
    body = [line for line in diff[2:] if not line.startswith("@@")]
    body = [line.replace("\n", "\n" + line[0]) for line in body]  # a list block spans lines
    if len(body) > DIFF_LINES:
        body = body[:DIFF_LINES] + [f"…（以下 {len(body) - DIFF_LINES} 行省略）"]
    return [f"### {section['file']}「{section['title']}」", "", "```diff", *body, "```", ""]


def _reference_changes(before: dict, after: dict) -> list[str]:
    added = [f"- 追加: [{k}] {after[k]}" for k in after if k not in before]
    removed = [f"- 削除: [{k}] {before[k]}" for k in before if k not in after]
    changed = [f"- 変更: [{k}] {after[k]}" for k in after if k in before and before[k] != after[k]]
    entries = added + removed + changed
    return ["## 参考文献", "", *entries, ""] if entries else []
