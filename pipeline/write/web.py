"""Document → the web edition: one self-contained, accessible HTML page.

The body is the HTML writer's (write/html.py), rendered for the web: table
captions in <caption> with header cells scoped, charts as inline SVG read out
as images with their text alternative; the frame is templates/web.html.j2
with its CSS inline, so the file needs nothing beside it and no script to be
read. The same tree as the PDF and the .docx; no second copy of the front
matter's words (labels.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..tree import Document, plain_text
from . import TEMPLATES, labels
from .page import COLOURS
from .html import HtmlOptions, blocks_html, inlines_html
from .sist02 import format_sist02

TEMPLATE = "web.html.j2"


@dataclass(frozen=True)
class WebOptions:
    html: HtmlOptions = HtmlOptions(web=True)
    templates: Path = TEMPLATES
    head_extra: str = ""  # the live preview's script; a published page has none
    banner: str = ""  # the live preview's diagnostics, over the last good page


def render_web(doc: Document, options: WebOptions = WebOptions()) -> str:
    """Returns the web edition's HTML."""
    jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(options.templates),
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    body_options = replace(options.html, web=True)
    return jinja.get_template(TEMPLATE).render(
        meta=doc.meta, labels=labels, cover_rows=labels.cover_rows(doc.meta),
        toc=doc.headings(labels.TOC_DEPTH), plain_text=plain_text,
        sections=[blocks_html(s.blocks, body_options) for s in doc.sections],
        references=[(r, inlines_html(format_sist02(r.source))) for r in doc.references],
        date_label=labels.wareki(doc.meta.date), edition=labels.edition(doc.meta.version),
        head_extra=Markup(options.head_extra), banner=Markup(options.banner), colours=COLOURS)
