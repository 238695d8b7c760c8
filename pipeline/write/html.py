"""Document → HTML: blocks and inlines here, the page frame in templates/briefing.html.j2.

The body written here is shared by every HTML-based product (the PDF now).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import singledispatch
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..resolve import figure_label, reference_anchor, table_label
from ..tree import (BulletList, Chart, Citation, CrossRef, FootnoteRef, Code, CodeBlock, Document, Emphasis, Figure, Heading,
                    LineBreak, Link, ListItem, OrderedList, Paragraph, Quote, Strong, Table, Text,
                    ThematicBreak, plain_text)
from . import TEMPLATES, cannot_render, labels
from .chart import alt_text, draw_chart
from .opendata import csv_name, node_csv
from .page import BODY_FONT, COLOURS, HEADING_FONT, PAGE
from .sist02 import format_sist02

TEMPLATE = "briefing.html.j2"


@dataclass(frozen=True)
class HtmlOptions:
    copy_label: str = ""  # a numbered copy's footer: 配布先: 総務課 / No. 1
    templates: Path = TEMPLATES
    draw_chart: Callable[[Chart, str], bytes] = draw_chart  # the ship stage caches drawings
    web: bool = False  # the web edition: table captions in <caption>, th scope, inline SVG


def render_html(doc: Document, options: HtmlOptions) -> str:
    """Returns the complete HTML of the briefing."""
    jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(options.templates),
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    jinja.filters["css_string"] = css_string
    template = jinja.get_template(TEMPLATE)
    return template.render(
        meta=doc.meta,
        labels=labels,
        cover_rows=labels.cover_rows(doc.meta),
        toc=doc.headings(labels.TOC_DEPTH),
        sections=[blocks_html(s.blocks, options) for s in doc.sections],
        references=[(r, inlines_html(format_sist02(r.source))) for r in doc.references],
        plain_text=plain_text,
        body_font=BODY_FONT.family,
        heading_font=HEADING_FONT.family,
        page=PAGE,
        colours=COLOURS,
        copy_label=options.copy_label,
    )


def data_uri(data: bytes, media_type: str) -> str:
    """Returns the image as a data: URL: the PDF writer never opens a file a section names."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def inline_svg(svg: bytes, alt: str, prefix: str) -> Markup:
    """Returns a drawing as an <svg> element for the page, read out as an image with alt;
    its ids (matplotlib names them figure_1, patch_1, …) get prefix, unique on the page."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'\b(id="|url\(#|href="#)', lambda m: f"{m.group(1)}{prefix}-", text)
    text = text.replace("<svg ", Markup('<svg role="img" aria-label="{}" ').format(alt), 1)
    return Markup(text)


def css_string(text: str) -> Markup:
    """Returns text as a quoted CSS string, safe inside <style>: a recipient's
    name may hold quotes, backslashes or '<'."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>' or ord(c) < 0x20 else c for c in text)
    return Markup(f'"{escaped}"')


def inlines_html(nodes) -> Markup:
    return Markup("").join(_kept_together(tuple(nodes)))


# What may not start a line (JLREQ's cl-02 closing brackets, cl-04 ？！, cl-05 ・：；,
# cl-06 。．, cl-07 、，, cl-09 iteration marks, cl-10 ー, cl-11 small kana), in
# both widths.
NOT_LINE_START = set("。、，．）」』】〕〉》〙〗〟’”｝］！？‼⁇⁈⁉・：；ヽヾゝゞ々〻ーぁぃぅぇぉっゃゅょゎゕゖ"
                     "ァィゥェォッャュョヮヵヶ.,:;!?)]}…‥")


def _kept_together(nodes: tuple) -> list[Markup]:
    """Returns each inline's HTML; a citation's or a footnote's call is set in one span
    that does not break with the character before it and the closing punctuation after
    it. Between an inline box and text WeasyPrint breaks freely, so a line began
    6)。 (JLREQ: a call stays with its word, and 。 never starts a line)."""
    out, index = [], 0
    while index < len(nodes):
        if not _is_call(nodes[index]):
            out.append(inline_html(nodes[index]))
            index += 1
            continue
        kept = []
        if out and isinstance(nodes[index - 1], Text) and nodes[index - 1].text:
            before = nodes[index - 1].text
            out[-1] = inline_html(Text(before[:-1]))
            kept.append(inline_html(Text(before[-1])))
        while index < len(nodes) and _is_call(nodes[index]):
            kept.append(inline_html(nodes[index]))
            index += 1
        if index < len(nodes) and isinstance(nodes[index], Text):
            after = nodes[index].text
            cut = next((i for i, c in enumerate(after) if c not in NOT_LINE_START), len(after))
            kept.append(inline_html(Text(after[:cut])))
            nodes = nodes[:index] + (Text(after[cut:]),) + nodes[index + 1:]
        out.append(Markup('<span class="keep">{}</span>').format(Markup("").join(kept)))
    return out


def _is_call(node) -> bool:
    return isinstance(node, (Citation, FootnoteRef))


def blocks_html(nodes, env: HtmlOptions) -> Markup:
    return Markup("").join(block_html(n, env) for n in nodes)


# ---- blocks ----------------------------------------------------------------

@singledispatch
def block_html(node, env: HtmlOptions) -> Markup:
    raise cannot_render(node, "PDF")


@block_html.register
def _(node: Heading, env: HtmlOptions) -> Markup:
    number = Markup('<span class="secnum">{}</span>').format(node.number_prefix)
    # The web page has one h1, its title (WCAG's and every reader's outline); its
    # chapters are h2. The PDF's title is on the cover, and its chapters are h1.
    level = min(node.level + 1, 6) if env.web else node.level
    return Markup('<h{0} id="{1}">{2}{3}</h{0}>\n').format(
        level, node.anchor, number, inlines_html(node.content))


@block_html.register
def _(node: Paragraph, env: HtmlOptions) -> Markup:
    return Markup("<p>{}</p>\n").format(inlines_html(node.content))


@block_html.register
def _(node: BulletList, env: HtmlOptions) -> Markup:
    return Markup("<ul>\n{}</ul>\n").format(Markup("").join(_item(i, env) for i in node.items))


@block_html.register
def _(node: OrderedList, env: HtmlOptions) -> Markup:
    start = Markup(' start="{}"').format(node.start) if node.start != 1 else ""
    return Markup("<ol{}>\n{}</ol>\n").format(start, Markup("").join(_item(i, env) for i in node.items))


def _item(item: ListItem, env: HtmlOptions) -> Markup:
    return Markup("<li>{}</li>\n").format(blocks_html(item.blocks, env))


@block_html.register
def _(node: Quote, env: HtmlOptions) -> Markup:
    return Markup("<blockquote>\n{}</blockquote>\n").format(blocks_html(node.blocks, env))


@block_html.register
def _(node: CodeBlock, env: HtmlOptions) -> Markup:
    return Markup("<pre><code>{}</code></pre>\n").format(node.text)


@block_html.register
def _(node: ThematicBreak, env: HtmlOptions) -> Markup:
    return Markup("<hr>\n")


@block_html.register
def _(node: Table, env: HtmlOptions) -> Markup:
    if env.web:
        return _web_table(node)
    head = Markup("").join(_row(r, "th", node.aligns) for r in node.header)
    body = Markup("").join(_row(r, "td", node.aligns) for r in node.body)
    table = Markup("<table>\n<thead>\n{}</thead>\n<tbody>\n{}</tbody>\n</table>\n").format(head, body)
    if node.number is None:
        return Markup('<div class="table">\n{}</div>\n').format(table)
    caption = Markup('<figcaption><span class="label">{}</span>{}</figcaption>\n').format(
        table_label(node.number), inlines_html(node.caption))
    return Markup('<figure class="table{}" id="{}">\n{}{}{}{}</figure>\n').format(
        " long" if len(node.body) > LONG_TABLE_ROWS else "", node.anchor, caption, table,
        _notes(node.notes), _source_line(node.source, node.provenance))


def _web_table(node: Table) -> Markup:
    """A table as a web page needs it for screen readers: its caption in <caption>,
    header cells with scope, in a region that scrolls sideways on a phone."""
    caption = Markup("")
    if node.number is not None:
        caption = Markup('<caption><span class="label">{}</span>{}</caption>\n').format(
            table_label(node.number), inlines_html(node.caption))
    head = Markup("").join(_row(r, "th", node.aligns, ' scope="col"') for r in node.header)
    body = Markup("").join(_row(r, "td", node.aligns) for r in node.body)
    label = Markup(' aria-label="{}"').format(
        table_label(node.number) if node.number else "表")
    return Markup('<div class="table{}" id="{}" role="region" tabindex="0"{}>\n<table>\n{}'
                  '<thead>\n{}</thead>\n<tbody>\n{}</tbody>\n</table>\n{}{}{}</div>\n').format(
        " data" if node.data else "", node.anchor or "", label, caption, head, body,
        _notes(node.notes), _source_line(node.source, node.provenance),
        _data_link(node) if node.data and node.number else "")


def _notes(notes: tuple[str, ...]) -> Markup:
    """Returns a data table's notes, as its file writes them, under the table."""
    return Markup("").join(Markup('<p class="note">{}</p>\n').format(n) for n in notes)


# A table longer than this breaks across pages (its header repeated) rather than
# leave a page nearly blank; a shorter one is kept whole.
LONG_TABLE_ROWS = 12


def _source_line(source, provenance=None) -> Markup:
    """Returns the 出典 line under a chart or a data table, or nothing: its data's
    publisher (data/sources.yaml), then the sources it cites."""
    provenance = labels.provenance_text(provenance)
    if not source and not provenance:
        return Markup("")
    join = labels.SOURCE_JOIN if provenance and source else ""
    return Markup('<p class="source">{}{}{}{}</p>\n').format(
        labels.SOURCE, provenance, join, inlines_html(source))


def _data_link(node) -> Markup:
    """The web edition's link to the numbers behind a chart or a data table: the CSV
    itself, inside the page, which stays one file (the bundle has the same in data/)."""
    return Markup('<p class="data-link"><a href="{}" download="{}">{}</a></p>\n').format(
        data_uri(node_csv(node), "text/csv"), csv_name(node), labels.DATA_LINK)


def _row(cells, tag: str, aligns, scope: str = "") -> Markup:
    out = Markup("")
    for cell, align in zip(cells, aligns):
        style = Markup(' class="{}"').format(align) if align else ""
        out += Markup("<{0}{1}{3}>{2}</{0}>").format(tag, style, inlines_html(cell),
                                                    Markup(scope))
    return Markup("<tr>{}</tr>\n").format(out)


@block_html.register
def _(node: Figure, env: HtmlOptions) -> Markup:
    return Markup('<figure class="figure" id="{}">\n<img src="{}" alt="{}">\n'
                  '<figcaption><span class="label">{}</span>{}</figcaption>\n</figure>\n').format(
        node.anchor, data_uri(node.data, node.media_type), plain_text(node.caption),
        figure_label(node.number), inlines_html(node.caption))


@block_html.register
def _(node: Chart, env: HtmlOptions) -> Markup:
    svg = env.draw_chart(node, "svg")
    if env.web:
        return Markup('<figure class="figure chart" id="{}">\n{}\n<figcaption><span '
                      'class="label">{}</span>{}</figcaption>\n{}{}</figure>\n').format(
            node.anchor, inline_svg(svg, alt_text(node), node.anchor),
            figure_label(node.number),
            inlines_html(node.caption), _source_line(node.source, node.provenance),
            _data_link(node))
    return Markup('<figure class="figure chart" id="{}">\n<img src="{}" alt="{}">\n'
                  '<figcaption><span class="label">{}</span>{}</figcaption>\n{}</figure>\n'
                  ).format(node.anchor, data_uri(svg, "image/svg+xml"), alt_text(node),
                           figure_label(node.number), inlines_html(node.caption),
                           _source_line(node.source, node.provenance))


# ---- inlines ---------------------------------------------------------------

@singledispatch
def inline_html(node) -> Markup:
    raise cannot_render(node, "PDF")


@inline_html.register
def _(node: Text) -> Markup:
    return escape(node.text)


@inline_html.register
def _(node: Strong) -> Markup:
    return Markup("<strong>{}</strong>").format(inlines_html(node.children))


@inline_html.register
def _(node: Emphasis) -> Markup:
    return Markup("<em>{}</em>").format(inlines_html(node.children))


@inline_html.register
def _(node: Code) -> Markup:
    return Markup("<code>{}</code>").format(node.text)


@inline_html.register
def _(node: Link) -> Markup:
    return Markup('<a href="{}">{}</a>').format(node.url, inlines_html(node.children))


@inline_html.register
def _(node: LineBreak) -> Markup:
    return Markup("<br>")


@inline_html.register
def _(node: CrossRef) -> Markup:
    return Markup(labels.CROSSREF_JOIN).join(
        Markup('<a class="xref" href="#{}">{}</a>').format(t.anchor, t.text) for t in node.targets)


@inline_html.register
def _(node: FootnoteRef) -> Markup:
    # The call is a link to the note, which WeasyPrint floats to the foot of the page
    # (float: footnote); its own generated call is switched off in the CSS.
    mark = labels.note_mark(node.number)
    return Markup('<a class="note-call" href="#note-{0}">{1}</a><span class="footnote" '
                  'id="note-{0}" data-mark="{1}">{2}</span>').format(
        node.number, mark, inlines_html(node.content))


@inline_html.register
def _(node: Citation) -> Markup:
    # SIST 02: the citation number as a superscript with a closing parenthesis, 1) or 1,3).
    items = node.items()
    if items is None:
        links = Markup(",").join(_cite_link(n) for n in node.numbers)
        return Markup('<sup class="cite">{})</sup>').format(links)
    # [see @a, p. 12; @b]: each key on its own, its prefix before the number and its
    # locator after it, in full-width parentheses: see 1)（p. 12）、2)
    return Markup(labels.CITATION_JOIN).join(
        Markup('{}<sup class="cite">{})</sup>{}').format(
            prefix, _cite_link(number), f"（{locator}）" if locator else "")
        for prefix, number, locator in items)


def _cite_link(number: int) -> Markup:
    return Markup('<a href="#{}">{}</a>').format(reference_anchor(number), number)
