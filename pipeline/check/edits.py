"""Changes written back into the sources, by `lint --fix` and `review --apply`: each
file's text before and after its changes, the unified diff the author reads, and
whether git holds uncommitted work in it. Writing the result is the command's
(atomically, after these checks).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..read.files import read_text


def edited_files(changes) -> dict[Path, tuple[str, str]]:
    """Returns {path: (before, after)} for every file that changes, given changes
    (path, line, start, old, new) as edited_text takes them."""
    changed = {}
    for path in sorted({change[0] for change in changes}):
        before = read_text(path)
        after = edited_text(before, [change[1:] for change in changes if change[0] == path])
        if after != before:
            changed[path] = (before, after)
    return changed


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


def encoded_like(original: bytes, text: str) -> bytes:
    """Returns a source's new text as bytes written the way its old file was: its BOM
    kept, and its CRLF line ends if every line had them (read_text gives '\\n')."""
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    if b"\r\n" in original and original.count(b"\r\n") == original.count(b"\n"):
        text = text.replace("\n", "\r\n")
    return bom + text.encode("utf-8")


def unified_diff(path: Path, before: str, after: str) -> str:
    """Returns the change to a source as a unified diff, for the author to read."""
    import difflib
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"a/{path.name}", f"b/{path.name}"))


def uncommitted(paths: list[Path]) -> list[str]:
    """Returns the files among paths with uncommitted changes in their git work tree."""
    dirty = []
    for path in paths:
        try:
            done = subprocess.run(["git", "-C", str(path.parent), "status", "--porcelain", "--",
                                   path.name], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and done.stdout.strip():
            dirty.append(str(path))
    return dirty
