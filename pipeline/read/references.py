"""CSL YAML reference list → Reference entries (tree.py), each with its lines.

The file is CSL YAML as Pandoc and Zotero write it: a list of entries (or a
mapping with a `references:` list), each with `id`, `type`, `title`,
`author` or `publisher`, `URL`, `issued`, `accessed`.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError, did_you_mean
from ..rules import BAD_DATE, REFERENCE, UNKNOWN_FIELD
from ..tree import PartialDate, Reference
from .yamlfile import LineDict, LineList, load_yaml, shown

KNOWN_FIELDS = {
    "id", "type", "title", "author", "editor", "publisher", "publisher-place",
    "container-title", "collection-title", "URL", "DOI", "issued", "accessed", "note",
    "nocite", "language", "genre", "medium", "page", "volume", "issue", "edition",
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def load_references(path: Path) -> tuple[tuple[Reference, ...], list[Diagnostic]]:
    """Returns the entries and the findings about reading them.

    Raises PipelineError only when the file is not a list of entries at all.
    """
    raw = load_yaml(path)
    if isinstance(raw, LineDict) and "references" in raw:
        raw = raw["references"]
    if raw is None:
        raw = LineList()
    if not isinstance(raw, LineList):
        raise PipelineError([REFERENCE.at(path, getattr(raw, "line", 1),
                                          "expected a list of references (CSL YAML)")])
    entries, findings = [], []
    for index, item in enumerate(raw):
        reader = _EntryReader(path, item if isinstance(item, LineDict) else None)
        entry = reader.entry(raw.line_of(index))
        findings += reader.findings
        if entry is not None:
            entries.append(entry)
    return tuple(entries), findings


class _EntryReader:
    """Reads one entry's fields; what is wrong with them accumulates in findings."""

    def __init__(self, path: Path, item: LineDict | None):
        self.path, self.item = path, item
        self.findings: list[Diagnostic] = []

    def fail(self, rule, field: str | None, message: str) -> None:
        line = self.item.line_of(field) if field else self.item.line
        self.findings.append(rule.at(self.path, line, message))

    def entry(self, line: int) -> Reference | None:
        item = self.item
        if item is None:
            self.findings.append(REFERENCE.at(self.path, line, "a reference must be a mapping "
                                              "with 'id' and 'title'"))
            return None
        for key in item:
            if key not in KNOWN_FIELDS:
                self.fail(UNKNOWN_FIELD, key, f"unknown reference field '{key}'"
                          + did_you_mean(str(key), KNOWN_FIELDS))
        key = self.text("id")
        if not key:
            self.fail(REFERENCE, None, "reference has no 'id'")
            return None
        return Reference(
            key=key, type=self.text("type"), title=self.text("title"), authors=self.names(),
            publisher=self.text("publisher"), container=self.text("container-title"),
            url=self.text("URL"), issued=self.date("issued"), accessed=self.date("accessed"),
            note=self.text("note"), nocite=item.get("nocite") is True, path=self.path,
            line=item.line, lines=dict(item.lines))

    def text(self, name: str) -> str:
        value = self.item.get(name)
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(REFERENCE, name, f"reference field '{name}' must be text")
            return ""
        return value.strip()

    def names(self) -> tuple[str, ...]:
        value = self.item.get("author") or []
        if isinstance(value, (str, LineDict)):
            value = [value]
        names = []
        for person in value:
            name = _name(person)
            if name:
                names.append(name)
            else:
                self.fail(REFERENCE, "author", "an author needs 'literal', or 'family' and 'given'")
        return tuple(names)

    def date(self, name: str) -> PartialDate | None:
        value = self.item.get(name)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(BAD_DATE, name, f"reference field '{name}': {shown(value)} is not a date "
                      "(write 2021-05-21, 2021-05 or 2021)")
            return None


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
