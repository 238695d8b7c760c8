"""The recipe: read → resolve → check → write → ship, and what runs where.

This package says what each command builds and in which process
(products.py: the fork of `all`, the chart cache, charts drawn beside the
PDF's layout); the stages it calls never call each other backwards, and ship/
only stages, renames and records what the recipe gives it. The preview and
any runner of many reports call these functions.
"""

from __future__ import annotations

from pathlib import Path

from ..check import run_checks
from ..check.acknowledgments import acknowledged_findings
from ..diagnostics import Diagnostic, in_order, make_strict, raise_if_errors
from ..limits import Limits
from ..read import read_report
from ..resolve import resolve_document
from ..ship.bundle import DistOptions, DistResult, latest_state, make_bundle
from ..ship.editions import data_edition
from ..ship.products import Product, check_pair, forget_pair
from ..tree import Document
from .products import (ChartCache, chart_cache, draft_pdf, web_page, write_both,
                       write_bundle_products, write_docx, write_pdf, write_web)

__all__ = ["ChartCache", "Product", "build_both", "build_bundle", "build_docx", "build_html",
           "build_pdf", "draft_pdf", "load_document", "web_page"]


def load_document(content_dir: Path, strict: bool = False, limits: Limits = Limits(),
                  row: str | None = None, row_index: int | None = None) -> tuple[
                      Document, list[Diagnostic]]:
    """Returns the document tree of the report in content_dir (of a report over rows,
    the one whose id is `row`, found first at row_index if given), and its warnings.

    Every rule runs before anything is built; `strict` makes warnings errors.
    Raises PipelineError with every finding when any of them is an error.
    """
    source = read_report(content_dir, limits, row, row_index)
    doc, resolve_findings = resolve_document(source)
    findings = acknowledged_findings(
        source.report, [*source.findings, *resolve_findings, *run_checks(source, doc)])
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


def build_bundle(doc: Document, options: DistOptions) -> DistResult:
    """Makes the distribution bundle unless its inputs are unchanged; returns it. With
    `edition: auto`, data changed since the last bundle makes the next edition."""
    doc = data_edition(doc, options.content_dir, latest_state(options.out_dir, doc.meta.id))
    return make_bundle(doc, options, lambda tmp: write_bundle_products(
        doc, options.out_dir, options.content_dir, options.recipients, options.limits, tmp))
