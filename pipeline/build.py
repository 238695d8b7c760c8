"""The recipe: load the report, expand and parse its sections, then write the products."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import (Diagnostic, PipelineError, error, in_order, make_strict,
                          raise_if_errors)
from .expand import ExpandedSection, expand_section, make_environment
from .figures import ImageRules
from .limits import Limits, check_file_sizes
from .html import HtmlOptions, render_html
from .output import write_atomic
from .parse import parse_sections
from .pdf import PdfOptions, render_pdf
from .reference_rules import check_references
from .references import load_references, number_references
from .report import Report, load_report
from .structure import check_structure
from .traceability import check_traceability
from .tree import Document, Figure, Metadata, walk
from .yamlfile import load_yaml

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Product:
    """A written file, for the one-line summary the CLI prints."""

    path: Path
    pages: int
    size: int
    seconds: float


def load_document(content_dir: Path, strict: bool = False,
                  limits: Limits = Limits()) -> tuple[Document, list[Diagnostic]]:
    """Returns the document tree of the report in content_dir, and its warnings.

    Every rule runs before anything is built; `strict` makes warnings errors.
    Raises PipelineError with every finding when any of them is an error.
    """
    check_file_sizes(text_files(content_dir), limits)
    report, found = load_report(content_dir)
    references, ref_found = load_references(report.references)
    found += ref_found
    expanded = expand_sections(report, content_dir, found)
    images = ImageRules(report.directory, report.remote_images, limits.max_image_bytes)
    sections, cited, parse_found = parse_sections(expanded, {r.key for r in references}, images)
    found += parse_found
    found += check_references(references, report.date, cited)
    found += check_structure(report, sections)
    found += check_traceability(sections)
    found = in_order(make_strict(found) if strict else found)
    raise_if_errors(found)
    entries = number_references(references, cited)
    return Document(_metadata(report), sections, entries,
                    _inputs(report, content_dir, sections)), found


def expand_sections(report: Report, content_dir: Path, found: list) -> list[ExpandedSection]:
    """Returns each section with its Jinja expanded; errors are added to found."""
    variables = {"report": _metadata(report), **load_data(content_dir / "data")}
    env = make_environment()
    expanded = []
    for source in report.sections:
        try:
            expanded.append(expand_section(source.path, variables, env))
        except PipelineError as exc:
            found += exc.diagnostics
    return expanded


def text_files(content_dir: Path) -> list[Path]:
    """Returns the report's text files (Markdown and YAML), which are read whole."""
    if not content_dir.is_dir():
        return []
    return sorted(p for p in content_dir.rglob("*") if p.suffix in (".md", ".yaml", ".yml"))


def _inputs(report: Report, content_dir: Path, sections) -> tuple[Path, ...]:
    """Returns every file the document was made from: what the content hash covers."""
    data = sorted((content_dir / "data").glob("*.yaml")) if (content_dir / "data").is_dir() else []
    images = [Path(node.src) for s in sections for node in walk(s.blocks)
              if isinstance(node, Figure) and Path(node.src).is_absolute()]
    files = [report.path, report.references, *(s.path for s in report.sections), *data, *images]
    return tuple(dict.fromkeys(p.resolve() for p in files))


def load_data(data_dir: Path) -> dict:
    """Returns {stem: content} for every data/*.yaml, for the sections' Jinja."""
    data = {}
    for path in sorted(data_dir.glob("*.yaml")) if data_dir.is_dir() else ():
        if path.stem == "report" or not path.stem.isidentifier():
            raise PipelineError([error(path, None, f"data file name '{path.stem}' cannot be a "
                                       "template variable: use letters, digits and '_'",
                                       code="data")])
        data[path.stem] = load_yaml(path)
    return data


def _metadata(report: Report) -> Metadata:
    return Metadata(id=report.id, title=report.title, subtitle=report.subtitle,
                    organisation=report.organisation, author=report.author, date=report.date,
                    version=report.version, marking=report.marking, summary=report.summary,
                    keywords=report.keywords, archival=report.archival,
                    recipients=report.recipients)


def build_pdf(doc: Document, out_dir: Path, content_dir: Path,
              limits: Limits = Limits()) -> Product:
    """Writes out_dir/<id>.pdf and returns what was written."""
    return write_pdf(doc, out_dir / f"{doc.meta.id}.pdf", content_dir, limits)


def write_pdf(doc: Document, path: Path, content_dir: Path, limits: Limits = Limits(),
              copy_label: str = "") -> Product:
    """Writes the PDF (a numbered copy when copy_label is set) to path."""
    started = time.perf_counter()
    html = render_html(doc, HtmlOptions(TEMPLATES, copy_label))
    options = PdfOptions(content_dir, (content_dir, TEMPLATES), doc.meta.archival,
                         limits.max_pages)
    data, pages = render_pdf(html, options)
    write_atomic(path, data)
    return Product(path, pages, len(data), time.perf_counter() - started)


def build_both(doc: Document, out_dir: Path, content_dir: Path, limits: Limits = Limits(),
               parallel: bool = True) -> list[Product]:
    """Writes the PDF and the .docx, or, if either fails, neither.

    Both are written beside their places and renamed into them only when
    both succeeded. In parallel the .docx is written by a forked child: the
    writers share nothing but the tree, which the child gets for free, and on
    two cores `all` takes about as long as the PDF alone.
    """
    final = [out_dir / f"{doc.meta.id}.pdf", out_dir / f"{doc.meta.id}.docx"]
    staged = [path.with_name(f".{path.name}.{os.getpid()}.staged") for path in final]
    try:
        if parallel and hasattr(os, "fork"):
            products = _write_side_by_side(doc, staged, content_dir, limits)
        else:
            products = [write_pdf(doc, staged[0], content_dir, limits),
                        write_docx(doc, staged[1])]
        for source, target in zip(staged, final):
            os.replace(source, target)
    finally:
        for path in staged:
            path.unlink(missing_ok=True)
    return [dataclasses.replace(p, path=target) for p, target in zip(products, final)]


def _write_side_by_side(doc: Document, staged: list[Path], content_dir: Path,
                        limits: Limits) -> list[Product]:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        _report_to_parent(write_end, lambda: write_docx(doc, staged[1]))
    os.close(write_end)
    try:
        pdf = write_pdf(doc, staged[0], content_dir, limits)
    except BaseException:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(read_end)
        for half_written in staged[1].parent.glob(f".{staged[1].name}.*.tmp"):
            half_written.unlink(missing_ok=True)  # the child died in write_atomic
        raise
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(child, 0)
    return [pdf, _product_from(answer)]


def _report_to_parent(fd: int, work) -> None:
    """Runs work in the child, sends its Product or diagnostics to the parent, and exits."""
    try:
        product = work()
        answer = {"product": [str(product.path), product.pages, product.size, product.seconds]}
    except PipelineError as exc:
        answer = {"diagnostics": [d.as_json() for d in exc.diagnostics]}
    except BaseException as exc:  # noqa: BLE001 - the parent reports it; the child must exit
        answer = {"crash": f"{type(exc).__name__}: {exc}"}
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(json.dumps(answer).encode("utf-8"))
    os._exit(0)  # no cleanup handlers: they belong to the parent


def _product_from(answer: bytes) -> Product:
    data = json.loads(answer or b'{"crash": "the Word writer stopped"}')
    if "product" in data:
        path, pages, size, seconds = data["product"]
        return Product(Path(path), pages, size, seconds)
    if "diagnostics" in data:
        raise PipelineError([Diagnostic.from_json(d) for d in data["diagnostics"]])
    raise RuntimeError(data["crash"])


def build_docx(doc: Document, out_dir: Path) -> Product:
    """Writes out_dir/<id>.docx and returns what was written."""
    return write_docx(doc, out_dir / f"{doc.meta.id}.docx")


def write_docx(doc: Document, path: Path) -> Product:
    """Writes the Word file to path."""
    # Imported here: python-docx and lxml take a third of `check`'s start-up.
    from .docx import DocxOptions, render_docx
    started = time.perf_counter()
    data = render_docx(doc, DocxOptions(TEMPLATES / "reference.docx"))
    write_atomic(path, data)
    return Product(path, 0, len(data), time.perf_counter() - started)
