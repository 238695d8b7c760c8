"""What reviewers did in Word → findings at the sources' lines, and, with --apply,
their accepted text back in the Markdown.

A change is applied only where the text it replaces stands literally, once,
in the block's source lines, outside any Jinja tag: a change that touches a
citation (printed 1)), a cross-reference, a figure or a value Jinja took from
a data file is not found there and is reported to apply by hand, with the
reviewer's text, and nothing of that block is written. Applying the same
file twice changes nothing the second time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from .edits import edited_files
from ..read.expand import JINJA_TAG
from ..read.files import content_sha256, read_text
from ..read.review import Block, Review
from ..rules import (REVIEW_CHANGE, REVIEW_COMMENT, REVIEW_EDIT, REVIEW_MANUAL, REVIEW_STALE,
                     REVIEW_UNMAPPED)

CONTEXT = 6  # characters of unchanged text on each side that place a change
_KINDS = {"insertion": "挿入", "deletion": "削除", "move": "移動", "formatting": "書式の変更"}


@dataclass(frozen=True)
class Edit:
    path: Path
    line: int
    start: int  # 0-based, in the line
    old: str
    new: str


def review_findings(review: Review, content_dir: Path, docx: Path) -> list[Diagnostic]:
    """Returns every change, comment and untracked edit at its block's source line."""
    findings = _stale(review, content_dir, docx)
    blocks = review.blocks
    for change in review.changes:
        path, line = _place(blocks.get(change.mark), content_dir, docx)
        what = f"「{_short(change.text)}」" if change.text else ""
        findings.append(REVIEW_CHANGE.at(path, line, f"{_KINDS[change.kind]}{what}"
                                         f"（{change.author or '不明'}、{change.date[:10] or '日付なし'}）"))
    for comment in review.comments:
        path, line = _place(blocks.get(comment.mark), content_dir, docx)
        findings.append(REVIEW_COMMENT.at(path, line, f"コメント（{comment.author or '不明'}、"
                                          f"{comment.date[:10] or '日付なし'}）：{comment.text}"
                                          f" ／ 対象：「{_short(comment.anchored)}」"))
    for block in blocks.values():
        path, line = _place(block, content_dir, docx)
        if not block.found:
            findings.append(REVIEW_UNMAPPED.at(path, line, "この段落の目印が文書から消えている"
                                               f"（削除されたか、目印ごと書き換えられた）：「{_short(block.generated)}」"))
        elif block.before != block.generated:
            findings.append(REVIEW_EDIT.at(path, line, f"変更履歴のない編集：「{_short(block.before)}」"))
    return findings


def _stale(review: Review, content_dir: Path, docx: Path) -> list[Diagnostic]:
    changed = [name for name, digest in review.sources.items()
               if content_sha256(content_dir / name) != digest]
    if not changed:
        return []
    return [REVIEW_STALE.at(docx, None, f"the sources changed since {docx.name} was written: "
                            f"{', '.join(changed)}; blocks that no longer match are reported, "
                            "not guessed")]


def _place(block: Block | None, content_dir: Path, docx: Path) -> tuple[Path, int | None]:
    if block is None:
        return docx, None
    return content_dir / block.file, block.line


def plan_edits(review: Review, content_dir: Path) -> tuple[list[Edit], list[Diagnostic]]:
    """Returns the edits that carry the accepted text into the sources, and a finding
    for each block that must be edited by hand."""
    edits, manual = [], []
    for block in review.blocks.values():
        if not block.found or block.after == block.generated:
            continue
        path = content_dir / block.file
        planned = _block_edits(block, path)
        if planned is None:
            manual.append(REVIEW_MANUAL.at(path, block.line, "手で反映する（Jinja の式、引用、"
                                           "相互参照、図表、データの値に触れる変更）：査読後の文「"
                                           f"{block.after}」"))
        else:
            edits += planned
    return edits, manual


def _block_edits(block: Block, path: Path) -> list[Edit] | None:
    if path.suffix != ".md" or not path.is_file():
        return None  # a reference list entry or a data value: by hand
    lines = read_text(path).split("\n")
    region = range(block.line - 1, _paragraph_end(lines, block.line - 1))
    edits = []
    matcher = difflib.SequenceMatcher(None, block.generated, block.after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left = block.generated[max(0, i1 - CONTEXT):i1]
        right = block.generated[i2:i2 + CONTEXT]
        # A paragraph the reviewer split in two is two paragraphs in Markdown.
        inserted = block.after[j1:j2].replace("\n", "\n\n")
        old, new = left + block.generated[i1:i2] + right, left + inserted + right
        edit = _locate(lines, region, old, new, path)
        if edit is None:
            return None
        if edit is not True:  # True: the source holds the new text already
            edits.append(edit)
    return edits


def _paragraph_end(lines: list[str], start: int) -> int:
    end = start + 1
    while end < len(lines) and lines[end].strip() and not lines[end].lstrip().startswith("#"):
        end += 1
    return end


def _locate(lines, region, old: str, new: str, path: Path):
    """Returns the edit replacing old, found once in the region outside Jinja; True when
    the region holds new instead (applied before); None when it cannot be placed."""
    applied = "\n".join(lines[n] for n in region).count(new) == 1
    if applied and old in new:
        return True  # an insertion made before: a second --apply changes nothing
    places = [(n, m.start()) for n in region for m in re.finditer(re.escape(old), lines[n])]
    if len(places) != 1:
        return True if applied and not places else None
    line, start = places[0]
    if any(m.start() < start + len(old) and start < m.end()
           for m in JINJA_TAG.finditer(lines[line])):
        return None
    return Edit(path, line + 1, start, old, new)


def apply_edits(edits: list[Edit]) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} with every edit made."""
    return edited_files([(e.path, e.line, e.start, e.old, e.new) for e in edits])


def comments_checklist(review: Review, content_dir: Path) -> str:
    """Returns the comments as a Markdown checklist for the author."""
    lines = ["# 査読コメント", ""]
    for comment in review.comments:
        block = review.blocks.get(comment.mark)
        where = f"{block.file}:{block.line}" if block else "（位置不明）"
        lines.append(f"- [ ] {where} {comment.author}（{comment.date[:10]}）：{comment.text}"
                     f"（対象：「{_short(comment.anchored)}」）")
    return "\n".join(lines) + "\n"


def _short(text: str) -> str:
    text = text.replace("\n", "／")
    return text if len(text) <= 40 else text[:38] + "…"


