"""Small WordprocessingML pieces python-docx has no API for: fonts on the East
Asian slot, bookmarks, hyperlinks, fields and list restarts."""

from __future__ import annotations

import re
import zlib
from functools import cache

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import NamespacePrefixedTag
from docx.oxml.ns import qn as _qn
from docx.oxml.parser import oxml_parser
from lxml.etree import SubElement

LANGUAGE = "ja-JP"

# python-docx's qn and OxmlElement parse their "w:p" on every call: a fifth of
# writing a 100-page report. The same names, parsed once; the same elements.
qn = cache(_qn)


@cache
def _element_spec(tag: str) -> tuple[str, dict[str, str]]:
    prefixed = NamespacePrefixedTag(tag)
    return prefixed.clark_name, prefixed.nsmap


def OxmlElement(tag: str):  # noqa: N802 -- python-docx's name, as a drop-in
    """Returns a new element of tag ("w:p"), of python-docx's class for it."""
    clark_name, namespaces = _element_spec(tag)
    return oxml_parser.makeelement(clark_name, nsmap=namespaces)


def set_paragraph_style(p, style_id: str) -> None:
    """Sets a paragraph's style as python-docx's CT_P.style does, without its search
    for where w:pPr and w:pStyle go: both are always first."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = p.makeelement(qn("w:pPr"))
        p.insert(0, ppr)
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        style = ppr.makeelement(qn("w:pStyle"))
        ppr.insert(0, style)
    style.set(qn("w:val"), style_id)


def set_fonts(rpr, font_name: str) -> None:
    """Sets one font on every slot of rPr, East Asian included, and the language.

    python-docx's `font.name` sets only ascii and hAnsi: Word then shows
    Japanese text in the theme's East Asian font. Theme attributes win over
    explicit names, so they are removed.
    """
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font_name)
    set_language(rpr)


def set_language(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


_PLAIN_BOOKMARK = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def bookmark_name(anchor: str) -> str:
    """Returns the Word bookmark for an anchor: as it is when Word can hold it, else
    its letters and digits and a checksum (a label such as sec:cases has a colon)."""
    if _PLAIN_BOOKMARK.fullmatch(anchor):
        return anchor
    plain = re.sub(r"[^A-Za-z0-9_]", "_", anchor)[:28]
    return f"a{plain}_{zlib.crc32(anchor.encode()):08x}"


class Bookmarks:
    """Hands out bookmark ids in document order, so the bytes stay the same."""

    def __init__(self) -> None:
        self.next_id = 0

    def wrap(self, paragraph, name: str) -> None:
        """Puts a bookmark called name around the whole paragraph's content."""
        p = paragraph._p
        start = p.makeelement(qn("w:bookmarkStart"))
        start.set(qn("w:id"), str(self.next_id))
        start.set(qn("w:name"), bookmark_name(name))
        ppr = p.find(qn("w:pPr"))
        p.insert(p.index(ppr) + 1 if ppr is not None else 0, start)
        SubElement(p, qn("w:bookmarkEnd")).set(qn("w:id"), str(self.next_id))
        self.next_id += 1


def add_internal_link(paragraph, anchor: str):
    """Returns a new w:hyperlink to a bookmark, appended to the paragraph."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), bookmark_name(anchor))
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_external_link(paragraph, url: str):
    """Returns a new w:hyperlink to a URL (an external relationship)."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_run(parent, text: str, style_id: str | None = None, vert_align: str | None = None):
    """Returns a w:r with text, appended to a paragraph or hyperlink element."""
    # Made in place (SubElement): the most frequent element, at half the cost.
    run = SubElement(parent, qn("w:r"))
    if style_id or vert_align:
        rpr = SubElement(run, qn("w:rPr"))
        if style_id:
            SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), style_id)
        if vert_align:
            SubElement(rpr, qn("w:vertAlign")).set(qn("w:val"), vert_align)
    t = SubElement(run, qn("w:t"))
    t.text = text
    t.set(qn("xml:space"), "preserve")
    return run


def field_runs(parent, instruction: str, shown: str = "") -> None:
    """Appends a complex field (begin, instruction, separate, result, end)."""
    fld_char(parent, "begin")
    instr_text(parent, instruction)
    fld_char(parent, "separate")
    if shown:
        add_run(parent, shown)
    fld_char(parent, "end")


def fld_char(parent, kind: str) -> None:
    """Appends a w:fldChar run of the given kind: begin, separate or end."""
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    parent.append(run)


def instr_text(parent, instruction: str) -> None:
    """Appends a run holding a field instruction."""
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.append(instr)
    parent.append(run)


def new_numbering(document, style_numbering_id: int, start: int) -> int:
    """Returns the id of a fresh w:num over a style's list that starts at start."""
    numbering = document.part.numbering_part.element
    abstract = numbering.num_having_numId(style_numbering_id).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return num.numId


def set_numbering(paragraph, num_id: int) -> None:
    """Puts paragraph on list num_id, at the first level."""
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = 0
    numpr.get_or_add_numId().val = num_id


def mark_header_row(tr) -> None:
    """Makes a table row (w:tr) repeat at the top of every page the table runs onto."""
    trpr = tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def update_fields_on_open(document) -> None:
    """Asks Word to refresh fields (the table of contents) when it opens the file."""
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def set_alt_text(shape, text: str) -> None:
    """Sets a picture's alternative text (wp:docPr/@descr), which Word shows and reads."""
    shape._inline.docPr.set("descr", text)
