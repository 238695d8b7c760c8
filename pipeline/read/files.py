"""The report's files → text: the only way the read stage opens a file.

Content comes from many authors and is rebuilt by unattended jobs: a path
such as ../../etc/passwd, or a symlink out of the report directory, must not
carry a file of the machine into a briefing (`inside`).
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import PipelineError
from ..limits import MIB, Limits
from ..rules import ENCODING, MISSING_FILE, READ, TOO_LARGE

TEXT_SUFFIXES = (".md", ".yaml", ".yml")


def read_text(path: Path) -> str:
    """Returns a UTF-8 text file (BOM and CRLF accepted); errors name the bad line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError([MISSING_FILE.at(path, None, "file not found")])
    except OSError as exc:
        raise PipelineError([READ.at(path, None, f"cannot read file: {exc.strerror}")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PipelineError([ENCODING.at(path, line,
                                         "not valid UTF-8 text (save the file as UTF-8)")])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_files(content_dir: Path) -> list[Path]:
    """Returns the report's text files (Markdown and YAML), which are read whole."""
    if not content_dir.is_dir():
        return []
    return sorted(p for p in content_dir.rglob("*") if p.suffix in TEXT_SUFFIXES)


def check_file_sizes(paths, limits: Limits) -> None:
    """Raises PipelineError for every text file over the size limit, before any is read."""
    sizes = {Path(p): Path(p).stat().st_size for p in paths if Path(p).is_file()}
    findings = [TOO_LARGE.at(path, None, f"file of {size / MIB:.1f} MiB is over the "
                             f"{limits.max_file_mib:g} MiB limit (--max-file-mib)")
                for path, size in sizes.items() if size > limits.max_file_bytes]
    if findings:
        raise PipelineError(findings)


def inside(path: Path, roots) -> bool:
    """Returns whether path, symlinks resolved, lies within one of roots."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(Path(root).resolve()) for root in roots)
