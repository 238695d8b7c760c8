"""Footnotes and cross-references in Word, which python-docx has no API for.

Footnotes are real Word footnotes: a footnotes.xml part related to the
document, with the separator and continuation-separator notes Word expects
(named in settings.xml), a w:footnoteReference in the text and the Footnote
Text and Footnote Reference styles. Word numbers them itself, in document
order as resolve does; the word 注 before each number makes the mark the
PDF's, 注1. (A custom mark, w:customMarkFollows, would fix the text, but
LibreOffice prints it beside its own number.)

A cross-reference is a REF field to a hidden bookmark around the number of
its target's caption or heading, pre-filled with that number: the text is
right before fields are updated, and stays right after.
"""

from __future__ import annotations

import re
import zlib

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph

from .xml import OxmlElement, add_run, field_runs, qn

_FOOTNOTES = f"""<w:footnotes {nsdecls("w", "r")}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240"
 w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"
 w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""
_BOOKMARK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


class Footnotes:
    """The document's footnotes part, made when the first note is written."""

    def __init__(self, document):
        self.document = document
        self.part = None

    def add(self, number: int, word: str, style_ids: dict) -> Paragraph:
        """Returns the paragraph of a new footnote, its mark (注1) already written."""
        if self.part is None:
            self.part = self._make_part()
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(number))
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        style = OxmlElement("w:pStyle")
        style.set(qn("w:val"), style_ids["Footnote Text"])
        ppr.append(style)
        p.append(ppr)
        note.append(p)
        self.part.element.append(note)
        paragraph = Paragraph(p, self)
        add_run(p, word, style_ids["Footnote Reference"])
        p.append(_styled_run(style_ids["Footnote Reference"], OxmlElement("w:footnoteRef")))
        add_run(p, "\u3000")
        return paragraph

    def _make_part(self) -> XmlPart:
        package = self.document.part.package
        part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES,
                       parse_xml(_FOOTNOTES), package)
        self.document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
        settings = self.document.settings.element
        properties = OxmlElement("w:footnotePr")
        for special in ("-1", "0"):
            ref = OxmlElement("w:footnote")
            ref.set(qn("w:id"), special)
            properties.append(ref)
        # w:footnotePr comes early in w:settings (after the zoom and protection settings).
        anchor = settings.find(qn("w:defaultTabStop"))
        if anchor is not None:
            anchor.addnext(properties)
        else:
            settings.insert(0, properties)
        return part


def add_footnote_reference(paragraph, number: int, word: str, style_id: str) -> None:
    """Appends the call: the word (注) and a footnote reference, which Word numbers."""
    add_run(paragraph._p, word, style_id)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(number))
    paragraph._p.append(_styled_run(style_id, reference))


def _styled_run(style_id: str, content) -> OxmlElement:
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), style_id)
    rpr.append(style)
    run.append(rpr)
    run.append(content)
    return run


def number_bookmark(anchor: str) -> str:
    """Returns the hidden bookmark around a target's number, which REF fields show.

    Word's bookmark names are a letter and then letters, digits and '_', at
    most 40; a leading '_' hides them from its bookmark list, as Word's own
    cross-reference bookmarks are.
    """
    name = "_Ref_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor)
    if len(name) > 40 or not _BOOKMARK_NAME.fullmatch(name[1:]):
        name = f"_Ref_{zlib.crc32(anchor.encode()):08x}"
    return name


def add_ref_field(paragraph, bookmark: str, shown: str) -> None:
    """Appends a REF field to bookmark, showing `shown` until Word updates it (to the same)."""
    field_runs(paragraph._p, f"REF {bookmark} \\h", shown)


def bookmark_runs(paragraph, bookmarks, name: str, text: str) -> None:
    """Appends text as a run inside a bookmark called name."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    for element in (start, end):
        element.set(qn("w:id"), str(bookmarks.next_id))
    start.set(qn("w:name"), name)
    bookmarks.next_id += 1
    paragraph._p.append(start)
    add_run(paragraph._p, text)
    paragraph._p.append(end)
