"""The reference list's rules → diagnostics: every entry cited, complete for its
type, well formed, and not a probable duplicate of another.

A briefing must be traceable: an official has to be able to find each source
again. So a web source without its address is an error, and one without the
day it was consulted is a warning that only a person can clear, by recording
the real date (the pipeline never fills one in).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic, did_you_mean
from ..rules import (BAD_DATE, BAD_URL, DUPLICATE_ID, DUPLICATE_TITLE, DUPLICATE_URL,
                     FUTURE_DATE, MISSING_ACCESSED, MISSING_CREATOR, MISSING_FIELD,
                     MISSING_ISSUED, MISSING_TITLE, MISSING_TYPE, MISSING_URL, UNCITED,
                     UNKNOWN_TYPE)
from ..tree import PartialDate, Reference


@dataclass(frozen=True)
class TypeRule:
    """What an entry of one CSL type needs besides its title."""

    online: bool = False  # a web source: its URL is required
    creator: bool = True  # an author or a publisher is required
    needs: tuple[str, ...] = ()  # further required CSL fields


TYPES = {
    "webpage": TypeRule(online=True),
    "post": TypeRule(online=True),
    "post-weblog": TypeRule(online=True),
    "article": TypeRule(),
    "article-journal": TypeRule(needs=("container-title",)),
    "article-magazine": TypeRule(),
    "article-newspaper": TypeRule(),
    "book": TypeRule(needs=("publisher",)),
    "chapter": TypeRule(needs=("container-title", "publisher")),
    "report": TypeRule(),
    "thesis": TypeRule(),
    "paper-conference": TypeRule(),
    "dataset": TypeRule(),
    "document": TypeRule(),
    "speech": TypeRule(),
    "software": TypeRule(),
    "legislation": TypeRule(creator=False),  # a law is cited by its name and number
}


def check_references(refs: tuple[Reference, ...], report_date: datetime.date,
                     cited: set[str] | None) -> list[Diagnostic]:
    """Returns every finding about the reference list (uncited entries only when
    cited is known: every section was read)."""
    findings = check_unique(refs)
    for ref in refs:
        findings += check_entry(ref, report_date)
        if cited is not None and ref.key not in cited and not ref.nocite:
            findings.append(UNCITED.at(ref.path, ref.line, f"reference '{ref.key}' is never cited "
                                       "(cite it, remove it, or mark it nocite: true)"))
    return findings + check_duplicates(refs)


def check_unique(refs: tuple[Reference, ...]) -> list[Diagnostic]:
    """Returns an error for each entry whose id an earlier entry has."""
    findings, seen = [], {}
    for ref in refs:
        first = seen.setdefault(ref.key, ref)
        if first is not ref:
            findings.append(DUPLICATE_ID.at(ref.path, ref.line, f"duplicate reference id "
                                            f"'{ref.key}' (first at line {first.line})"))
    return findings


def check_entry(ref: Reference, report_date: datetime.date) -> list[Diagnostic]:
    """Returns the findings about one entry: fields its type needs, and their form."""
    rule, findings = _type_rule(ref)
    where = f"reference '{ref.key}'"
    if not ref.title:
        findings.append(MISSING_TITLE.at(ref.path, ref.line, f"{where} has no title"))
    if rule.creator and not ref.creator:
        findings.append(MISSING_CREATOR.at(ref.path, ref.line,
                                           f"{where} names no author or publisher"))
    for name in rule.needs:
        if not _field(ref, name):
            findings.append(MISSING_FIELD.at(ref.path, ref.line,
                                             f"{where} ({ref.type}) has no '{name}'"))
    if rule.online and not ref.url:
        findings.append(MISSING_URL.at(ref.path, ref.line, f"{where} ({ref.type}) has no URL: a "
                                       "web source must give the address where it can be found"))
    if ref.url:
        findings += _check_url(ref)
    return findings + _check_dates(ref, report_date, rule.online)


def _type_rule(ref: Reference) -> tuple[TypeRule, list[Diagnostic]]:
    if ref.type in TYPES:
        return TYPES[ref.type], []
    if not ref.type:
        message = f"reference '{ref.key}' has no 'type' (webpage, report, book, …)"
        return TypeRule(), [MISSING_TYPE.at(ref.path, ref.line, message)]
    message = f"reference '{ref.key}': unknown type '{ref.type}'" + did_you_mean(ref.type, TYPES)
    return TypeRule(), [UNKNOWN_TYPE.at(ref.path, _line(ref, "type"), message)]


def _field(ref: Reference, name: str) -> str:
    return {"container-title": ref.container, "publisher": ref.publisher}[name]


def _check_url(ref: Reference) -> list[Diagnostic]:
    parts = urlsplit(ref.url)
    if parts.scheme in ("http", "https") and parts.hostname and not any(
            c.isspace() for c in ref.url):
        return []
    return [BAD_URL.at(ref.path, _line(ref, "URL"), f"reference '{ref.key}': '{ref.url}' is not "
                       "an absolute http(s) address with a host")]


def _check_dates(ref: Reference, report_date: datetime.date, online: bool) -> list[Diagnostic]:
    findings = []
    for name, date in (("issued", ref.issued), ("accessed", ref.accessed)):
        if date and date.earliest() > report_date:
            findings.append(FUTURE_DATE.at(ref.path, _line(ref, name), f"reference '{ref.key}': "
                                           f"{name} date {date} is after the report's date "
                                           f"{report_date}"))
    if ref.issued and ref.accessed and _precedes(ref.accessed, ref.issued):
        findings.append(BAD_DATE.at(ref.path, _line(ref, "accessed"), f"reference '{ref.key}': "
                                    f"accessed {ref.accessed}, before it was issued "
                                    f"({ref.issued})"))
    # `issued: null` says the source states no date; a bad date is reported already.
    if "issued" not in ref.lines:
        findings.append(MISSING_ISSUED.at(ref.path, ref.line, f"reference '{ref.key}' has no "
                                          "issued date (add it, or write 'issued: null' if the "
                                          "source states none)"))
    if (online or ref.url) and "accessed" not in ref.lines:
        findings.append(MISSING_ACCESSED.at(ref.path, ref.line, f"reference '{ref.key}' has no "
                                            "accessed date: record the day the page was "
                                            "consulted"))
    return findings


def _precedes(a: PartialDate, b: PartialDate) -> bool:
    """Returns whether a is surely before b, compared as far as both are known."""
    a_parts, b_parts = (a.year, a.month, a.day), (b.year, b.month, b.day)
    known = min(sum(p is not None for p in a_parts), sum(p is not None for p in b_parts))
    return a_parts[:known] < b_parts[:known]


def check_duplicates(refs: tuple[Reference, ...]) -> list[Diagnostic]:
    """Returns a warning for each entry whose URL, or title and publisher, an earlier one has."""
    findings = []
    seen: dict[tuple, Reference] = {}
    for ref in refs:
        keys = [("URL", DUPLICATE_URL, _same_url(ref.url))] if ref.url else []
        if ref.title:
            keys.append(("title and publisher", DUPLICATE_TITLE,
                         (_folded(ref.title), _folded(ref.creator))))
        for what, rule, key in keys:
            first = seen.setdefault((rule.id, key), ref)
            if first is not ref:
                findings.append(rule.at(ref.path, ref.line, f"reference '{ref.key}' has the same "
                                        f"{what} as '{first.key}' (line {first.line}): a "
                                        "duplicate?"))
    return findings


def _same_url(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return f"{parts.netloc.lower()}{path}?{parts.query}"  # http and https, with or without '/'


def _folded(text: str) -> str:
    # NFKC makes full-width and half-width forms equal: ＤＸ and DX.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _line(ref: Reference, field: str) -> int:
    return ref.lines.get(field, ref.line)
