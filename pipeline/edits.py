"""Changes written back into the sources, by `lint --fix` and `review --apply`: a
file's text before and after a set of changes, and the unified diff the author
reads. Reading the source and writing the result are the caller's (atomically,
under its checks).
"""

from __future__ import annotations

from pathlib import Path


def edited_text(before: str, changes) -> str:
    """Returns a source's text after changes, each (line, start, old, new) with a
    1-based line and a 0-based start, made last first on each line. A change whose
    old text is not where it says is skipped: the file moved on since."""
    lines = before.split("\n")
    for line, start, old, new in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
        text = lines[line - 1]
        if text[start:start + len(old)] == old:
            lines[line - 1] = text[:start] + new + text[start + len(old):]
    return "\n".join(lines)


def unified_diff(path: Path, before: str, after: str) -> str:
    """Returns the change to a source as a unified diff, for the author to read."""
    import difflib
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"a/{path.name}", f"b/{path.name}"))
