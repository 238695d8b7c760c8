"""Document → an editable .docx (python-docx), from the same tree as the PDF.

This module assembles the package (front matter, header and footer,
properties, a deterministic zip); blocks.py converts the nodes, styles.py
and xml.py hold the styles and the raw OOXML python-docx lacks. Real styles
throughout (Title, Heading 1–3, List Bullet, Caption, …), so
that Word's navigation pane, style gallery and table of contents work; a
`templates/reference.docx`, when present, supplies the house styles.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from docx.shared import Mm

from ...tree import Chart, Document, Heading, plain_text
from .. import TEMPLATES, labels
from ..chart import draw_chart
from ..sist02 import format_sist02
from .blocks import Writer, write_block, write_inlines
from .styles import set_up_page, set_up_styles
from .xml import add_internal_link, add_run, field_runs, fld_char, instr_text, update_fields_on_open

REFERENCE_DOC = TEMPLATES / "reference.docx"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time leaks


@dataclass(frozen=True)
class DocxOptions:
    reference_doc: Path | None = REFERENCE_DOC  # the house styles, when the file exists
    draw_chart: Callable[[Chart, str], bytes] = draw_chart  # the ship stage caches drawings


def render_docx(doc: Document, options: DocxOptions) -> bytes:
    """Returns the .docx bytes of the briefing."""
    reference = options.reference_doc if options.reference_doc and options.reference_doc.is_file() \
        else None
    document = docx.Document(str(reference) if reference else None)
    _clear_body(document)
    set_up_page(document)
    set_up_styles(document, restyle=reference is None)
    writer = Writer(document, doc, options.draw_chart)
    _cover(writer)
    _summary(writer)
    _toc(writer)
    for section in doc.sections:
        for block in section.blocks:
            write_block(block, writer)
    _references(writer)
    writer.sources.attach(document, doc.inputs)
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

def _cover(writer: Writer) -> None:
    meta = writer.source.meta
    if meta.marking:
        writer.paragraph("Marking", meta.marking)
    writer.paragraph("Title", meta.title)
    if meta.subtitle:
        writer.paragraph("Subtitle", meta.subtitle)
    writer.paragraph("Cover Meta").paragraph_format.space_before = Mm(70)
    for label, value in labels.cover_rows(meta):
        writer.paragraph("Cover Meta", f"{label}\t{value}")
    writer.document.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)


def _summary(writer: Writer) -> None:
    if not writer.source.meta.summary:
        return
    writer.paragraph("Front Heading", labels.SUMMARY)
    for point in writer.source.meta.summary:
        writer.paragraph("List Bullet", point)


def _toc(writer: Writer) -> None:
    """A TOC field, pre-filled with the headings so it reads right before Word updates it."""
    writer.paragraph("Front Heading", labels.CONTENTS).paragraph_format.space_before = Mm(8)
    entries = [(h.level, _heading_text(h), h.anchor)
               for h in writer.source.headings(labels.TOC_DEPTH)]
    if writer.source.references:
        entries.append((1, labels.REFERENCES, labels.REFERENCES_ANCHOR))
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


def _references(writer: Writer) -> None:
    if not writer.source.references:
        return
    heading = writer.paragraph("Heading 1", labels.REFERENCES)
    writer.bookmarks.wrap(heading, labels.REFERENCES_ANCHOR)
    for entry in writer.source.references:
        paragraph = writer.paragraph("Bibliography", f"{entry.number})\t")
        write_inlines(format_sist02(entry.source), paragraph, writer)
        writer.marked(paragraph, entry.pos)
        writer.bookmarks.wrap(paragraph, entry.anchor)


def _header_footer(writer: Writer) -> None:
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
