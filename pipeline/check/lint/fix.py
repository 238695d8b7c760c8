"""Safe fixes → the Markdown, rewritten atomically, with a unified diff to show.

A fix is applied only where the source file itself holds the text the rule
saw (not text that Jinja made, which lives in a data file or an expression),
outside any Jinja tag; so expressions, citations and code are never touched.
Applying the fixes again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from ...read.expand import JINJA_TAG
from ...read.files import read_text
from ..edits import edited_files
from . import Fix


def apply_fixes(fixes: list[Fix]) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} for every file the fixes change."""
    lines = {path: read_text(path).split("\n") for path in {fix.path for fix in fixes}}
    return edited_files([(f.path, f.line, f.column - 1, f.wrong, f.right) for f in fixes
                         if _outside_jinja(lines[f.path][f.line - 1], f)])


def _outside_jinja(line: str, fix: Fix) -> bool:
    start = fix.column - 1
    return not any(m.start() < start + len(fix.wrong) and start < m.end()
                   for m in JINJA_TAG.finditer(line))
