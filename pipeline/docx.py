"""Document → an editable .docx (python-docx), from the same tree as the PDF.

Real styles throughout (Title, Heading 1–3, List Bullet, Caption, …), so
that Word's navigation pane, style gallery and table of contents work; a
`templates/reference.docx`, when present, supplies the house styles.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from functools import singledispatch
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm

from .diagnostics import PipelineError, error
from .docx_styles import set_up_page, set_up_styles
from .docx_xml import (Bookmarks, add_external_link, add_internal_link, add_run, field_runs,
                       fld_char, instr_text, mark_header_row, new_numbering, set_numbering,
                       update_fields_on_open)
from .japanese import PAGE, wareki
from .tree import (BulletList, Citation, Code, CodeBlock, Document, Emphasis, Figure, Heading,
                   LineBreak, Link, OrderedList, Paragraph, Quote, Strong, Table, Text,
                   ThematicBreak, plain_text)

TOC_DEPTH = 2
FIGURE_WIDTH = Mm(PAGE.width - PAGE.left - PAGE.right - 20)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time leaks


@dataclass(frozen=True)
class DocxOptions:
    reference_doc: Path | None = None


class _Writer:
    """Holds the python-docx document and the counters a single pass needs."""

    def __init__(self, document, source: Document):
        self.document, self.source = document, source
        self.bookmarks = Bookmarks()
        self.list_depth = 0
        # python-docx looks a style up by name, and checks whether it is the
        # default, by scanning every style on every assignment: 60 % of a
        # 300-page report's time. The ids are read once and set directly.
        self.style_ids = {style.name: style.style_id for style in document.styles}
        # document.add_table measures the page on every call, by searching the
        # whole body for its section properties; one section, one width.
        self.block_width = document._block_width

    def paragraph(self, style: str, text: str = ""):
        paragraph = self.document.add_paragraph(text)
        self.set_style(paragraph, style)
        return paragraph

    def set_style(self, paragraph, style: str) -> None:
        paragraph._p.style = self.style_ids[style]

    def run(self, paragraph, text: str, style: str = "") -> None:
        # The w:r is made directly: python-docx's run.text clears and parses the
        # text (for tabs and breaks, which the tree's text no longer holds).
        add_run(paragraph._p, text, self.style_ids[style] if style else None)

    def table(self, rows: int, columns: int, style: str):
        table = self.document._body.add_table(rows, columns, self.block_width)
        table._tbl.tblPr.style = self.style_ids[style]
        return table


def render_docx(doc: Document, options: DocxOptions) -> bytes:
    """Returns the .docx bytes of the briefing."""
    reference = options.reference_doc if options.reference_doc and options.reference_doc.is_file() \
        else None
    document = docx.Document(str(reference) if reference else None)
    _clear_body(document)
    set_up_page(document)
    set_up_styles(document, restyle=reference is None)
    writer = _Writer(document, doc)
    _cover(writer)
    _summary(writer)
    _toc(writer)
    for section in doc.sections:
        for block in section.blocks:
            write_block(block, writer)
    _references(writer)
    _header_footer(writer)
    _properties(document, doc)
    update_fields_on_open(document)
    return _deterministic_zip(document)


def _clear_body(document) -> None:
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)


# ---- front matter ----------------------------------------------------------

def _cover(writer: _Writer) -> None:
    meta = writer.source.meta
    if meta.marking:
        writer.paragraph("Marking", meta.marking)
    writer.paragraph("Title", meta.title)
    if meta.subtitle:
        writer.paragraph("Subtitle", meta.subtitle)
    writer.paragraph("Cover Meta").paragraph_format.space_before = Mm(70)
    author = meta.organisation + (f"　{meta.author}" if meta.author else "")
    for label, value in (("日付", wareki(meta.date)), ("作成", author), ("版", f"第{meta.version}版")):
        writer.paragraph("Cover Meta", f"{label}\t{value}")
    writer.document.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)


def _summary(writer: _Writer) -> None:
    if not writer.source.meta.summary:
        return
    writer.paragraph("Front Heading", "要旨")
    for point in writer.source.meta.summary:
        writer.paragraph("List Bullet", point)


def _toc(writer: _Writer) -> None:
    """A TOC field, pre-filled with the headings so it reads right before Word updates it."""
    writer.paragraph("Front Heading", "目次").paragraph_format.space_before = Mm(8)
    entries = [(h.level, _heading_text(h), h.anchor) for h in writer.source.headings(TOC_DEPTH)]
    if writer.source.references:
        entries.append((1, "参考文献", "references"))
    for index, (level, text, anchor) in enumerate(entries):
        paragraph = writer.paragraph(f"TOC {level}")
        if index == 0:
            fld_char(paragraph._p, "begin")
            instr_text(paragraph._p, 'TOC \\o "1-3" \\h \\z \\u')
            fld_char(paragraph._p, "separate")
        add_run(add_internal_link(paragraph, anchor), text)
        if index == len(entries) - 1:
            fld_char(paragraph._p, "end")
    writer.document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def _heading_text(heading: Heading) -> str:
    return heading.number_prefix + plain_text(heading.content)


def _references(writer: _Writer) -> None:
    if not writer.source.references:
        return
    heading = writer.paragraph("Heading 1", "参考文献")
    writer.bookmarks.wrap(heading, "references")
    for entry in writer.source.references:
        paragraph = writer.paragraph("Bibliography", f"{entry.number})\t")
        write_inlines(entry.content, paragraph, writer)
        writer.bookmarks.wrap(paragraph, entry.anchor)


def _header_footer(writer: _Writer) -> None:
    section = writer.document.sections[0]
    meta = writer.source.meta
    header = section.header.paragraphs[0]
    header.style = writer.document.styles["Header"]
    header.text = f"{meta.title}\t{meta.marking}" if meta.marking else meta.title
    footer = section.footer.paragraphs[0]
    footer.style = writer.document.styles["Footer"]
    add_run(footer._p, "- ")
    field_runs(footer._p, "PAGE", "1")
    add_run(footer._p, " -")
    section.first_page_header.is_linked_to_previous = False
    section.first_page_footer.is_linked_to_previous = False


def _properties(document, doc: Document) -> None:
    meta, props = doc.meta, document.core_properties
    moment = datetime.datetime.combine(meta.date, datetime.time())
    props.title, props.subject = meta.title, meta.subtitle
    props.author = props.last_modified_by = meta.organisation
    props.keywords = ", ".join(meta.keywords)
    props.comments, props.category = "", ""
    props.language = "ja-JP"
    props.created = props.modified = moment
    props.last_printed = moment
    props.revision = 1
    props.version = meta.version


def _deterministic_zip(document) -> bytes:
    """Returns the saved document, re-zipped with a fixed time on every entry."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/app.xml":  # python-docx's template names a Mac Word
                data = re.sub(rb"<Application>.*?</Application>",
                              b"<Application>pipeline</Application>", data)
            target.writestr(entry, data)
    return out.getvalue()


# ---- blocks ----------------------------------------------------------------

@singledispatch
def write_block(node, writer: _Writer) -> None:
    pos = getattr(node, "pos", None)
    raise PipelineError([error(pos.path if pos else "?", pos.line if pos else None,
                               f"the Word writer cannot render {type(node).__name__}",
                               code="writer")])


@write_block.register
def _(node: Heading, writer: _Writer) -> None:
    paragraph = writer.paragraph(f"Heading {min(node.level, 4)}")
    if node.number:
        paragraph.add_run(node.number_prefix)
    write_inlines(node.content, paragraph, writer)
    writer.bookmarks.wrap(paragraph, node.anchor)


@write_block.register
def _(node: Paragraph, writer: _Writer) -> None:
    write_inlines(node.content, writer.paragraph("Body Text"), writer)


@write_block.register
def _(node: BulletList, writer: _Writer) -> None:
    style = "List Bullet" if writer.list_depth == 0 else "List Bullet 2"
    _list_items(node.items, writer, lambda: writer.paragraph(style))


@write_block.register
def _(node: OrderedList, writer: _Writer) -> None:
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


def _list_items(items, writer: _Writer, item_paragraph) -> None:
    for item in items:
        blocks = list(item.blocks)
        if blocks and isinstance(blocks[0], Paragraph):
            write_inlines(blocks.pop(0).content, item_paragraph(), writer)
        writer.list_depth += 1
        for block in blocks:
            if isinstance(block, Paragraph):
                write_inlines(block.content, writer.paragraph("List Continue"), writer)
            else:
                write_block(block, writer)
        writer.list_depth -= 1


@write_block.register
def _(node: Quote, writer: _Writer) -> None:
    for block in node.blocks:
        if isinstance(block, Paragraph):
            write_inlines(block.content, writer.paragraph("Quote"), writer)
        else:
            write_block(block, writer)


@write_block.register
def _(node: CodeBlock, writer: _Writer) -> None:
    for line in node.text.split("\n"):
        writer.paragraph("Source Code", line)


@write_block.register
def _(node: ThematicBreak, writer: _Writer) -> None:
    writer.paragraph("Body Text", "＊　＊　＊").alignment = WD_ALIGN_PARAGRAPH.CENTER


@write_block.register
def _(node: Table, writer: _Writer) -> None:
    if node.number is not None:
        caption = writer.paragraph("Caption", f"表{node.number}\u3000")
        caption.paragraph_format.keep_with_next = True
        write_inlines(node.caption, caption, writer)
        writer.bookmarks.wrap(caption, node.anchor)
    rows = node.header + node.body
    columns = max((len(r) for r in rows), default=0)
    table = writer.table(len(rows), columns, "Table Grid")
    # Row by row: table.cell(r, c) rebuilds the whole grid on every call.
    for r, (row, table_row) in enumerate(zip(rows, table.rows)):
        style = "Table Heading" if r < len(node.header) else "Table Text"
        for c, (cell, table_cell) in enumerate(zip(row, table_row.cells)):
            paragraph = table_cell.paragraphs[0]
            writer.set_style(paragraph, style)
            paragraph.alignment = _ALIGN.get(node.aligns[c] if c < len(node.aligns) else "")
            write_inlines(cell, paragraph, writer)
    for row in table.rows[:len(node.header)]:
        mark_header_row(row)
    writer.paragraph("Normal")  # keeps two tables apart, and the text off the table's edge


_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT,
          "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT}


@write_block.register
def _(node: Figure, writer: _Writer) -> None:
    picture = writer.paragraph("Figure")
    run = picture.add_run()
    shape = run.add_picture(io.BytesIO(node.data))
    if shape.width > FIGURE_WIDTH:
        ratio = FIGURE_WIDTH / shape.width
        shape.width, shape.height = FIGURE_WIDTH, int(shape.height * ratio)
    caption = writer.paragraph("Caption", f"図{node.number}\u3000")
    write_inlines(node.caption, caption, writer)
    writer.bookmarks.wrap(caption, node.anchor)


# ---- inlines ---------------------------------------------------------------

def write_inlines(nodes, paragraph, writer: _Writer, bold: bool = False,
                  italic: bool = False) -> None:
    for node in nodes:
        write_inline(node, paragraph, writer, bold, italic)


@singledispatch
def write_inline(node, paragraph, writer, bold, italic) -> None:
    raise PipelineError([error("?", None, f"the Word writer cannot render {type(node).__name__}",
                               code="writer")])


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
    for index, number in enumerate(node.numbers):
        if index:
            add_run(paragraph._p, ",", style_id)
        add_run(add_internal_link(paragraph, f"ref-{number}"), str(number), style_id)
    add_run(paragraph._p, ")", style_id)


def _style_id(writer: _Writer, name: str) -> str:
    return writer.style_ids[name]
