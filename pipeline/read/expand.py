"""Section source → Markdown text, with Jinja expanded and a map back to source lines.

Sections are Jinja templates first. Jinja keeps no map from output lines to
template lines, so before rendering a marker carrying the line number is put
at the start of every template line that begins outside a Jinja tag; after
rendering the markers are read and removed. An output line takes the line of
the last marker on it (a loop body repeats its marker on every pass), or
follows the line before it.
"""

from __future__ import annotations

import bisect
import re
import traceback
from decimal import ROUND_HALF_UP, Decimal
from dataclasses import dataclass
from pathlib import Path

from typing import Callable

import jinja2
from jinja2 import meta

from ..diagnostics import PipelineError
from ..guards import OverBudget, cpu_budget, memory_ceiling
from ..limits import EXPANSION_CPU_SECONDS, EXPANSION_MEMORY, Limits
from ..rules import TEMPLATE
from .files import bad_character, read_text
from .sandbox import SectionSandbox, install_bounded_filters

_MARK_OPEN, _MARK_CLOSE = "\ue010", "\ue011"
_MARKER = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
# Jinja comments are {## ... ##}: the usual {# ... #} would swallow Markdown
# attribute lists such as `# 事例 {#cases}`.
COMMENT_START, COMMENT_END = "{##", "##}"
_COMMENT = re.compile(r"\{##.*?##\}", re.DOTALL)
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{##.*?##\}", re.DOTALL)


@dataclass(frozen=True)
class ExpandedSection:
    """A section after Jinja: Markdown text and, per output line, its source line."""

    path: Path
    text: str
    source_lines: tuple[int, ...]

    def source_line(self, text_line: int) -> int:
        """Returns the section file's line for a 1-based line of `text`."""
        if not self.source_lines:
            return 1
        return self.source_lines[min(text_line, len(self.source_lines)) - 1]


def make_environment() -> jinja2.Environment:
    """Returns the sandboxed Jinja environment for sections: strict, no HTML escaping
    (this is Markdown)."""
    env = SectionSandbox(undefined=jinja2.StrictUndefined, trim_blocks=True,
                         keep_trailing_newline=True, autoescape=False,
                         comment_start_string=COMMENT_START, comment_end_string=COMMENT_END)
    install_bounded_filters(env)
    env.filters["comma"] = comma
    env.globals["reduction"] = reduction
    return env


def comma(number) -> str:
    """Returns the number with thousands separators: 15000 → 15,000."""
    return f"{number:,}"


def reduction(before, after, digits: int = 1) -> str:
    """Returns the decrease from before to after in percent, rounded half up: 47.8."""
    before, after = _decimal(before), _decimal(after)
    percent = (before - after) / before * 100
    exponent = Decimal(1).scaleb(-digits)
    return str(percent.quantize(exponent, rounding=ROUND_HALF_UP))


def _decimal(number) -> Decimal:
    """Returns a number as a Decimal: from its digits, never from a printed '1,234'."""
    if isinstance(number, bool) or not isinstance(number, (int, float, Decimal)):
        number + 0  # a missing data value says which cell; anything else is TypeError
        raise TypeError(f"reduction() takes numbers, not {number!r}")
    return Decimal(int(number)) if isinstance(number, int) else Decimal(repr(float(number)))


Variables = dict | Callable[[set[str]], dict]


def expand_section(path: Path, variables: Variables, env: jinja2.Environment,
                   limits: Limits = Limits()) -> ExpandedSection:
    """Returns the section with Jinja expanded; raises PipelineError naming file and line.

    `variables` may be a function of the names the section uses, so that only the
    data files a section reads are read. The expansion is bounded as it runs, not
    after: its length (--max-expanded-mib), its CPU time and the memory it may take.
    """
    source = read_text(path)
    try:
        parsed = env.parse(_mark_lines(source))
        template = env.from_string(parsed)
    except jinja2.TemplateSyntaxError as exc:
        raise PipelineError([TEMPLATE.at(path, exc.lineno, f"template error: {exc.message}")])
    if callable(variables):
        variables = variables(meta.find_undeclared_variables(parsed))
    try:
        with memory_ceiling(EXPANSION_MEMORY), cpu_budget(EXPANSION_CPU_SECONDS):
            rendered = _render(template, variables, limits.max_expanded_chars)
    except jinja2.TemplateSyntaxError as exc:
        raise PipelineError([TEMPLATE.at(path, exc.lineno, f"template error: {exc.message}")])
    except jinja2.UndefinedError as exc:
        raise PipelineError([TEMPLATE.at(path, _template_line(exc),
                                         f"undefined variable: {plain_message(exc.message)}")])
    except _TooLong as exc:
        raise PipelineError([TEMPLATE.at(path, exc.line, f"the section expands to more than "
                                         f"{limits.max_expanded_mib:g} MiB "
                                         "(--max-expanded-mib): a loop or filter makes too "
                                         "much text")])
    except OverBudget:
        raise PipelineError([TEMPLATE.at(path, None, f"the section's Jinja ran for more than "
                                         f"{EXPANSION_CPU_SECONDS} s of CPU time: loops "
                                         "within loops?")]) from None
    except MemoryError:
        raise PipelineError([TEMPLATE.at(path, None, "the section's Jinja needs more than "
                                         f"{EXPANSION_MEMORY // 2**20} MiB of memory: a "
                                         "template makes a huge value")]) from None
    except Exception as exc:  # any error a template expression raises is the author's
        raise PipelineError([TEMPLATE.at(path, _template_line(exc),
                                         f"template error: {brief(exc)}")])
    expanded = _unmark(path, rendered)
    finding = bad_character(path, expanded.text, expanded.source_line)
    if finding:  # made by Jinja: "\x00", say, or a YAML value
        raise PipelineError([finding])
    return expanded


class _TooLong(Exception):
    def __init__(self, line: int | None):
        super().__init__()
        self.line = line


def _render(template: jinja2.Template, variables: dict, max_chars: int) -> str:
    """Returns the rendered text, stopping as soon as it grows past max_chars."""
    chunks, size, line = [], 0, None
    for chunk in template.generate(variables):
        size += len(chunk)
        if _MARK_OPEN in chunk:  # the line being written, for the message
            line = int(_MARKER.findall(chunk)[-1]) if _MARKER.search(chunk) else line
        if size > max_chars:
            raise _TooLong(line)
        chunks.append(chunk)
    return "".join(chunks)


# Jinja names the Python class of what it could not look into ('pipeline.read.rows.Row
# object' has no attribute 'x'); the author wrote a data value, not a class.
_OBJECT = re.compile(r"'([\w.]+) object' has no (attribute|element)")
_KINDS = {"Rows": "a data table", "Row": "a row of a data table", "Count": "a number",
          "Measure": "a number", "int": "a number", "float": "a number", "str": "a text",
          "Absent": "a missing value", "dict": "a mapping", "LineDict": "a mapping",
          "list": "a list", "LineList": "a list", "Metadata": "report"}


def plain_message(message: str | None) -> str:
    """Returns Jinja's message with the class it names said as what it is."""
    return _OBJECT.sub(lambda m: f"{_KINDS.get(m[1].rsplit('.', 1)[-1], 'the value')} has "
                       f"no {m[2]}", message or "")


def brief(exc: Exception) -> str:
    """Returns the exception's message, cut short: it may quote a huge value."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def _keep_line_breaks(source: str) -> str:
    """Returns source with comments that follow text made `{## … +##}`.

    trim_blocks drops the newline after every comment, which would join
    `本文 {## note ##}` with the next line, or a paragraph with the one after
    it; `+` keeps that newline. A comment alone on its line still vanishes whole.
    """
    def keep(match: re.Match) -> str:
        line_start = source.rfind("\n", 0, match.start()) + 1
        if not source[line_start:match.start()].strip():
            return match.group()
        return match.group()[:-len(COMMENT_END)] + "+" + COMMENT_END
    return _COMMENT.sub(keep, source)


def _mark_lines(source: str) -> str:
    source = _keep_line_breaks(source)
    spans = [(m.start(), m.end()) for m in JINJA_TAG.finditer(source)]
    starts = [start for start, _ in spans]
    out, offset = [], 0
    for number, line in enumerate(source.split("\n"), start=1):
        k = bisect.bisect_left(starts, offset) - 1  # the last tag opening before this line
        if k < 0 or spans[k][1] <= offset:
            out.append(f"{_MARK_OPEN}{number}{_MARK_CLOSE}{line}")
        else:
            out.append(line)
        offset += len(line) + 1
    return "\n".join(out)


def _unmark(path: Path, rendered: str) -> ExpandedSection:
    lines, numbers, previous = [], [], 0
    for line in rendered.split("\n"):
        marks = _MARKER.findall(line)
        previous = int(marks[-1]) if marks else previous + 1
        lines.append(_MARKER.sub("", line))
        numbers.append(previous)
    return ExpandedSection(path, "\n".join(lines), tuple(numbers))


def _template_line(exc: BaseException) -> int | None:
    # Jinja rewrites tracebacks so that template frames carry the template's lines.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None
