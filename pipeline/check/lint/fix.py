"""Safe fixes → the Markdown, rewritten atomically, with a unified diff to show.

A fix is applied only where the source file itself holds the text the rule
saw (not text that Jinja made, which lives in a data file or an expression),
outside any Jinja tag; so expressions, citations and code are never touched.
Applying the fixes again changes nothing.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ...read.files import read_text
from . import Fix

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{##.*?##\}")


def apply_fixes(fixes: list[Fix]) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} for every file the fixes change."""
    changed = {}
    for path in sorted({fix.path for fix in fixes}):
        before = read_text(path)
        lines = before.split("\n")
        for fix in sorted((f for f in fixes if f.path == path),
                          key=lambda f: (f.line, f.column), reverse=True):
            lines[fix.line - 1] = _fixed(lines[fix.line - 1], fix)
        after = "\n".join(lines)
        if after != before:
            changed[path] = (before, after)
    return changed


def _fixed(line: str, fix: Fix) -> str:
    start = fix.column - 1
    if line[start:start + len(fix.wrong)] != fix.wrong:
        return line  # Jinja made this text: it is fixed where it comes from, by hand
    if any(m.start() < start + len(fix.wrong) and start < m.end() for m in _JINJA.finditer(line)):
        return line
    return line[:start] + fix.right + line[start + len(fix.wrong):]


def unified_diff(path: Path, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"a/{path.name}", f"b/{path.name}"))
