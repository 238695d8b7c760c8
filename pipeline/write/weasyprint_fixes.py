"""Measured slow spots of WeasyPrint 70 and pydyf 0.13, mended (docs/performance.md has
the measurements and the upstream patches).

Four mends leave the bytes as they were. Two are choices: zlib's default
level for the PDF's streams instead of pydyf's level 9 (4 % larger files for
a tenth less time writing them), and an SVG text drawn as one run of glyphs
rather than letter by letter (the same page, less work, and text that
copies as words). One is typesetting: a line of Japanese is justified
between its characters, as JLREQ and Word do, not in its spaces. Each is
installed once, on what WeasyPrint and pydyf define, and leaves them alone
where its condition does not hold: a release that fixes the cause makes it a
no-op.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
import zlib

# zlib's default, what most PDF writers use. pydyf asks for 9, the slowest: on
# a 100-page briefing 0.45 s of 4 s of writing, for 4 % fewer bytes.
COMPRESSION_LEVEL = 6


def install() -> None:
    """Installs the mends (idempotent)."""
    import pydyf
    import weasyprint.layout.inline  # noqa: F401 -- mended through sys.modules
    import weasyprint.svg
    from weasyprint.css import targets
    if getattr(pydyf.PDF, "_pipeline_mended", False):
        return
    _memoize_page_references(pydyf)
    _serialise_each_object_once(pydyf)
    _name_attr_targets(targets)
    _memoize_svg_values(sys.modules["weasyprint.svg.utils"])
    _draw_svg_text_in_one_run(weasyprint.svg)
    _justify_between_characters(sys.modules["weasyprint.layout.inline"])
    pydyf.zlib = _ZlibAtLevel(COMPRESSION_LEVEL)
    pydyf.PDF._pipeline_mended = True


def _memoize_page_references(pydyf) -> None:
    """Makes pydyf's PDF.page_references computed once per page count.

    pydyf rebuilds the tuple of every page's reference on each access, and
    WeasyPrint's PDF tags read it once per tagged element: quadratic, a
    second of a 300-page briefing. Pages are only ever appended, so the
    number of pages identifies the tuple.
    """
    def page_references(pdf):
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_pipeline_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{n} 0 R".encode("ascii") for n in kids[::3]))
            pdf.__dict__["_pipeline_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)


def _serialise_each_object_once(pydyf) -> None:
    """Makes PDF.write serialise each object once, not twice.

    With a file identifier (PDF/A wants one), pydyf writes every object and
    then serialises them all again to hash them, compressing every stream a
    second time at zlib level 9: a tenth of writing a 100-page PDF. Nothing
    changes an object while it is written, so the first serialisation of each
    top-level object is kept until write returns. Only those objects are
    memoized: temporaries made inside `data` live too briefly for their ids.
    """
    for cls in (pydyf.Dictionary, pydyf.Stream, pydyf.Array, pydyf.String):
        if "data" in cls.__dict__:
            cls.data = _memoized(cls.__dict__["data"].fget)
    write, add_object = pydyf.PDF.write, pydyf.PDF.add_object

    def write_once(pdf, *args, **kwargs):
        for item in pdf.objects:
            item.__dict__["_pipeline_data"] = []

        def add_and_memoize(item):
            add_object(pdf, item)
            item.__dict__["_pipeline_data"] = []

        pdf.add_object = add_and_memoize
        try:
            return write(pdf, *args, **kwargs)
        finally:
            del pdf.add_object
            for item in pdf.objects:
                item.__dict__.pop("_pipeline_data", None)

    pydyf.PDF.write = write_once


def _memoized(data):
    def memoized_data(item):
        memo = item.__dict__.get("_pipeline_data")
        if memo is None:
            return data(item)
        if not memo:
            memo.append(data(item))
        return memo[0]
    return property(memoized_data)


def _name_attr_targets(targets) -> None:
    """Makes `target-counter(attr(href), page)` cost one more layout of its pages, not two.

    WeasyPrint's compute_content_list names the anchor of the unresolved
    attr() token (None), and then rebinds its list of missing counters to
    that anchor's list. Table-of-contents numbers come out right only because
    of the second slip: every change of page counters relays out the pages of
    the table of contents, twice in all. Keyed by its real name, the anchor
    updates them once, when its page is known. Applied only where the slip
    shows (a None anchor and one target in the content), so a fixed
    WeasyPrint is left alone.
    """
    collect = targets.TargetCollector.collect_missing_counters

    def collect_named(collector, parent_box, css_token, parse_again, missing_counters,
                      missing_target_counters):
        if css_token == "content" and None in missing_target_counters:
            names = set(_target_anchor_names(targets, parent_box)) - {None}
            if len(names) == 1:
                counters = missing_target_counters.pop(None)
                missing_target_counters[names.pop()] = counters
                if missing_counters is counters:
                    missing_counters = []
        return collect(collector, parent_box, css_token, parse_again, missing_counters,
                       missing_target_counters)

    targets.TargetCollector.collect_missing_counters = collect_named


def _target_anchor_names(targets, box) -> list:
    """Returns the anchors the target-counter()s of box's content point to, resolved
    as TargetCollector.lookup_target resolves them."""
    from weasyprint.urls import get_url_tuple
    content = box.style["content"]
    names = []
    for kind, value in content if isinstance(content, (list, tuple)) else ():
        if kind not in ("target-counter()", "target-counters()"):
            continue
        token = value[0]
        if token[0] == "attr()":
            attribute, kind_of_value, fallback = token[1]
            text = box.element.get(attribute, fallback)
            token = ("string", text) if kind_of_value == "string" else \
                ("url", get_url_tuple(text, box.style.base_url))
        names.append(targets.anchor_name_from_token(token))
    return names


# WeasyPrint's SVG value parsers: pure functions of their strings, called for every
# node (size() parses the font size of each, '1em' when none is set, through four
# regular expressions). color() returns an object its callers change: a copy.
_SVG_VALUES = {"size": None, "normalize": None, "parse_url": None, "color": copy.copy}


def _memoize_svg_values(utils) -> None:
    """Makes WeasyPrint's SVG value parsers remember their last few thousand answers:
    more than a quarter of its time drawing a chart went to parsing the same few
    strings again."""
    for name, copier in _SVG_VALUES.items():
        parse = getattr(utils, name, None)
        if parse is None:
            continue
        memoized = _remembering(parse, copier)
        for module_name, module in list(sys.modules.items()):
            if module_name.startswith("weasyprint.svg") and \
                    getattr(module, name, None) is parse:
                setattr(module, name, memoized)


def _remembering(parse, copier=None):
    remembered = functools.lru_cache(maxsize=4096)(parse)

    def memoized(*args):
        try:
            value = remembered(*args)
        except TypeError:  # an argument that cannot be a key
            return parse(*args)
        return copier(value) if copier else value
    return memoized


# Attributes that place or space letters one by one: a text with any of them, or
# with a list of x or y, is drawn letter by letter as WeasyPrint draws it.
_PER_LETTER = ("dx", "dy", "rotate", "textLength", "letter-spacing")


def _draw_svg_text_in_one_run(svg) -> None:
    """Makes an SVG text that places no letter on its own one run of glyphs.

    WeasyPrint 70 lays out an SVG <text> whole, for its width, then lays out
    and draws each letter again on its own, so that per-letter x, y, dx, dy
    and rotate lists can move them: a run of glyphs per letter in the PDF,
    and an eighth of WeasyPrint's time on a chart. Where the text gives one x and
    one y at most and nothing per letter, the run is handed over as its one
    "letter": laid out once more and drawn where the letters would have been.
    """
    draw_text = getattr(svg, "text", None)
    if draw_text is None or svg.TAGS.get("text") is not draw_text:
        return

    def draw_in_one_run(drawing, node, font_size):
        text = node._etree_node.text
        if not text or len(text) < 2 or any(name in node.attrib for name in _PER_LETTER) \
                or any(len(node.attrib.get(xy, "").replace(",", " ").split()) > 1
                       for xy in ("x", "y")):
            return draw_text(drawing, node, font_size)
        node._etree_node.text = _OneLetter(text)
        try:
            return draw_text(drawing, node, font_size)
        finally:
            node._etree_node.text = text

    draw_in_one_run.__wrapped__ = draw_text
    # draw_node tells text nodes by comparing TAGS' entry with the name `text`.
    svg.text = draw_in_one_run
    for tag, draw in list(svg.TAGS.items()):
        if draw is draw_text:
            svg.TAGS[tag] = draw_in_one_run


# Japanese text: kana, CJK ideographs and the full-width forms.
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60]")
# At most this much space (in em) is added after a character: a line with more
# slack than that is left short rather than spaced out letter by letter.
MAX_LETTER_SPACING = 0.1


def _justify_between_characters(inline) -> None:
    """Makes a justified line that holds Japanese take up its slack between all its
    characters (JLREQ 3.8, and Word's 両端揃え), not in its spaces.

    WeasyPrint 70 gives a line's whole slack to its spaces: a line of Japanese
    with one English phrase had them up to four times as wide (`DDaT  Profession`),
    and a line without a space was not justified at all. Here each text box of
    such a line is laid out again with letter-spacing, its share of the slack,
    as CSS letter-spacing is; lines without Japanese keep WeasyPrint's way.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout
    stock = inline.justify_line

    def texts(box):
        if isinstance(box, boxes.TextBox):
            yield box
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            for child in box.children:
                if child.is_in_normal_flow():
                    yield from texts(child)

    def spread(context, box, spacing: float, advance: float) -> float:
        if isinstance(box, boxes.TextBox):
            box.position_x += advance
            style = box.style.copy()
            before = 0 if style["letter_spacing"] == "normal" else style["letter_spacing"]
            style["letter_spacing"] = before + spacing
            layout = create_layout(box.text, style, context, max_width=None,
                                   justification_spacing=0)
            layout.deactivate()  # drawing lays it out again with box.style
            box.style, box.pango_layout = style, layout
            box.width += spacing * len(box.text)
            return advance + spacing * len(box.text)
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += advance
            start = advance
            for child in box.children:
                if child.is_in_normal_flow():
                    advance = spread(context, child, spacing, advance)
            box.width += advance - start
            return advance
        box.translate(advance, 0)  # an atomic inline: an image, an inline block
        return advance

    def justify_line(context, line, extra_width):
        found = list(texts(line))
        if not any(_JAPANESE.search(box.text) for box in found):
            return stock(context, line, extra_width)
        characters = sum(len(box.text) for box in found)
        spacing = extra_width / characters if characters > 1 else 0
        if 0 < spacing <= MAX_LETTER_SPACING * line.style["font_size"]:
            spread(context, line, spacing, 0)

    justify_line.__wrapped__ = stock
    inline.justify_line = justify_line


class _OneLetter(str):
    """A string that iterates as one letter: itself."""

    def __iter__(self):
        yield str(self)


class _ZlibAtLevel:
    """The zlib module as pydyf sees it: compressobj at one level, whatever is asked."""

    def __init__(self, level: int) -> None:
        self.level = level

    def compressobj(self, level: int = -1, *args, **kwargs):
        return zlib.compressobj(self.level, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(zlib, name)
