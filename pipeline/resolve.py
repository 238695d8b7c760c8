"""Resolve: the un-numbered tree → the document, numbered and linked.

A pass after every section is read, as Sphinx numbers sections and figures
once the whole project is known: headings (1, 1.1, 1.1.1), figures (図),
captioned tables (表) and citations (by first appearance, in reading order)
are numbered here, once, so every writer prints the same numbers, and every
anchor is named here. Forward references can therefore resolve too.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from .diagnostics import Diagnostic, did_you_mean
from .read import Source
from .read.convert import CROSSREF_PREFIXES
from .rules import CROSS_REF, DUPLICATE_ANCHOR, LINK_ANCHOR, UNKNOWN_KEY
from .tree import (Chart, Citation, CrossRef, Document, Figure, FootnoteRef, Heading, Link, Note,
                   Pos, Reference, ReferenceEntry, Section, Table, Target, Text, map_tree,
                   plain_text, walk)

NUMBERED_LEVELS = 3  # 1, 1.1 and 1.1.1; deeper headings are not numbered


def section_anchor(number: tuple[int, ...]) -> str:
    return "sec-" + "-".join(str(n) for n in number)


def figure_anchor(number: int) -> str:
    return f"fig-{number}"


def table_anchor(number: int) -> str:
    return f"tbl-{number}"


def figure_label(number: int) -> str:
    """Returns a figure's number as printed, in its caption and in cross-references."""
    return f"図{number}"


def table_label(number: int) -> str:
    return f"表{number}"


def reference_anchor(number: int) -> str:
    """Returns the anchor of the reference list's entry `number`, which citations link to."""
    return f"ref-{number}"


def resolve_document(source: Source) -> tuple[Document, list[Diagnostic]]:
    """Returns the numbered document and the findings: unknown keys and labels,
    duplicate anchors, misplaced labels.

    Two passes: the first numbers everything and learns every label; the
    second resolves cross-references, so that a reference may come before
    what it names.
    """
    numbering = _Numbering({ref.key: ref for ref in source.references})
    numbered = []
    for section in source.sections:
        numbering.notes = {note.name: note for note in section.notes}
        numbered.append(Section(section.path, map_tree(section.blocks, numbering.number)))
    sections = tuple(Section(s.path, map_tree(s.blocks, numbering.cross_reference))
                     for s in numbered)
    entries = number_references(source.references, numbering.citations)
    doc = Document(source.report.meta, sections, entries, source.inputs,
                   source.report.each_row)
    anchors = {**{a: "" for a in numbering.anchors}, REFERENCES_ANCHOR: "",
               **{e.anchor: "" for e in entries}}
    anchors.update((h.anchor, plain_text(h.content)) for h in doc.headings(6))
    return doc, numbering.findings + dead_anchors(sections, anchors)


# The reference list's heading, in every product.
REFERENCES_ANCHOR = "references"


def dead_anchors(sections, anchors: dict[str, str]) -> list[Diagnostic]:
    """Returns an error for each link to #anchor that names none of the report's
    anchors ({anchor: a heading's text}). Links written for GitHub or Pandoc name a
    slug of the heading's text (#1-概要): that heading's anchor is suggested."""
    findings = []
    for section in sections:
        for node in walk(section.blocks):
            if not isinstance(node, Link) or not node.url.startswith("#") \
                    or node.url[1:] in anchors:
                continue
            fragment = node.url[1:]
            words = re.sub(r"^[\d.-]+|[-_\s]", "", fragment).lower()
            named = [a for a, text in anchors.items()
                     if text and re.sub(r"[\s_-]", "", text).lower() == words]
            nearest = difflib.get_close_matches(fragment, list(anchors), n=1, cutoff=0)
            hint = f": the heading '{anchors[named[0]]}' is '#{named[0]}'" if named \
                else f" (the nearest is '#{nearest[0]}')" if nearest else ""
            pos = node.pos or Pos(section.path, 0)  # a link in a section knows its line
            findings.append(LINK_ANCHOR.at(pos.path, pos.line or None, f"link to '#{fragment}' "
                                           f"names no anchor of the report{hint}", pos.column))
    return findings


def number_references(refs: tuple[Reference, ...],
                      cited: dict[str, int]) -> tuple[ReferenceEntry, ...]:
    """Returns the reference list in citation order; uncited entries (nocite) follow."""
    listed = sorted((r for r in refs if r.key in cited), key=lambda r: cited[r.key])
    listed += [r for r in refs if r.key not in cited]
    return tuple(ReferenceEntry(n, reference_anchor(n), r) for n, r in enumerate(listed, start=1))


class _Numbering:
    """The counters of one pass over the whole report, in reading order."""

    def __init__(self, references: dict[str, Reference]):
        self.references = references
        self.headings = [0] * 6
        self.unnumbered = self.figures = self.tables = 0
        self.citations: dict[str, int] = {}
        self.anchors: dict[str, Pos] = {}
        self.labels: dict[str, Target] = {}
        self.notes: dict[str, Note] = {}  # the section's being numbered
        self.footnotes = 0
        self.findings: list[Diagnostic] = []

    def number(self, node):
        """Returns node numbered; map_tree calls it on every node of a section."""
        if isinstance(node, Heading):
            return self.heading(node)
        if isinstance(node, Figure | Chart):
            return self.figure(node)
        if isinstance(node, Table) and node.caption:
            return self.table(node)
        if isinstance(node, Citation):
            return self.citation(node)
        if isinstance(node, FootnoteRef):
            return self.footnote(node)
        return node

    def footnote(self, node: FootnoteRef) -> FootnoteRef:
        # Numbered in reading order through the report; each call brings its note,
        # as Pandoc does, so a note called twice is printed twice.
        self.footnotes += 1
        note = self.notes.get(node.name)
        return dataclasses.replace(node, number=self.footnotes,
                                   content=note.content if note else ())

    def learn_label(self, label: str, kind: str, text: str, anchor: str, pos: Pos) -> None:
        """Records what a label names, after checking that it can name it."""
        prefix = label.split(":", 1)[0] if ":" in label else ""
        if prefix != kind:
            what = {"fig": "a figure", "tbl": "a table", "sec": "a heading"}[kind]
            self.findings.append(CROSS_REF.at(pos.path, pos.line, f"label '{label}' is on "
                                              f"{what}: write {kind}:{label.split(':')[-1]}"))
            return
        if label in self.references:
            self.findings.append(CROSS_REF.at(pos.path, pos.line, f"label '{label}' is also "
                                              "a key of the reference list: rename one"))
        self.claim(label, pos)
        self.labels.setdefault(label, Target(text, anchor))

    def cross_reference(self, node):
        """Returns a cross-reference with its targets; map_tree's second pass."""
        if not isinstance(node, CrossRef):
            return node
        targets = []
        for label in node.labels:
            if label in self.labels:
                targets.append(self.labels[label])
            else:
                self.findings.append(CROSS_REF.at(
                    node.pos.path, node.pos.line, f"unknown label '{label}'"
                    + did_you_mean(label, self.labels), node.pos.column))
        return dataclasses.replace(node, targets=tuple(targets))

    def heading(self, node: Heading) -> Heading:
        level, counters = node.level, self.headings
        number = ()
        if not node.unnumbered:  # 付録 {-}: in the contents, but neither numbered nor counted
            counters[level - 1] += 1
            counters[level:] = [0] * (6 - level)
            number = tuple(counters[:level]) if level <= NUMBERED_LEVELS else ()
        if number:
            anchor = section_anchor(number)
        else:
            self.unnumbered += 1
            anchor = f"h-{self.unnumbered}"
        anchor = node.anchor or anchor
        if anchor.split(":", 1)[0] in CROSSREF_PREFIXES and ":" in anchor:
            self.learn_heading(anchor, number, node.pos)  # a label: claimed as one
        else:
            self.claim(anchor, node.pos)
        return dataclasses.replace(node, number=number, anchor=anchor)

    def learn_heading(self, label: str, number: tuple[int, ...], pos: Pos) -> None:
        if not number and label.startswith("sec:"):
            self.findings.append(CROSS_REF.at(pos.path, pos.line, f"label '{label}' is on a "
                                              "heading without a number (#### and deeper): "
                                              "it cannot be referred to by number"))
            self.claim(label, pos)
            return
        self.learn_label(label, "sec", ".".join(map(str, number)), label, pos)

    def figure(self, node: Figure | Chart) -> Figure | Chart:
        self.figures += 1
        anchor = figure_anchor(self.figures)
        self.claim(anchor, node.pos)
        if node.label:
            self.learn_label(node.label, "fig", figure_label(self.figures), anchor, node.pos)
        if isinstance(node, Chart):
            node = dataclasses.replace(node, source=self.named_sources(node.source))
        return dataclasses.replace(node, number=self.figures, anchor=anchor)

    def table(self, node: Table) -> Table:
        self.tables += 1
        anchor = table_anchor(self.tables)
        self.claim(anchor, node.pos)
        if node.label:
            self.learn_label(node.label, "tbl", table_label(self.tables), anchor, node.pos)
        return dataclasses.replace(node, number=self.tables, anchor=anchor,
                                   source=self.named_sources(node.source))

    def named_sources(self, source) -> tuple:
        """Returns a 出典 line's citations, each after the names of its sources:
        試験省「試験白書」, so that the line says what it cites."""
        named = []
        for node in source:
            if isinstance(node, Citation):
                known = [self.references[k] for k in node.keys if k in self.references]
                named.append(Text("、".join(f"{ref.creator}「{ref.title}」" if ref.creator
                                           else f"「{ref.title}」" for ref in known)))
            named.append(node)
        return tuple(named)

    def claim(self, anchor: str, pos: Pos) -> None:
        first = self.anchors.setdefault(anchor, pos)
        if first is not pos:
            self.findings.append(DUPLICATE_ANCHOR.at(pos.path, pos.line, f"duplicate anchor "
                                                     f"'{anchor}' (first at {first.path.name}:"
                                                     f"{first.line})"))

    def citation(self, node: Citation) -> Citation:
        numbers = []
        for key in node.keys:
            if key.split(":", 1)[0] in CROSSREF_PREFIXES:
                continue  # a cross-reference in a citation's brackets: reported when read
            if key not in self.references:
                self.findings.append(UNKNOWN_KEY.at(
                    node.pos.path, node.pos.line, f"unknown reference key '{key}'"
                    + did_you_mean(key, self.references), node.pos.column))
                continue
            numbers.append(self.citations.setdefault(key, len(self.citations) + 1))
        return dataclasses.replace(node, numbers=tuple(numbers))
