"""The recipe: read → resolve → check → write → ship, and nothing else."""

from __future__ import annotations

from pathlib import Path

from .check import run_checks
from .diagnostics import Diagnostic, in_order, make_strict, raise_if_errors
from .limits import Limits
from .read import read_report
from .resolve import resolve_document
from .ship.products import (Product, chart_cache, check_pair, forget_pair, write_both,
                            write_docx, write_pdf, write_web)
from .tree import Document


def load_document(content_dir: Path, strict: bool = False,
                  limits: Limits = Limits()) -> tuple[Document, list[Diagnostic]]:
    """Returns the document tree of the report in content_dir, and its warnings.

    Every rule runs before anything is built; `strict` makes warnings errors.
    Raises PipelineError with every finding when any of them is an error.
    """
    source = read_report(content_dir, limits)
    doc, resolve_findings = resolve_document(source)
    findings = [*source.findings, *resolve_findings, *run_checks(source, doc)]
    findings = in_order(make_strict(findings) if strict else findings)
    raise_if_errors(findings)
    return doc, findings


def build_pdf(doc: Document, out_dir: Path, content_dir: Path,
              limits: Limits = Limits()) -> Product:
    """Writes out_dir/<id>.pdf and returns what was written."""
    product = write_pdf(doc, out_dir / f"{doc.meta.id}.pdf", content_dir, limits,
                        cache=chart_cache(out_dir), drawn_beside=True)
    forget_pair(out_dir, doc.meta.id)
    return product


def build_docx(doc: Document, out_dir: Path) -> Product:
    """Writes out_dir/<id>.docx and returns what was written."""
    product = write_docx(doc, out_dir / f"{doc.meta.id}.docx", cache=chart_cache(out_dir))
    forget_pair(out_dir, doc.meta.id)
    return product


def build_html(doc: Document, out_dir: Path) -> Product:
    """Writes out_dir/<id>.html, the web edition, and returns what was written."""
    return write_web(doc, out_dir / f"{doc.meta.id}.html", cache=chart_cache(out_dir))


def build_both(doc: Document, out_dir: Path, content_dir: Path, limits: Limits = Limits(),
               parallel: bool = True) -> tuple[list[Product], list[Diagnostic]]:
    """Writes out_dir/<id>.pdf and .docx, both or neither; returns them, and a
    warning when the two it replaced were not one build's pair."""
    mismatch = check_pair(out_dir, doc.meta.id)
    return write_both(doc, out_dir, content_dir, limits, parallel), mismatch
