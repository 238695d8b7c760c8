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

from .diagnostics import Diagnostic, did_you_mean, error, warning
from .references import PartialDate, Reference


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
                     cited: dict[str, int]) -> list[Diagnostic]:
    """Returns every finding about the reference list."""
    found: list[Diagnostic] = []
    for ref in refs:
        found += check_entry(ref, report_date)
        if ref.key not in cited and not ref.nocite:
            found.append(error(ref.path, ref.line, f"reference '{ref.key}' is never cited (cite "
                               "it, remove it, or mark it nocite: true)", code="uncited"))
    return found + check_duplicates(refs)


def check_entry(ref: Reference, report_date: datetime.date) -> list[Diagnostic]:
    """Returns the findings about one entry: fields its type needs, and their form."""
    rule, found = _type_rule(ref)
    where = f"reference '{ref.key}'"
    if not ref.title:
        found.append(error(ref.path, ref.line, f"{where} has no title", code="missing-title"))
    if rule.creator and not ref.creator:
        found.append(error(ref.path, ref.line, f"{where} names no author or publisher",
                           code="missing-creator"))
    for name in rule.needs:
        if not _field(ref, name):
            found.append(error(ref.path, ref.line, f"{where} ({ref.type}) has no '{name}'",
                               code="missing-field"))
    if rule.online and not ref.url:
        found.append(error(ref.path, ref.line, f"{where} ({ref.type}) has no URL: a web source "
                           "must give the address where it can be found", code="missing-url"))
    if ref.url:
        found += _check_url(ref)
    return found + _check_dates(ref, report_date, rule.online)


def _type_rule(ref: Reference) -> tuple[TypeRule, list[Diagnostic]]:
    if ref.type in TYPES:
        return TYPES[ref.type], []
    if not ref.type:
        message = f"reference '{ref.key}' has no 'type' (webpage, report, book, …)"
        return TypeRule(), [error(ref.path, ref.line, message, code="missing-type")]
    message = f"reference '{ref.key}': unknown type '{ref.type}'" + did_you_mean(ref.type, TYPES)
    return TypeRule(), [error(ref.path, _line(ref, "type"), message, code="unknown-type")]


def _field(ref: Reference, name: str) -> str:
    return {"container-title": ref.container, "publisher": ref.publisher}[name]


def _check_url(ref: Reference) -> list[Diagnostic]:
    parts = urlsplit(ref.url)
    if parts.scheme in ("http", "https") and parts.hostname and not any(
            c.isspace() for c in ref.url):
        return []
    return [error(ref.path, _line(ref, "URL"), f"reference '{ref.key}': '{ref.url}' is not an "
                  "absolute http(s) address with a host", code="bad-url")]


def _check_dates(ref: Reference, report_date: datetime.date, online: bool) -> list[Diagnostic]:
    found = []
    for name, date in (("issued", ref.issued), ("accessed", ref.accessed)):
        if date and date.earliest() > report_date:
            found.append(error(ref.path, _line(ref, name), f"reference '{ref.key}': {name} date "
                               f"{date} is after the report's date {report_date}",
                               code="future-date"))
    if ref.issued and ref.accessed and _precedes(ref.accessed, ref.issued):
        found.append(error(ref.path, _line(ref, "accessed"), f"reference '{ref.key}': accessed "
                           f"{ref.accessed}, before it was issued ({ref.issued})",
                           code="bad-date"))
    # `issued: null` says the source states no date; a bad date is reported already.
    if "issued" not in ref.lines:
        found.append(warning(ref.path, ref.line, f"reference '{ref.key}' has no issued date (add "
                             "it, or write 'issued: null' if the source states none)",
                             code="missing-issued"))
    if (online or ref.url) and "accessed" not in ref.lines:
        found.append(warning(ref.path, ref.line, f"reference '{ref.key}' has no accessed date: "
                             "record the day the page was consulted", code="missing-accessed"))
    return found


def _precedes(a: PartialDate, b: PartialDate) -> bool:
    """Returns whether a is surely before b, compared as far as both are known."""
    a_parts, b_parts = (a.year, a.month, a.day), (b.year, b.month, b.day)
    known = min(sum(p is not None for p in a_parts), sum(p is not None for p in b_parts))
    return a_parts[:known] < b_parts[:known]


def check_duplicates(refs: tuple[Reference, ...]) -> list[Diagnostic]:
    """Returns a warning for each entry whose URL, or title and publisher, an earlier one has."""
    found = []
    seen: dict[tuple, Reference] = {}
    for ref in refs:
        keys = [("URL", "duplicate-url", _same_url(ref.url))] if ref.url else []
        if ref.title:
            keys.append(("title and publisher", "duplicate-title",
                         (_folded(ref.title), _folded(ref.creator))))
        for what, code, key in keys:
            first = seen.setdefault((code, key), ref)
            if first is not ref:
                found.append(warning(ref.path, ref.line, f"reference '{ref.key}' has the same "
                                     f"{what} as '{first.key}' (line {first.line}): a duplicate?",
                                     code=code))
    return found


def _same_url(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return f"{parts.netloc.lower()}{path}?{parts.query}"  # http and https, with or without '/'


def _folded(text: str) -> str:
    # NFKC makes full-width and half-width forms equal: ＤＸ and DX.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _line(ref: Reference, field: str) -> int:
    return ref.lines.get(field, ref.line)
