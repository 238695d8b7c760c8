"""The report's files → text: the only way the read stage opens a file.

Content comes from many authors and is rebuilt by unattended jobs: a path
such as ../../etc/passwd, or a symlink out of the report directory, must not
carry a file of the machine into a briefing (`inside`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import MIB, Limits
from ..rules import BAD_CHARACTER, ENCODING, MISSING_FILE, READ, TOO_LARGE

# Files read whole, so held to --max-file-mib before they are read.
TEXT_SUFFIXES = (".md", ".yaml", ".yml", ".csv", ".xlsx")
# What XML 1.0 cannot hold (so neither a .docx nor the PDF's tagged text), but
# tab and the line breaks; and the marks the reader uses inside its own text.
BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
                            "\ufffe\uffff\ue000\ue001\ue010\ue011]")
_RESERVED = "\ue000\ue001\ue010\ue011"
# The same, less the citation marks, in a chart or table block the reader parses.
BAD_IN_BLOCK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                          "\ue010\ue011]")


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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    finding = bad_character(path, text)
    if finding:
        raise PipelineError([finding])
    return text


def bad_character(path: Path, text: str, line_of=None,
                  pattern: re.Pattern = BAD_CHARACTERS) -> Diagnostic | None:
    """Returns an error at the first character of text no product can hold, or None.

    line_of maps a line of text to the line of path it came from (after Jinja).
    """
    found = pattern.search(text)
    if not found:
        return None
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    return BAD_CHARACTER.at(path, line_of(line) if line_of else line,
                            describe_character(found.group()), column)


def describe_character(char: str) -> str:
    """Returns why char is refused, naming its code point."""
    code = f"U+{ord(char):04X}"
    if char in _RESERVED:
        return f"character {code} is reserved by the pipeline: remove it"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"character {code} is half of a surrogate pair, not a character: remove it"
    if ord(char) < 0x20:
        return f"control character {code} cannot appear in a briefing: remove it"
    return f"character {code} is not a character (a noncharacter): remove it"


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


def content_sha256(path: Path) -> str:
    """Returns the hash of a source's content: of its text for a text file (a BOM or
    CRLF line ends are no change), of its bytes otherwise; '' when it is gone."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    try:
        data = data.decode("utf-8-sig").replace("\r\n", "\n").encode("utf-8")
    except UnicodeDecodeError:
        pass
    return hashlib.sha256(data).hexdigest()


def line_sha256(text: str) -> str:
    """Returns the short hash of one source line that a .docx's map keeps, so that
    `review` writes back only where the line still says the same."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
