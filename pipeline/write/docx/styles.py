"""The Word file's page and styles: A4, BIZ UD fonts on every slot, real named styles."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..page import BODY_FONT, COLOURS, HEADING_FONT, PAGE
from .xml import set_fonts, set_language

# The palette the CSS templates use too (write/page.py).
NAVY, TEXT, LINK, MARKING = (RGBColor.from_string(colour.upper()) for colour in (
    COLOURS.navy, COLOURS.text, COLOURS.link, COLOURS.marking))

# name → (kind, based on, font, size pt, bold)
STYLES = {
    "Normal": ("paragraph", None, BODY_FONT, PAGE.body_size_pt, False),
    "Body Text": ("paragraph", "Normal", BODY_FONT, None, False),
    "Title": ("paragraph", "Normal", HEADING_FONT, 22, True),
    "Subtitle": ("paragraph", "Normal", HEADING_FONT, 13, False),
    "Cover Meta": ("paragraph", "Normal", HEADING_FONT, 11, False),
    "Marking": ("paragraph", "Normal", HEADING_FONT, 12, True),
    "Front Heading": ("paragraph", "Normal", HEADING_FONT, 13, True),
    "Heading 1": ("paragraph", "Normal", HEADING_FONT, 14, True),
    "Heading 2": ("paragraph", "Normal", HEADING_FONT, 12, True),
    "Heading 3": ("paragraph", "Normal", HEADING_FONT, PAGE.body_size_pt, True),
    "Heading 4": ("paragraph", "Normal", HEADING_FONT, PAGE.body_size_pt, False),
    "TOC 1": ("paragraph", "Normal", HEADING_FONT, PAGE.body_size_pt, True),
    "TOC 2": ("paragraph", "Normal", HEADING_FONT, 10, False),
    "TOC 3": ("paragraph", "Normal", HEADING_FONT, 10, False),
    "Caption": ("paragraph", "Normal", HEADING_FONT, 9.5, True),
    "Figure": ("paragraph", "Normal", BODY_FONT, None, False),
    "Source": ("paragraph", "Normal", HEADING_FONT, 8.5, False),
    "Footnote Text": ("paragraph", "Normal", BODY_FONT, 8.5, False),
    "Footnote Reference": ("character", None, HEADING_FONT, None, False),
    "List Bullet": ("paragraph", "Normal", BODY_FONT, None, False),
    "List Bullet 2": ("paragraph", "Normal", BODY_FONT, None, False),
    "List Number": ("paragraph", "Normal", BODY_FONT, None, False),
    "List Continue": ("paragraph", "Normal", BODY_FONT, None, False),
    "Quote": ("paragraph", "Normal", BODY_FONT, None, False),
    "Source Code": ("paragraph", "Normal", HEADING_FONT, 9, False),
    "Table Text": ("paragraph", "Normal", BODY_FONT, 9.5, False),
    "Table Heading": ("paragraph", "Table Text", HEADING_FONT, 9.5, True),
    "Bibliography": ("paragraph", "Normal", BODY_FONT, 9.5, False),
    "Header": ("paragraph", "Normal", HEADING_FONT, 8, False),
    "Footer": ("paragraph", "Normal", HEADING_FONT, 9, False),
    "Hyperlink": ("character", None, None, None, False),
    "Citation": ("character", None, None, None, False),
    "Verbatim Char": ("character", None, HEADING_FONT, None, False),
}


def set_up_page(document) -> None:
    """Makes every section A4 with the PDF's margins, and a different first page."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE.width), Mm(PAGE.height)
        section.top_margin, section.bottom_margin = Mm(PAGE.top), Mm(PAGE.bottom)
        section.left_margin, section.right_margin = Mm(PAGE.left), Mm(PAGE.right)
        section.header_distance, section.footer_distance = Mm(12), Mm(10)
        section.different_first_page_header_footer = True


def set_up_styles(document, restyle: bool) -> None:
    """Makes sure every style the writer uses exists; with restyle, gives them the house look.

    Without restyle (a reference.docx was given) its styles are kept as they are,
    as Pandoc does with --reference-doc; only missing ones are added.
    """
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if restyle and defaults is not None:
        set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_FONT.word_name)
    # By name, once: python-docx finds a style by walking all of them each time.
    by_name = {style.name: style for style in styles}
    for name, (kind, based_on, font, size, bold) in STYLES.items():
        style, created = _get_or_add(styles, by_name, name, kind, based_on)
        if restyle or created:
            _look(style, font, size, bold)
        set_language(style.element.get_or_add_rPr())
    if restyle:
        _paragraph_looks(styles)


def _get_or_add(styles, by_name: dict, name: str, kind: str, based_on: str | None):
    if name in by_name:
        return by_name[name], False
    style_type = WD_STYLE_TYPE.CHARACTER if kind == "character" else WD_STYLE_TYPE.PARAGRAPH
    style = by_name[name] = styles.add_style(name, style_type)
    if based_on:
        style.base_style = by_name[based_on]
    style.quick_style = True
    return style, True


def _look(style, font, size, bold) -> None:
    if font is not None:
        set_fonts(style.element.get_or_add_rPr(), font.word_name)
    if size:
        style.font.size = Pt(size)
    if bold:
        style.font.bold = True
    if style.name.startswith("Heading") or style.name in {"Title", "Subtitle"}:
        style.font.color.rgb = NAVY if style.name.startswith("Heading 1") else TEXT
        style.font.italic = False


def _paragraph_looks(styles) -> None:
    """Spacing, indents and alignment, matching the PDF's CSS."""
    normal = styles["Normal"].paragraph_format
    normal.line_spacing = PAGE.line_height
    normal.space_after = Pt(0)
    body = styles["Body Text"].paragraph_format
    body.first_line_indent = Pt(PAGE.body_size_pt)
    body.space_after = Pt(4)
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, before, after in (("Heading 1", 18, 8), ("Heading 2", 12, 4), ("Heading 3", 8, 2),
                                ("Heading 4", 6, 2), ("Front Heading", 0, 6)):
        fmt = styles[name].paragraph_format
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(before), Pt(after), True
        fmt.line_spacing = 1.3
    for name in ("Title", "Subtitle"):
        fmt = styles[name].paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(12)
    styles["Title"].paragraph_format.space_before = Pt(200)
    styles["Marking"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    styles["Marking"].font.color.rgb = MARKING
    styles["Cover Meta"].paragraph_format.left_indent = Mm(25)
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Caption"].paragraph_format.space_before = Pt(6)
    styles["Caption"].paragraph_format.space_after = Pt(4)
    styles["Caption"].font.color.rgb = TEXT
    styles["Caption"].font.italic = False
    styles["Source"].paragraph_format.space_after = Pt(6)
    note = styles["Footnote Text"].paragraph_format
    note.line_spacing, note.left_indent, note.first_line_indent = 1.3, Mm(8), Mm(-8)
    styles["Footnote Reference"].font.superscript = True
    styles["Figure"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Figure"].paragraph_format.keep_with_next = True
    styles["Table Text"].paragraph_format.line_spacing = 1.3
    styles["Quote"].paragraph_format.left_indent = Mm(8)
    styles["Quote"].font.italic = False
    styles["Source Code"].paragraph_format.line_spacing = 1.2
    bib = styles["Bibliography"].paragraph_format
    bib.left_indent, bib.first_line_indent = Mm(9), Mm(-9)
    bib.tab_stops.add_tab_stop(Mm(9))
    bib.space_after = Pt(3)
    bib.line_spacing = 1.4
    for level in (1, 2, 3):
        fmt = styles[f"TOC {level}"].paragraph_format
        fmt.left_indent = Mm(8 * (level - 1))
        fmt.tab_stops.add_tab_stop(Mm(PAGE.width - PAGE.left - PAGE.right),
                                   WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    styles["List Continue"].paragraph_format.left_indent = Mm(6)
    styles["Hyperlink"].font.color.rgb = LINK
    styles["Citation"].font.superscript = True
    styles["Citation"].font.color.rgb = LINK
    header = styles["Header"].paragraph_format
    header.tab_stops.clear_all()  # the template's centre and right tabs are set for US Letter
    header.tab_stops.add_tab_stop(Mm(PAGE.width - PAGE.left - PAGE.right), WD_TAB_ALIGNMENT.RIGHT)
    styles["Footer"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
