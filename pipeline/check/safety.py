"""The tree → errors for what must not reach a reader: links of unsafe kinds,
and raw HTML, which both writers print as written and never interpret.

Tags that would fetch, run or embed something are errors all the same, so
that an author learns they did nothing; other tags are warnings.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic
from ..rules import BAD_LINK, RAW_HTML, UNSAFE_HTML
from ..tree import Link, Pos, Section, Text, walk

LINK_SCHEMES = {"http", "https", "mailto"}
_RAW_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")  # opening tags
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "link",
                  "style", "img", "svg", "math", "meta", "base", "form", "input", "video",
                  "audio", "source", "picture"}
_DANGEROUS_ATTRIBUTE = re.compile(r"\bon[a-z]+\s*=|javascript:|vbscript:|data:", re.I)


def check_safety(sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Returns an error for each unsafe link or tag, a warning for other raw HTML."""
    findings: list[Diagnostic] = []
    for section in sections:
        pos = Pos(section.path, 1)
        for node in walk(section.blocks):
            pos = getattr(node, "pos", None) or pos  # the innermost block or link so far
            if isinstance(node, Link):
                findings += _check_link(node, pos)
            elif isinstance(node, Text):
                findings += _check_text(node.text, pos)
    return findings


def _check_link(link: Link, pos: Pos) -> list[Diagnostic]:
    problem = link_problem(link.url)
    return [BAD_LINK.at(pos.path, pos.line, problem)] if problem else []


def _check_text(text: str, pos: Pos) -> list[Diagnostic]:
    findings = []
    for tag, dangerous in raw_html_tags(text):
        if dangerous:
            findings.append(UNSAFE_HTML.at(pos.path, pos.line,
                                           f"raw HTML is not allowed in a briefing: {tag}"))
        else:
            findings.append(RAW_HTML.at(pos.path, pos.line, f"raw HTML is printed as written: "
                                        f"{tag} (write Markdown instead)"))
    return findings


def link_problem(url: str) -> str:
    """Returns why a link may not appear in a product, or '' when it may."""
    if url.startswith("#"):
        return ""  # a place in the briefing
    scheme = urlsplit(url).scheme.lower()
    if scheme in LINK_SCHEMES:
        return ""
    if scheme:
        return f"{scheme}: links are not allowed (use http, https or mailto)"
    return f"link '{url}' is not an address: write https://…, mailto:… or #anchor"


def raw_html_tags(text: str) -> list[tuple[str, bool]]:
    """Returns each HTML tag written in text, and whether it is a dangerous one."""
    return [(m.group(), m.group(1).lower() in DANGEROUS_TAGS
             or bool(_DANGEROUS_ATTRIBUTE.search(m.group(2) or "")))
            for m in _RAW_TAG.finditer(text)]
