"""Safe fixes → the Markdown, rewritten atomically, with a unified diff to show.

A fix is applied only where the source file itself holds the text the rule
saw (not text that Jinja made, which lives in a data file or an expression),
outside any Jinja tag; so expressions, citations and code are never touched.
Applying the fixes again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from ...edits import edited_text
from ...read.expand import JINJA_TAG
from ...read.files import read_text
from . import Fix



def apply_fixes(fixes: list[Fix]) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} for every file the fixes change."""
    changed = {}
    for path in sorted({fix.path for fix in fixes}):
        before = read_text(path)
        lines = before.split("\n")
        safe = [(f.line, f.column - 1, f.wrong, f.right) for f in fixes
                if f.path == path and _outside_jinja(lines[f.line - 1], f)]
        after = edited_text(before, safe)
        if after != before:
            changed[path] = (before, after)
    return changed


def _outside_jinja(line: str, fix: Fix) -> bool:
    start = fix.column - 1
    return not any(m.start() < start + len(fix.wrong) and start < m.end()
                   for m in JINJA_TAG.finditer(line))
