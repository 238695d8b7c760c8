"""`lint`: a report's prose → findings against the rules of official Japanese
(公用文作成の考え方, 2022; 公用文における漢字使用等について, 2010).

Every rule is in kobun.py and registered in rules.py (stage 'lint'); the
report's own lint.yaml turns rules off, allows words and adds the office's
own pairs; `<!-- lint: disable=rule-id -->` before a paragraph silences a
rule there. Positions are in the author's Markdown, through Jinja and joined
lines. The safe fixes are returned for `--fix` to apply (fix.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import Diagnostic, PipelineError
from ...limits import Limits
from ...read import expand_sections
from ...read.data import DataFiles, data_files
from ...read.expand import JINJA_TAG, ExpandedSection
from ...read.files import check_file_sizes, read_text, text_files
from ...read.report import load_report
from ...read.tables import decode
from ...rules import LINT_DISABLE, OFFICE_TERM, RULES
from .config import LintConfig, load_lint_config
from .kobun import RULES as KOBUN, Pattern, buntai_findings, mentioned
from .prose import MASK, Paragraph, paragraphs

RELAXED_KIND = "解説・広報等"


@dataclass(frozen=True)
class Fix:
    """A safe replacement at a place in a source file."""

    path: Path
    line: int
    column: int
    wrong: str
    right: str


@dataclass(frozen=True)
class LintResult:
    findings: list[Diagnostic]
    fixes: list[Fix]


def lint_report(content_dir: Path, limits: Limits = Limits(),
                only: frozenset[str] = frozenset(), row: str | None = None) -> LintResult:
    """Returns the findings of every lint rule over the report's prose (of a report over
    rows, the one whose id is `row`)."""
    check_file_sizes(text_files(content_dir), limits)
    data = DataFiles(content_dir, limits)
    report, _ = load_report(content_dir, data, row)
    config = load_lint_config(content_dir)
    expanded, errors = expand_sections(report, data, limits)
    if errors:
        raise PipelineError(errors)
    texts = [p for section in expanded for p in paragraphs(section)]
    linter = _Linter(config, report.kind, only, data_files(content_dir))
    for paragraph in texts:
        linter.paragraph(paragraph)
    linter.document(texts)
    return LintResult(linter.findings + linter.unused_disables(), linter.fixes)


def lint_text(text: str, kind: str = "記録・公開資料等",
              config: LintConfig = LintConfig()) -> list[Diagnostic]:
    """Returns the findings in a piece of Markdown, as if it were a whole report."""
    lines = tuple(range(1, text.count("\n") + 2))
    texts = paragraphs(ExpandedSection(Path("text.md"), text, lines))
    linter = _Linter(config, kind, frozenset())
    for paragraph in texts:
        linter.paragraph(paragraph)
    linter.document(texts)
    return linter.findings + linter.unused_disables()


class _Linter:
    def __init__(self, config: LintConfig, kind: str, only: frozenset[str],
                 data: list[Path] = ()):
        self.config, self.kind, self.only = config, kind, only
        self.origins = _Origins(data)
        self.findings: list[Diagnostic] = []
        self.fixes: list[Fix] = []
        self.silenced: dict[tuple[Path, int], set[str]] = {}
        self.directives: dict[tuple[Path, int], frozenset[str]] = {}

    def applies(self, rule_id: str) -> bool:
        rule = KOBUN.get(rule_id)
        if rule_id in self.config.disabled or (self.only and rule_id not in self.only):
            return False
        if rule and rule.relaxed and self.kind == RELAXED_KIND:
            return False
        return not (rule and rule.kinds and self.kind not in rule.kinds)

    def paragraph(self, paragraph: Paragraph) -> None:
        if paragraph.disable_line is not None:
            self.directives[(paragraph.path, paragraph.disable_line)] = paragraph.disabled
        allowed = self.config.allowed_spans(paragraph.text)
        tokens = None
        for rule in KOBUN.values():
            if not self.applies(rule.id):
                continue
            for pattern in rule.patterns:
                self.match(rule.id, rule.message, pattern, paragraph, allowed)
            if rule.morph:
                tokens = tokens if tokens is not None else morphemes(paragraph.text)
                for start, end, right in rule.morph(tokens, conjugation):
                    found = Pattern(re.compile(re.escape(paragraph.text[start:end])), right)
                    self.match(rule.id, rule.message, found, paragraph, allowed,
                               span=(start, end))
        if self.applies(OFFICE_TERM.id):
            for pattern in self.config.office_patterns:
                self.match(OFFICE_TERM.id, "「{right}」と書く（" + self.config.source + "）",
                           pattern, paragraph, allowed)

    def match(self, rule_id: str, message: str, pattern: Pattern, paragraph: Paragraph,
              allowed: list[tuple[int, int]], span: tuple[int, int] | None = None) -> None:
        matches = pattern.regex.finditer(paragraph.text, *(span or ()))
        for found in matches:
            start, end = found.span()
            if MASK in found.group() or any(a < end and start < b for a, b in allowed) \
                    or mentioned(paragraph.text, start, end) \
                    or rule_id == "arabic-num" and _vertical(paragraph, start, end):
                continue
            if rule_id in paragraph.disabled:
                self.silenced.setdefault((paragraph.path, paragraph.disable_line or 0),
                                         set()).add(rule_id)
                continue
            self.report(rule_id, message, pattern, found, paragraph)

    def report(self, rule_id: str, message: str, pattern: Pattern, found: re.Match,
               paragraph: Paragraph) -> None:
        right = _right(pattern, found)
        line, column = paragraph.places[found.start()]
        text = message.format(right=right)
        if right:
            text = f"「{_short(found.group())}」→ {text}"
        path, line, column = self.origins.place(paragraph.path, line, column, found.group())
        self.findings.append(RULES[rule_id].at(path, line, text, column))
        if pattern.safe and right and paragraph.places[found.end() - 1][0] == line \
                and path == paragraph.path \
                and self.origins.before_jinja(path, line, column + len(found.group())):
            self.fixes.append(Fix(paragraph.path, line, column, found.group(), right))

    def document(self, texts: list[Paragraph]) -> None:
        """The rules of consistency, over the whole report."""
        plain = [p.text for p in texts]
        for rule_id in ("touten", "zenkaku-hankaku"):  # the minority of two allowed forms
            rule = KOBUN[rule_id]
            minority = rule.document(plain) if self.applies(rule_id) else None
            for paragraph in texts if minority else ():
                self.match(rule_id, rule.message, minority, paragraph, [])
        if self.applies("buntai-mix"):
            for index, found in buntai_findings(plain) or []:
                paragraph = texts[index]
                line, column = paragraph.places[found.start()]
                self.findings.append(RULES["buntai-mix"].at(
                    paragraph.path, line, f"「{found.group()}。」：である体の文書に"
                    "です・ます体が混じっている（公用文作成の考え方 Ⅲ-1イ）", column))

    def unused_disables(self) -> list[Diagnostic]:
        """A `lint: disable` that silenced nothing is itself a finding: it hides nothing
        now, and would hide a real mistake later."""
        out = []
        for (path, line), rules in self.directives.items():
            for rule_id in sorted(rules - self.silenced.get((path, line), set())):
                known = "" if rule_id in RULES else "（そのような規則はない）"
                out.append(LINT_DISABLE.at(path, line, f"lint: disable={rule_id} は何も抑止して"
                                           f"いない{known}：削除する"))
        return out


class _Origins:
    """Where a finding's text was written: the section's line, or, when Jinja put it
    there, the data file line that holds it."""

    def __init__(self, data: list[Path]):
        self.data = [(path, _data_lines(path)) for path in data if path.suffix in _TEXT_DATA]
        self.sources: dict[Path, list[str]] = {}

    def place(self, path: Path, line: int, column: int, text: str) -> tuple[Path, int, int]:
        if path not in self.sources:  # a section, read already: it reads again
            self.sources[path] = read_text(path).split("\n") if path.is_file() else []
        lines = self.sources[path]
        written = lines[line - 1] if 0 < line <= len(lines) else None
        if written is None or written[column - 1:column - 1 + len(text)] == text:
            return path, line, column
        for data_path, data_lines in self.data:
            for number, data_line in enumerate(data_lines, start=1):
                if text in data_line:
                    return data_path, number, data_line.index(text) + 1
        return path, line, column

    def before_jinja(self, path: Path, line: int, end: int) -> bool:
        """Says whether a section's line holds no Jinja before column end: only there is
        a column of the expanded text the column of the file (a tag that prints more
        or less than its own length moves what follows it)."""
        written = self.sources[path]  # read by place(), just before
        if not written:
            return False  # lint_text's text has no file to fix
        tag = JINJA_TAG.search(written[line - 1])
        return tag is None or tag.start() >= end - 1


_TEXT_DATA = (".csv", ".yaml", ".yml", ".json")  # where a word Jinja printed may be written


def _data_lines(path: Path) -> list[str]:
    """Returns a data file's lines as its reader decodes them (a CSV may be Shift_JIS)."""
    try:
        return decode(path, path.read_bytes(), "").split("\n")
    except (OSError, PipelineError):
        return []  # the build says why it cannot be read


def morphemes(text: str):
    """Returns the morphemes of text (SudachiPy, split mode C)."""
    tokenizer, mode = _tokenizer()
    return tokenizer.tokenize(text, mode)


@functools.cache
def _tokenizer():
    """Loads the dictionary once (50 ms), and only when a rule asks."""
    from sudachipy import Dictionary, SplitMode  # imported here: lint alone needs it
    return Dictionary().tokenizer(), SplitMode.C


@functools.cache
def conjugation(word: str) -> str:
    """Returns the conjugation type (上一段-マ行, 五段-ラ行, …) of a verb's dictionary form."""
    tokens = morphemes(word)
    return tokens[0].part_of_speech()[4] if len(tokens) == 1 else ""


def _vertical(paragraph: Paragraph, start: int, end: int) -> bool:
    """Says whether text[start:end] and its neighbours were written one character to a
    line: vertical writing (a 縦書き example pasted from a PDF), where kanji numerals
    are right (考え方 Ⅰ-4キ)."""
    around = range(max(start - 1, 0), min(end + 1, len(paragraph.text)))
    lines = [paragraph.places[i][0] for i in around]
    return len(lines) > 2 and len(set(lines)) == len(lines)


def _right(pattern: Pattern, found: re.Match) -> str:
    if callable(pattern.right):
        return pattern.right(found)
    return found.expand(pattern.right) if pattern.right else ""


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:18] + "…"
