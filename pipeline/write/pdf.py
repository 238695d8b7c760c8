"""HTML → PDF bytes, rendered by WeasyPrint with the BIZ UD fonts embedded."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from unicodedata import east_asian_width
from urllib.parse import urlsplit

from ..diagnostics import PipelineError
from ..read.files import inside
from ..rules import FONT, SANDBOX, TOO_MANY_PAGES
from ..tree import Code, CodeBlock, Document, Figure, Heading, Paragraph, Table, Text, walk
from . import ARCHIVAL_VARIANT
from .html import data_uri
from .page import BODY_FONT, HEADING_FONT
from .weasyprint_loader import load_weasyprint


# An A4 page at 10.5 pt holds about 42 full-width characters a line and 40
# lines. The estimate below assumes twice that, so it is a bound the real
# layout always exceeds: it refuses only what is clearly too long.
_UNITS_PER_PAGE = 2 * 42 * 40  # a full-width character is 1 unit, a narrow one 1/2
_LINES_PER_PAGE = 2 * 40


@dataclass(frozen=True)
class PdfOptions:
    base_dir: Path  # where relative URLs in the HTML point
    roots: tuple[Path, ...]  # the only directories WeasyPrint may read files from
    archival: bool = True
    max_pages: int = 500


def render_pdf(html: str, options: PdfOptions,
               late: Mapping[str, Callable[[], bytes]] | None = None) -> tuple[bytes, int]:
    """Returns the PDF and its page count.

    Archival PDFs are PDF/A-3u and tagged: WeasyPrint then writes the XMP
    pdfaid identification, an sRGB output intent, /Lang and DisplayDocTitle.
    WeasyPrint does not check that the result is valid PDF/A.

    late maps the data: URLs of placeholder SVGs in the HTML to a function that
    returns the drawing each stands for: the placeholder is laid out, at the
    drawing's size, and the drawing is asked for when the painting reaches it.
    """
    require_fonts()
    weasyprint = load_weasyprint()  # here: loading it costs time that `check` does not need

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    refused: list[str] = []
    fetcher = _sandboxed_fetcher(weasyprint, options.roots, refused)
    images: dict = {}  # WeasyPrint's images by URL, filled as it lays the pages out
    document = weasyprint.HTML(string=html, base_url=str(options.base_dir),
                               url_fetcher=fetcher).render(cache=images)
    if late and not _paint_late(images, late):
        for url, drawing in late.items():  # a WeasyPrint that keeps images otherwise
            html = html.replace(url, data_uri(drawing(), "image/svg+xml"))
        document = weasyprint.HTML(string=html, base_url=str(options.base_dir),
                                   url_fetcher=fetcher).render()
    if len(document.pages) > options.max_pages:
        raise PipelineError([TOO_MANY_PAGES.at(options.base_dir, None, f"the PDF would have "
                                               f"{len(document.pages)} pages, over the limit "
                                               f"of {options.max_pages} (--max-pages)")])
    variant = {"pdf_variant": ARCHIVAL_VARIANT, "pdf_tags": True} if options.archival else {}
    # No clock reaches the bytes: the dates come from the dcterms meta tags, and
    # the PDF/A file identifier is a digest of the content.
    data = document.write_pdf(**variant)  # attachments are fetched here
    if refused:
        raise PipelineError([SANDBOX.at(options.base_dir, None, f"refused to read {url}: a "
                                        "briefing may only use data: URLs and files inside "
                                        "the report directory or templates/")
                             for url in dict.fromkeys(refused)])
    return data, len(document.pages)


def _paint_late(images: dict, late: Mapping[str, Callable[[], bytes]]) -> bool:
    """Makes each laid-out placeholder image paint as its drawing, asked for when it is
    painted; says whether it could (WeasyPrint 70's SVGImage keeps its SVG in `_svg`)."""
    from weasyprint.svg import SVG
    if not all(isinstance(getattr(images.get(url), "_svg", None), SVG) for url in late):
        return False
    for url, drawing in late.items():
        image = images[url]
        image.draw = functools.partial(_draw_late, image, type(image).draw, drawing, SVG)
    return True


def _draw_late(image, draw, drawing: Callable[[], bytes], svg_class, *args):
    """Paints image as the drawing, read when it is first painted."""
    from xml.etree import ElementTree
    if "draw" in image.__dict__:  # the first time: the drawing replaces the placeholder
        placeholder = image._svg
        image._svg = svg_class(ElementTree.fromstring(drawing()), placeholder.url,
                               placeholder.font_config, placeholder.url_fetcher)
        del image.draw
    return draw(image, *args)


def refuse_overlong(doc: Document, max_pages: int) -> None:
    """Raises PipelineError when the document surely has more than max_pages pages.

    Layout is what costs (minutes for a few thousand pages): a report that
    cannot fit is refused from its text, before it is laid out.
    """
    pages = estimated_pages(doc)
    if pages > max_pages:
        raise PipelineError([TOO_MANY_PAGES.at(doc.inputs[0] if doc.inputs else doc.meta.id,
                                               None, f"the PDF would have at least {pages:,} "
                                               f"pages (estimated from its text before layout), "
                                               f"over the limit of {max_pages} (--max-pages)")])


def estimated_pages(doc: Document) -> int:
    """Returns a lower bound of the PDF's page count, from the text and the blocks."""
    units = lines = 0
    for section in doc.sections:
        for node in walk(section.blocks):
            if isinstance(node, Text | Code):
                units += sum(1 if east_asian_width(c) in "WF" else 0.5 for c in node.text)
            elif isinstance(node, Table):
                lines += len(node.header) + len(node.body)
            elif isinstance(node, Paragraph | Heading | CodeBlock | Figure):
                lines += 1 + (node.text.count("\n") if isinstance(node, CodeBlock) else 0)
    return int(max(units / _UNITS_PER_PAGE, lines / _LINES_PER_PAGE))


def _sandboxed_fetcher(weasyprint, roots: tuple[Path, ...], refused: list[str]):
    """Returns a WeasyPrint URL fetcher that reads data: URLs and files inside roots only.

    Everything else (other files, symlinks out of roots, http, ftp) is refused
    and noted; redirects are never followed.
    """
    class SandboxedFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data" or (scheme == "file" and _readable(url, roots)):
                return super().fetch(url, headers)
            refused.append(url)
            raise ValueError(f"refused by the sandbox: {url}")

    return SandboxedFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def _readable(url: str, roots: tuple[Path, ...]) -> bool:
    from urllib.request import url2pathname  # with http and ssl: 20 ms a .docx needs not
    path = Path(url2pathname(urlsplit(url).path))
    return path.is_file() and inside(path, roots)


def require_fonts() -> None:
    """Raises PipelineError naming the Debian package of any missing BIZ UD font."""
    missing = [f for f in (BODY_FONT, HEADING_FONT) if f.family not in installed_families()]
    if missing:
        packages = " ".join(f.debian_package for f in missing)
        raise PipelineError([FONT.at("fonts", None, "Japanese font not installed: "
                                     + ", ".join(f.family for f in missing)
                                     + f" (install it: apt-get install {packages})")])


@cache
def installed_families() -> frozenset[str]:
    """Returns the font families fontconfig knows."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))
