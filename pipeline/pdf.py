"""HTML → PDF bytes, rendered by WeasyPrint with the BIZ UD fonts embedded."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path

from .diagnostics import PipelineError, error
from .japanese import BODY_FONT, HEADING_FONT


ARCHIVAL_VARIANT = "pdf/a-3u"


def render_pdf(html: str, base_dir: Path, archival: bool = True) -> tuple[bytes, int]:
    """Returns the PDF and its page count.

    Archival PDFs are PDF/A-3u and tagged: WeasyPrint then writes the XMP
    pdfaid identification, an sRGB output intent, /Lang and DisplayDocTitle.
    WeasyPrint does not check that the result is valid PDF/A.
    """
    require_fonts()
    import weasyprint  # imported here: loading it costs time that `check` does not need

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=str(base_dir)).render()
    options = {"pdf_variant": ARCHIVAL_VARIANT, "pdf_tags": True} if archival else {}
    # No clock reaches the bytes: the dates come from the dcterms meta tags, and
    # the PDF/A file identifier is a digest of the content.
    return document.write_pdf(**options), len(document.pages)


def require_fonts() -> None:
    """Raises PipelineError naming the Debian package of any missing BIZ UD font."""
    missing = [f for f in (BODY_FONT, HEADING_FONT) if f.family not in installed_families()]
    if missing:
        packages = " ".join(f.debian_package for f in missing)
        raise PipelineError([error("fonts", None, "Japanese font not installed: "
                                   + ", ".join(f.family for f in missing)
                                   + f" (install it: apt-get install {packages})", code="font")])


@cache
def installed_families() -> frozenset[str]:
    """Returns the font families fontconfig knows."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))
