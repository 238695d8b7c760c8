"""Document nodes → Word paragraphs, runs and tables: one function per node kind.

`Writer` holds what accumulates during the one pass (bookmarks, the list
depth) beside the python-docx document, as Pandoc's WriterState does.
"""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.shape import InlineShape
from docx.shared import Mm
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from functools import singledispatch

from ...resolve import figure_label, reference_anchor, table_label
from ...tree import (BulletList, Chart, Citation, Code, CodeBlock, CrossRef, Document, Emphasis,
                     Figure, FootnoteRef, Heading, LineBreak, Link, OrderedList, Paragraph, Pos,
                     Quote, Strong, Table, Text, ThematicBreak, plain_text, walk)
from .. import cannot_render
from ..chart import WIDTH_MM, alt_text
from ..labels import (CITATION_JOIN, CROSSREF_JOIN, NOTE_WORD, SOURCE, SOURCE_JOIN,
                      provenance_text)
from .sources import SourceMarks
from .notes import (Footnotes, add_footnote_reference, add_ref_field, bookmark_runs,
                    number_bookmark)
from ..page import PAGE
from .xml import (Bookmarks, OxmlElement, add_external_link, add_internal_link, add_run,
                  mark_header_row, new_numbering, qn, set_alt_text, set_numbering,
                  set_paragraph_style)

FIGURE_WIDTH = Mm(PAGE.width - PAGE.left - PAGE.right - 20)
CHART_WIDTH = Mm(WIDTH_MM)


class Writer:
    """Holds the python-docx document and the counters a single pass needs."""

    def __init__(self, document, source: Document, draw_chart):
        self.document, self.source, self.draw_chart = document, source, draw_chart
        self.footnotes = Footnotes(document)
        # Targets of cross-references get a bookmark around their number.
        self.referenced = {target.anchor for section in source.sections
                           for node in walk(section.blocks) if isinstance(node, CrossRef)
                           for target in node.targets}
        self.bookmarks = Bookmarks()
        self.sources = SourceMarks(self.bookmarks)
        self.list_depth = 0
        # python-docx looks a style up by name, and checks whether it is the
        # default, by scanning every style on every assignment: 60 % of a
        # 300-page report's time. The ids are read once and set directly.
        self.style_ids = {style.name: style.style_id for style in document.styles}
        # document.add_table measures the page on every call, by searching the
        # whole body for its section properties; one section, one width.
        self.block_width = document._block_width
        # python-docx puts each new paragraph and table before the body's
        # w:sectPr, which it finds by scanning the body: quadratic. Found once.
        self.body = document._body
        self.section_properties = document.element.body.find(qn("w:sectPr"))
        # python-docx numbers each picture by searching the whole document for the
        # largest id; the body is empty here, and only pictures take such ids.
        self.next_shape_id = document.part.next_id

    def paragraph(self, style: str, text: str = ""):
        """Returns a new paragraph in style at the end of the body (with text in a run)."""
        paragraph = WordParagraph(self._append(OxmlElement("w:p")), self.body)
        if text:
            paragraph.add_run(text)
        self.set_style(paragraph, style)
        return paragraph

    def _append(self, block):
        if self.section_properties is not None:
            self.section_properties.addprevious(block)
        else:
            self.document.element.body.append(block)
        return block

    def text_paragraph(self, style: str, node: Paragraph, paragraph=None):
        """Writes a paragraph node in style (or into paragraph), marked for `review`."""
        paragraph = paragraph if paragraph is not None else self.paragraph(style)
        write_inlines(node.content, paragraph, self)
        return self.marked(paragraph, node.pos)

    def marked(self, paragraph, pos: Pos | None, line_offset: int = 0):
        """Returns paragraph, marked as written from pos (for `review`)."""
        if pos is not None:
            self.sources.mark(paragraph, pos.path, pos.line + line_offset)
        return paragraph

    def set_style(self, paragraph, style: str) -> None:
        set_paragraph_style(paragraph._p, self.style_ids[style])

    def run(self, paragraph, text: str, style: str = "") -> None:
        # The w:r is made directly: python-docx's run.text clears and parses the
        # text (for tabs and breaks, which the tree's text no longer holds).
        add_run(paragraph._p, text, self.style_ids[style] if style else None)

    def picture(self, paragraph, image: bytes, width=None):
        """Returns a new run's picture of image, as python-docx's Run.add_picture."""
        r_id, found = self.document.part.get_or_add_image(io.BytesIO(image))
        cx, cy = found.scaled_dimensions(width, None)
        inline = CT_Inline.new_pic_inline(self.next_shape_id, r_id, found.filename, cx, cy)
        self.next_shape_id += 1
        paragraph.add_run()._r.add_drawing(inline)
        return InlineShape(inline)

    def table(self, rows: int, columns: int, style: str):
        table = WordTable(self._append(CT_Tbl.new_tbl(rows, columns, self.block_width)),
                          self.body)
        table._tbl.tblPr.style = self.style_ids[style]
        return table


@singledispatch
def write_block(node, writer: Writer) -> None:
    raise cannot_render(node, "Word")


@write_block.register
def _(node: Heading, writer: Writer) -> None:
    paragraph = writer.paragraph(f"Heading {min(node.level, 4)}")
    if node.number and node.anchor in writer.referenced:
        bookmark_runs(paragraph, writer.bookmarks, number_bookmark(node.anchor), node.label)
        paragraph.add_run("\u3000")
    elif node.number:
        paragraph.add_run(node.number_prefix)
    write_inlines(node.content, paragraph, writer)
    writer.bookmarks.wrap(paragraph, node.anchor)
    writer.marked(paragraph, node.pos)


@write_block.register
def _(node: Paragraph, writer: Writer) -> None:
    writer.text_paragraph("Body Text", node)


@write_block.register
def _(node: BulletList, writer: Writer) -> None:
    style = "List Bullet" if writer.list_depth == 0 else "List Bullet 2"
    _list_items(node.items, writer, lambda: writer.paragraph(style))


@write_block.register
def _(node: OrderedList, writer: Writer) -> None:
    # Each list gets its own w:num, so it starts afresh at its own start number.
    ppr = writer.document.styles["List Number"].element.pPr
    style_num = ppr.numPr.numId.val if ppr is not None and ppr.numPr is not None else None
    num_id = new_numbering(writer.document, style_num, node.start) if style_num else None

    def item_paragraph():
        paragraph = writer.paragraph("List Number")
        if num_id is not None:
            set_numbering(paragraph, num_id)
        return paragraph

    _list_items(node.items, writer, item_paragraph)


def _list_items(items, writer: Writer, item_paragraph) -> None:
    for item in items:
        blocks = list(item.blocks)
        if blocks and isinstance(blocks[0], Paragraph):
            writer.text_paragraph("", blocks.pop(0), item_paragraph())
        writer.list_depth += 1
        for block in blocks:
            if isinstance(block, Paragraph):
                writer.text_paragraph("List Continue", block)
            else:
                write_block(block, writer)
        writer.list_depth -= 1


@write_block.register
def _(node: Quote, writer: Writer) -> None:
    for block in node.blocks:
        if isinstance(block, Paragraph):
            writer.text_paragraph("Quote", block)
        else:
            write_block(block, writer)


@write_block.register
def _(node: CodeBlock, writer: Writer) -> None:
    for line in node.text.split("\n"):
        writer.paragraph("Source Code", line)


@write_block.register
def _(node: ThematicBreak, writer: Writer) -> None:
    writer.paragraph("Body Text", "＊　＊　＊").alignment = WD_ALIGN_PARAGRAPH.CENTER


@write_block.register
def _(node: Table, writer: Writer) -> None:
    if node.number is not None:
        caption = _caption(writer, table_label(node.number), node.anchor)
        caption.paragraph_format.keep_with_next = True
        write_inlines(node.caption, caption, writer)
        writer.bookmarks.wrap(caption, node.anchor)
        writer.marked(caption, node.caption_pos or node.pos)
    rows = node.header + node.body
    columns = max((len(r) for r in rows), default=0)
    table = writer.table(len(rows), columns, "Table Grid")
    # Straight down the XML: python-docx's rows and cells rebuild the grid on each call.
    for r, (row, tr) in enumerate(zip(rows, table._tbl.tr_lst)):
        style = "Table Heading" if r < len(node.header) else "Table Text"
        for c, (cell, tc) in enumerate(zip(row, tr.tc_lst)):
            paragraph = WordParagraph(tc.p_lst[0], table)
            writer.set_style(paragraph, style)
            _align(paragraph, node.aligns[c] if c < len(node.aligns) else "")
            write_inlines(cell, paragraph, writer)
            # A row of a Markdown table is a line; the delimiter row follows the header.
            writer.marked(paragraph, node.pos, r + (r >= len(node.header)))
    for tr in table._tbl.tr_lst[:len(node.header)]:
        mark_header_row(tr)
    for note in node.notes:  # a data table's notes, as its file writes them
        writer.paragraph("Source", note)
    if node.source or node.provenance is not None:
        _source_line(node.source, node.provenance, writer)
    else:
        writer.paragraph("Normal")  # keeps two tables apart, and the text off the table's edge


def _caption(writer: Writer, number: str, anchor: str):
    """Returns a caption paragraph begun with its number (図1); a cross-reference's
    target has its number in a bookmark, which the REF fields show."""
    if anchor not in writer.referenced:
        return writer.paragraph("Caption", f"{number}\u3000")
    caption = writer.paragraph("Caption")
    bookmark_runs(caption, writer.bookmarks, number_bookmark(anchor), number)
    writer.run(caption, "\u3000")
    return caption


def _source_line(source, provenance, writer: Writer) -> None:
    """The 出典 line under a chart or a data table: its data's publisher, then the
    sources it cites, as the PDF sets them."""
    provenance = provenance_text(provenance)
    paragraph = writer.paragraph("Source", SOURCE + provenance)
    if provenance and source:
        writer.run(paragraph, SOURCE_JOIN)
    write_inlines(source, paragraph, writer)


def _align(paragraph, align: str) -> None:
    """Aligns a table cell's paragraph, whose w:pPr holds only its style: w:jc follows."""
    if align in ("left", "center", "right"):
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), align)
        paragraph._p.find(qn("w:pPr")).append(jc)


@write_block.register
def _(node: Figure, writer: Writer) -> None:
    shape = writer.picture(writer.paragraph("Figure"), node.data)
    if shape.width > FIGURE_WIDTH:
        ratio = FIGURE_WIDTH / shape.width
        shape.width, shape.height = FIGURE_WIDTH, int(shape.height * ratio)
    caption = _caption(writer, figure_label(node.number), node.anchor)
    write_inlines(node.caption, caption, writer)
    writer.bookmarks.wrap(caption, node.anchor)


@write_block.register
def _(node: Chart, writer: Writer) -> None:
    # A PNG at 220 dpi of its printed size: Word cannot be assumed to read SVG.
    shape = writer.picture(writer.paragraph("Figure"), writer.draw_chart(node, "png"),
                           width=CHART_WIDTH)
    set_alt_text(shape, alt_text(node))
    caption = _caption(writer, figure_label(node.number), node.anchor)
    caption.paragraph_format.keep_with_next = True
    write_inlines(node.caption, caption, writer)
    writer.bookmarks.wrap(caption, node.anchor)
    _source_line(node.source, node.provenance, writer)


# ---- inlines ---------------------------------------------------------------

def write_inlines(nodes, paragraph, writer: Writer, bold: bool = False,
                  italic: bool = False) -> None:
    for node in nodes:
        write_inline(node, paragraph, writer, bold, italic)


@singledispatch
def write_inline(node, paragraph, writer, bold, italic) -> None:
    raise cannot_render(node, "Word")


@write_inline.register
def _(node: Text, paragraph, writer, bold, italic) -> None:
    # Markdown's **strong** and *emphasis* are the Strong and Emphasis styles.
    writer.run(paragraph, node.text, "Strong" if bold else "Emphasis" if italic else "")


@write_inline.register
def _(node: Strong, paragraph, writer, bold, italic) -> None:
    write_inlines(node.children, paragraph, writer, True, italic)


@write_inline.register
def _(node: Emphasis, paragraph, writer, bold, italic) -> None:
    write_inlines(node.children, paragraph, writer, bold, True)


@write_inline.register
def _(node: Code, paragraph, writer, bold, italic) -> None:
    writer.run(paragraph, node.text, "Verbatim Char")


@write_inline.register
def _(node: LineBreak, paragraph, writer, bold, italic) -> None:
    paragraph.add_run().add_break()


@write_inline.register
def _(node: Link, paragraph, writer, bold, italic) -> None:
    link = add_external_link(paragraph, node.url)
    add_run(link, plain_text(node.children) or node.url, _style_id(writer, "Hyperlink"))


@write_inline.register
def _(node: Citation, paragraph, writer, bold, italic) -> None:
    # SIST 02: superscript 1) or 1,3); each number jumps to its entry.
    style_id = _style_id(writer, "Citation")
    items = node.items()
    if items is None:
        for index, number in enumerate(node.numbers):
            if index:
                add_run(paragraph._p, ",", style_id)
            add_run(add_internal_link(paragraph, reference_anchor(number)), str(number), style_id)
        add_run(paragraph._p, ")", style_id)
        return
    for index, (prefix, number, locator) in enumerate(items):  # as the PDF: see 1)（p. 12）
        if index:
            writer.run(paragraph, CITATION_JOIN)
        if prefix:
            writer.run(paragraph, prefix)
        add_run(add_internal_link(paragraph, reference_anchor(number)), str(number), style_id)
        add_run(paragraph._p, ")", style_id)
        if locator:
            writer.run(paragraph, f"（{locator}）")


@write_inline.register
def _(node: CrossRef, paragraph, writer, bold, italic) -> None:
    for index, target in enumerate(node.targets):
        if index:
            writer.run(paragraph, CROSSREF_JOIN)
        add_ref_field(paragraph, number_bookmark(target.anchor), target.text)


@write_inline.register
def _(node: FootnoteRef, paragraph, writer, bold, italic) -> None:
    add_footnote_reference(paragraph, node.number, NOTE_WORD,
                           _style_id(writer, "Footnote Reference"))
    note = writer.footnotes.add(node.number, NOTE_WORD, writer.style_ids)
    write_inlines(node.content, note, writer)


def _style_id(writer: Writer, name: str) -> str:
    return writer.style_ids[name]
