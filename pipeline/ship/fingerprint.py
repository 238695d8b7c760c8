"""A build's inputs → one content hash, which decides whether anything changed.

It covers what can change a product's bytes: the report's files (report.yaml,
references, sections, data, images), the templates, the pipeline's own code
and version, the renderers' versions (Python packages, Pango, zlib) and the
font files. Paths are taken relative to the report directory, so a clone
elsewhere has the same hash.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..tree import Document
from ..write.page import BODY_FONT, HEADING_FONT

PACKAGE = Path(__file__).resolve().parent.parent
RENDERERS = ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "python-docx",
             "lxml", "jinja2", "markdown", "pyyaml")


@dataclass(frozen=True)
class Fingerprint:
    """The content hash and what went into it, one (label, value) per input."""

    digest: str
    inputs: tuple[tuple[str, str], ...]


def fingerprint(doc: Document, templates: Path, extra_files: tuple[Path, ...] = ()) -> Fingerprint:
    """Returns the content hash of everything that builds doc."""
    home = doc.inputs[0].parent if doc.inputs else Path.cwd()
    entries = [(os.path.relpath(p, home), file_sha256(p)) for p in (*doc.inputs, *extra_files)]
    entries += environment_entries(templates)
    return Fingerprint(_digest(entries), tuple(entries))


def environment_fingerprint(templates: Path) -> str:
    """Returns the hash of what builds any report the same way: templates, the
    pipeline's code, the renderers' versions and the fonts (a batch's workers must
    all have the client's)."""
    return _digest(environment_entries(templates))


def environment_entries(templates: Path) -> list[tuple[str, str]]:
    """Returns (label, value) for the templates, every module, every renderer's version
    and every font file."""
    entries = [(f"templates/{p.relative_to(templates).as_posix()}", file_sha256(p))
               for p in sorted(templates.rglob("*")) if p.is_file()]
    entries += [(f"pipeline/{p.relative_to(PACKAGE).as_posix()}", file_sha256(p))
                for p in package_files()]
    entries += [(f"version:{name}", version) for name, version in renderer_versions()]
    entries += [(f"font:{Path(p).name}", file_sha256(Path(p))) for p in font_files()]
    return entries


def _digest(entries: list[tuple[str, str]]) -> str:
    text = "".join(f"{label}\t{value}\n" for label, value in entries)
    return hashlib.sha256(text.encode()).hexdigest()


def package_files() -> list[Path]:
    """Returns every module of the pipeline, in every subpackage: all of its code."""
    return sorted(PACKAGE.rglob("*.py"))


def renderer_versions() -> list[tuple[str, str]]:
    """Returns the versions of the pipeline and of what renders its products."""
    from importlib import metadata  # here: with email and zipfile, 10 ms a build needs not

    from .. import __version__  # read from the package metadata, when a bundle is made
    versions = [("pipeline", __version__), ("python", "%d.%d" % sys.version_info[:2]),
                ("zlib", zlib.ZLIB_RUNTIME_VERSION), ("pango", _pango_version())]
    for name in RENDERERS:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "absent"))
    return versions


def _pango_version() -> str:
    """Returns the version of the Pango that lays the PDF out, as WeasyPrint loads it
    (by its soname, without importing the renderer)."""
    import ctypes
    try:
        return str(ctypes.CDLL("libpango-1.0.so.0").pango_version())
    except (OSError, AttributeError):
        return "unknown"


def font_files() -> list[str]:
    """Returns the files of the BIZ UD families the products use, as fontconfig finds them."""
    files = set()
    for family in (BODY_FONT.family, HEADING_FONT.family):
        try:
            listing = subprocess.run(["fc-list", family, "file"], capture_output=True,
                                     text=True, check=False).stdout
        except OSError:
            continue
        files.update(line.rstrip(": \n") for line in listing.splitlines() if line.strip())
    return sorted(files)


def file_sha256(path: Path) -> str:
    """Returns the hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
