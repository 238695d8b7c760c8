"""Resolve: the un-numbered tree → the document, numbered and linked.

A pass after every section is read, as Sphinx numbers sections and figures
once the whole project is known: headings (1, 1.1, 1.1.1), figures (図),
captioned tables (表) and citations (by first appearance, in reading order)
are numbered here, once, so every writer prints the same numbers, and every
anchor is named here. Forward references can therefore resolve too.
"""

from __future__ import annotations

import dataclasses

from .diagnostics import Diagnostic, did_you_mean
from .read import Source
from .rules import DUPLICATE_ANCHOR, UNKNOWN_KEY
from .tree import (Chart, Citation, Document, Figure, Heading, Pos, Reference, ReferenceEntry,
                   Section, Table, Text, map_tree)

NUMBERED_LEVELS = 3  # 1, 1.1 and 1.1.1; deeper headings are not numbered


def section_anchor(number: tuple[int, ...]) -> str:
    return "sec-" + "-".join(str(n) for n in number)


def figure_anchor(number: int) -> str:
    return f"fig-{number}"


def table_anchor(number: int) -> str:
    return f"tbl-{number}"


def reference_anchor(number: int) -> str:
    """Returns the anchor of the reference list's entry `number`, which citations link to."""
    return f"ref-{number}"


def resolve_document(source: Source) -> tuple[Document, list[Diagnostic]]:
    """Returns the numbered document and the findings: unknown keys, duplicate anchors."""
    numbering = _Numbering({ref.key: ref for ref in source.references})
    sections = tuple(Section(s.path, map_tree(s.blocks, numbering.number))
                     for s in source.sections)
    entries = number_references(source.references, numbering.citations)
    doc = Document(source.report.meta, sections, entries, source.inputs)
    return doc, numbering.findings


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
        return node

    def heading(self, node: Heading) -> Heading:
        level, counters = node.level, self.headings
        counters[level - 1] += 1
        counters[level:] = [0] * (6 - level)
        number = tuple(counters[:level]) if level <= NUMBERED_LEVELS else ()
        if number:
            anchor = section_anchor(number)
        else:
            self.unnumbered += 1
            anchor = f"h-{self.unnumbered}"
        anchor = node.anchor or anchor
        self.claim(anchor, node.pos)
        return dataclasses.replace(node, number=number, anchor=anchor)

    def figure(self, node: Figure | Chart) -> Figure | Chart:
        self.figures += 1
        anchor = figure_anchor(self.figures)
        self.claim(anchor, node.pos)
        if isinstance(node, Chart):
            self.claim_label(node.label, node.pos)
            node = dataclasses.replace(node, source=self.named_sources(node.source))
        return dataclasses.replace(node, number=self.figures, anchor=anchor)

    def table(self, node: Table) -> Table:
        self.tables += 1
        anchor = table_anchor(self.tables)
        self.claim(anchor, node.pos)
        self.claim_label(node.label, node.pos)
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

    def claim_label(self, label: str, pos: Pos) -> None:
        """A block's `id:` is unique among labels and anchors (cross-references use it)."""
        if label:
            self.claim(label, pos)

    def claim(self, anchor: str, pos: Pos) -> None:
        first = self.anchors.setdefault(anchor, pos)
        if first is not pos:
            self.findings.append(DUPLICATE_ANCHOR.at(pos.path, pos.line, f"duplicate anchor "
                                                     f"'{anchor}' (first at {first.path.name}:"
                                                     f"{first.line})"))

    def citation(self, node: Citation) -> Citation:
        numbers = []
        for key in node.keys:
            if key not in self.references:
                self.findings.append(UNKNOWN_KEY.at(
                    node.pos.path, node.pos.line, f"unknown reference key '{key}'"
                    + did_you_mean(key, self.references), node.pos.column))
                continue
            numbers.append(self.citations.setdefault(key, len(self.citations) + 1))
        return dataclasses.replace(node, numbers=tuple(numbers))
