"""What reviewers did in Word → findings at the sources' lines, and, with --apply,
their accepted text back in the Markdown.

A block is written back only where its section, read again, prints at the
map's line exactly what the .docx was made from, and each change goes to the
characters that printed it, on lines no Jinja makes: every change of the
block, or none. A change that touches a citation (printed 1)), a
cross-reference, a figure or a value Jinja took from a data file, or a block
whose source changed since, is reported to apply by hand with the reviewer's
text. Applying the same file twice changes nothing the second time.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..read import expand_sections
from ..read.data import DataFiles
from ..read.expand import JINJA_TAG, ExpandedSection
from ..read.files import content_sha256, line_sha256, read_text
from ..read.prose import MASK, section_prose
from ..read.report import load_report
from ..read.review import Block, Review
from ..rules import (REVIEW_CHANGE, REVIEW_COMMENT, REVIEW_EDIT, REVIEW_MANUAL, REVIEW_STALE,
                     REVIEW_UNMAPPED)

_KINDS = {"insertion": "挿入", "deletion": "削除", "move": "移動", "formatting": "書式の変更"}


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
               if (path := _inside(content_dir, name)) and content_sha256(path) != digest]
    if not changed:
        return []
    return [REVIEW_STALE.at(docx, None, f"the sources changed since {docx.name} was written: "
                            f"{', '.join(changed)}; blocks that no longer match are reported, "
                            "not guessed")]


def _place(block: Block | None, content_dir: Path, docx: Path) -> tuple[Path, int | None]:
    if block is None:
        return docx, None
    return content_dir / block.file, block.line


# ---- --apply: the reviewers' text back into the Markdown ---------------------------
# Nothing in the .docx is trusted: its map names files and lines, which are only
# looked up among the report's own sections. A block is written back only where
# the section, read again now, prints at that line exactly what the .docx was made
# from; then each change goes to the characters that printed it, every change of
# the block or none, and only on lines no Jinja makes.

@dataclass(frozen=True)
class Edit:
    """Characters start:end of a section's text (as read_text gives it) made new."""

    path: Path
    start: int
    end: int
    new: str


@dataclass(frozen=True)
class _Unit:
    """A block as its section prints it now: its text (MASK where not prose) and the
    offset in the section's text of each character (None: not written literally)."""

    line: int
    text: str
    offsets: tuple[int | None, ...]


@dataclass(frozen=True)
class Plan:
    edits: list[Edit]
    manual: list[Diagnostic]  # blocks to edit by hand
    texts: dict[Path, str]  # each section's text as the edits were planned on it


def plan_edits(review: Review, content_dir: Path, limits: Limits = Limits()) -> Plan:
    """Returns the edits that carry the accepted text into the sections, and a finding
    for each block that must be edited by hand."""
    report, _ = load_report(content_dir)
    expanded, errors = expand_sections(report, DataFiles(content_dir, limits), limits)
    if errors:
        raise PipelineError(errors)
    texts = {section.path.resolve(): read_text(section.path) for section in expanded}
    units = {section.path.resolve(): _units(section, texts[section.path.resolve()])
             for section in expanded}
    edits, manual, seen = [], [], {}
    for block in review.blocks.values():
        path = _section_path(content_dir, block.file, units)
        nth = seen.setdefault((path, block.line, block.generated), [0])
        nth[0] += 1  # identical blocks on one line (table cells): the k-th is the k-th
        if not block.found or block.after == block.generated:
            continue
        planned = _block_edits(block, units[path], texts[path].split("\n"), nth[0] - 1) \
            if path else None
        if planned is None:
            where = path or content_dir / Path(block.file).name
            manual.append(REVIEW_MANUAL.at(where, block.line, "手で反映する（Jinja の式、引用、"
                                           "相互参照、図表、データの値に触れる変更、または"
                                           ".docx の作成後に原稿が変わった箇所）：査読後の文「"
                                           f"{block.after}」"))
        else:
            edits += [Edit(path, *edit) for edit in planned]
    return Plan(edits, manual, texts)


def _section_path(content_dir: Path, name: str, units: dict) -> Path | None:
    """Returns the section a map's file name means, only if it is one of the report's
    sections inside its directory."""
    path = _inside(content_dir, name)
    return path if path in units else None


def _inside(content_dir: Path, name: str) -> Path | None:
    """Returns the regular file a map's name means inside the report directory, or None:
    no absolute path, no '..', no link out, no device (the map is not trusted)."""
    if not name:
        return None
    candidate = Path(name)
    if candidate.is_absolute() or ".." in candidate.parts:
        return None
    root = content_dir.resolve()
    path = (root / candidate).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def _units(section: ExpandedSection, source: str) -> list[_Unit]:
    """Returns every block of a section as it prints now, a table row's cells apart."""
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
    lines = source.split("\n")
    repeated = {n for n, times in Counter(section.source_lines).items() if times > 1}
    out = []
    for prose in section_prose(section):
        ends = [start - 1 for start in prose.starts[1:]] + [len(prose.text)]  # less the MASK
        for start, end in zip(prose.starts, ends):
            text, places = prose.text[start:end], prose.places[start:end]
            if text:
                out.append(_Unit(places[0][0], text, tuple(
                    _offset(char, line, column, lines, starts, repeated)
                    for char, (line, column) in zip(text, places))))
    return out


def _offset(char: str, line: int, column: int, lines: list[str], starts: list[int],
            repeated: set[int]) -> int | None:
    """Returns where char is written in the section, or None when it is not there
    literally: a line with Jinja, or one a loop repeats."""
    if line in repeated or not 0 < line <= len(lines) or JINJA_TAG.search(lines[line - 1]):
        return None
    written = lines[line - 1]
    return starts[line - 1] + column - 1 if written[column - 1:column] == char else None


def _block_edits(block: Block, units: list[_Unit], lines: list[str],
                 nth: int) -> list[tuple] | None:
    """Returns the block's edits (start, end, new), all of them, or None."""
    line = lines[block.line - 1] if 0 < block.line <= len(lines) else None
    if line is None or line_sha256(line) != block.line_sha256:
        return None  # the line no longer says what the .docx was made from
    here = [u for u in units if u.line == block.line]
    printed = [(u, m) for u in here if (m := _char_map(u.text, block.generated)) is not None]
    if len(printed) <= nth:
        applied = any(_char_map(u.text, block.after) is not None for u in here)
        return [] if applied else None  # applied before: a second --apply changes nothing
    unit, mapping = printed[nth]
    edits = []
    matcher = difflib.SequenceMatcher(None, block.generated, block.after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        new = _as_markdown(block.after[j1:j2])
        span = _span(unit, mapping, i1, i2)
        if new is None or span is None:
            return None
        edits.append((*span, new))
    return edits


def _char_map(text: str, generated: str) -> list[int | None] | None:
    """Returns, for each character of generated, the character of text that printed
    it (None: a citation, a number, code: what text masks), or None if text does not
    print generated."""
    parts = re.split(f"({MASK}+)", text)
    pattern = "".join("(.*?)" if p.startswith(MASK) else re.escape(p) for p in parts if p)
    match = re.fullmatch(pattern, generated, re.S)
    if match is None:
        return None
    mapping: list[int | None] = [None] * len(generated)
    at, group, position = 0, 0, 0
    for part in parts:
        if part.startswith(MASK):
            group += 1
            at = match.end(group)
        else:  # a mask's group, or nothing, follows: it moves `at` itself
            mapping[at:at + len(part)] = range(position, position + len(part))
        position += len(part)
    return mapping


def _span(unit: _Unit, mapping, i1: int, i2: int) -> tuple[int, int] | None:
    """Returns the section's characters that printed generated[i1:i2] (for an
    insertion, the place beside its neighbour), or None if they are not written there
    as one literal run."""
    if i1 == i2:
        before = mapping[i1 - 1] if i1 else None
        after = mapping[i1] if i1 < len(mapping) else None
        if before is not None and unit.offsets[before] is not None:
            return unit.offsets[before] + 1, unit.offsets[before] + 1
        if after is not None and unit.offsets[after] is not None:
            return unit.offsets[after], unit.offsets[after]
        return None
    chars = mapping[i1:i2]
    if None in chars or chars != list(range(chars[0], chars[-1] + 1)):
        return None
    first, last = unit.offsets[chars[0]], unit.offsets[chars[-1]]
    if first is None or last is None or None in unit.offsets[chars[0]:chars[-1] + 1]:
        return None
    return first, last + 1


_JINJA_OPENERS = ("{{", "{%", "{#")
_MARKDOWN = re.compile(r"([\\`*_\[\]|])")


def _as_markdown(text: str) -> str | None:
    """Returns the reviewer's text as Markdown that prints it: its marks escaped, a
    paragraph split made two; None if it would open Jinja."""
    if any(opener in text for opener in _JINJA_OPENERS):
        return None
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", "\n\n")


def apply_edits(edits: list[Edit], texts: dict[Path, str]) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} with every edit made in the text read."""
    changed = {}
    for path in sorted({e.path for e in edits}):
        before = after = texts[path]
        for edit in sorted((e for e in edits if e.path == path), key=lambda e: e.start,
                           reverse=True):
            after = after[:edit.start] + edit.new + after[edit.end:]
        if after != before:
            changed[path] = (before, after)
    return changed


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


