"""CSL YAML reference list → Reference entries, and their SIST 02 form.

The file is CSL YAML as Pandoc and Zotero write it: a list of entries (or a
mapping with a `references:` list), each with `id`, `type`, `title`,
`author` or `publisher`, `URL`, `issued`, `accessed`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, PipelineError, did_you_mean, error, warning
from .tree import Inlines, Link, Pos, ReferenceEntry, Text
from .yamlfile import LineDict, LineList, load_yaml

KNOWN_FIELDS = {
    "id", "type", "title", "author", "editor", "publisher", "publisher-place",
    "container-title", "collection-title", "URL", "DOI", "issued", "accessed", "note",
    "nocite", "language", "genre", "medium", "page", "volume", "issue", "edition",
}
WEB_TYPES = {"webpage", "post", "post-weblog", "article-newspaper", "article-magazine"}
BOOK_TYPES = {"book", "report", "thesis", "legislation", "dataset"}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class PartialDate:
    """A CSL date that may stop at the year or the month."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list, with the line where it starts."""

    key: str
    type: str
    title: str
    authors: tuple[str, ...]
    publisher: str
    container: str
    url: str
    issued: PartialDate | None
    accessed: PartialDate | None
    note: str
    nocite: bool
    path: Path
    line: int
    lines: dict  # field → line, for every field the entry states (`issued: null` too)

    @property
    def creator(self) -> str:
        """Returns who is responsible: the authors, else the publisher."""
        return "; ".join(self.authors) or self.publisher


def load_references(path: Path) -> tuple[tuple[Reference, ...], list[Diagnostic]]:
    """Returns the entries and the findings about them.

    Raises PipelineError only when the file is not a list of entries at all.
    """
    raw = load_yaml(path)
    if isinstance(raw, LineDict) and "references" in raw:
        raw = raw["references"]
    if raw is None:
        raw = LineList()
    if not isinstance(raw, LineList):
        raise PipelineError([error(path, getattr(raw, "line", 1),
                                   "expected a list of references (CSL YAML)", code="reference")])
    diagnostics: list[Diagnostic] = []
    entries = [_entry(path, item, raw.line_of(i), diagnostics) for i, item in enumerate(raw)]
    entries = [e for e in entries if e is not None]
    _check_unique(entries, diagnostics)
    return tuple(entries), diagnostics


def _entry(path: Path, item, line: int, found: list) -> Reference | None:
    if not isinstance(item, LineDict):
        found.append(error(path, line, "a reference must be a mapping with 'id' and 'title'",
                           code="reference"))
        return None
    for key in item:
        if key not in KNOWN_FIELDS:
            found.append(warning(path, item.line_of(key), f"unknown reference field '{key}'"
                                 + did_you_mean(str(key), KNOWN_FIELDS), code="reference"))
    key = _text(item, "id", path, found)
    if not key:
        found.append(error(path, item.line, "reference has no 'id'", code="reference"))
        return None
    return Reference(
        key=key, type=_text(item, "type", path, found), title=_text(item, "title", path, found),
        authors=_names(item, path, found), publisher=_text(item, "publisher", path, found),
        container=_text(item, "container-title", path, found),
        url=_text(item, "URL", path, found), issued=_date(item, "issued", path, found),
        accessed=_date(item, "accessed", path, found), note=_text(item, "note", path, found),
        nocite=item.get("nocite") is True, path=path, line=item.line, lines=dict(item.lines),
    )


def _text(item: LineDict, name: str, path: Path, found: list) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        found.append(error(path, item.line_of(name), f"reference field '{name}' must be text",
                           code="reference"))
        return ""
    return value.strip()


def _names(item: LineDict, path: Path, found: list) -> tuple[str, ...]:
    value = item.get("author") or []
    if isinstance(value, (str, LineDict)):
        value = [value]
    names = []
    for person in value:
        name = _name(person)
        if name:
            names.append(name)
        else:
            found.append(error(path, item.line_of("author"),
                               "an author needs 'literal', or 'family' and 'given'",
                               code="reference"))
    return tuple(names)


def _name(person) -> str:
    if isinstance(person, str):
        return person.strip()
    if not isinstance(person, dict):
        return ""
    if person.get("literal"):
        return str(person["literal"]).strip()
    family, given = str(person.get("family", "")), str(person.get("given", ""))
    if _CJK.search(family + given):
        return family + given  # 山田太郎: Japanese names run together
    return ", ".join(p for p in (family, given) if p)


def _date(item: LineDict, name: str, path: Path, found: list) -> PartialDate | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        found.append(error(path, item.line_of(name), f"reference field '{name}': {value!r} "
                           "is not a date (write 2021-05-21, 2021-05 or 2021)", code="bad-date"))
        return None


def parse_date(value) -> PartialDate:
    """Returns a PartialDate from a YAML date, a year, an ISO text or CSL date-parts."""
    if isinstance(value, datetime.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dict) and "date-parts" in value:
        value = "-".join(str(p) for p in value["date-parts"][0])
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) if g else None for g in match.groups())
    date = PartialDate(year, month, day)
    date.earliest()  # raises ValueError for 2021-02-30
    return date


def _check_unique(entries: list[Reference], found: list) -> None:
    seen: dict[str, Reference] = {}
    for entry in entries:
        if entry.key in seen:
            found.append(error(entry.path, entry.line, f"duplicate reference id '{entry.key}' "
                               f"(first at line {seen[entry.key].line})", code="duplicate-id"))
        seen.setdefault(entry.key, entry)


def format_sist02(ref: Reference) -> Inlines:
    """Returns the entry in SIST 02 form.

    `発行者. “題名”. サイト名. 日付. URL, (参照 YYYY-MM-DD).` Titles of books
    and reports go without quotation marks, as SIST 02 writes 書名.
    """
    title = ref.title if ref.type in BOOK_TYPES else f"“{ref.title}”"
    fields = [ref.creator, title]
    if ref.container and ref.container != ref.creator:
        fields.append(ref.container)
    if ref.authors and ref.publisher and ref.type in BOOK_TYPES:
        fields.append(ref.publisher)
    if ref.issued:
        fields.append(str(ref.issued))
    text = "".join(f"{_end(f)} " for f in fields if f)
    if not ref.url:
        return (Text(text.rstrip() + _note(ref)),)
    tail = f", (参照 {ref.accessed})." if ref.accessed else "."
    return (Text(text), Link(ref.url, (Text(ref.url),)), Text(tail + _note(ref)))


def _end(field: str) -> str:
    return field if field.endswith((".", "。")) else field + "."


def _note(ref: Reference) -> str:
    return f" {ref.note}" if ref.note else ""


def number_references(refs: tuple[Reference, ...],
                      cited: dict[str, int]) -> tuple[ReferenceEntry, ...]:
    """Returns the reference list in citation order; uncited entries (nocite) follow."""
    listed = sorted((r for r in refs if r.key in cited), key=lambda r: cited[r.key])
    listed += [r for r in refs if r.key not in cited]
    return tuple(ReferenceEntry(n, r.key, format_sist02(r), f"ref-{n}", Pos(r.path, r.line))
                 for n, r in enumerate(listed, start=1))
