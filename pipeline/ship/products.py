"""The document → its products on disk: one, or both side by side, or neither.

Every product is written to a temporary name and renamed into place, so a
failed or killed build leaves the previous product as it was.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..tree import Document
from ..write import TEMPLATES
from ..write.html import HtmlOptions, render_html
from ..write.pdf import PdfOptions, render_pdf
from .output import write_atomic


@dataclass(frozen=True)
class Product:
    """A written file, for the one-line summary the CLI prints."""

    path: Path
    pages: int
    size: int
    seconds: float


def write_pdf(doc: Document, path: Path, content_dir: Path, limits: Limits = Limits(),
              copy_label: str = "") -> Product:
    """Writes the PDF (a numbered copy when copy_label is set) to path."""
    started = time.perf_counter()
    html = render_html(doc, HtmlOptions(copy_label))
    options = PdfOptions(content_dir, (content_dir, TEMPLATES), doc.meta.archival,
                         limits.max_pages)
    data, pages = render_pdf(html, options)
    write_atomic(path, data)
    return Product(path, pages, len(data), time.perf_counter() - started)


def write_docx(doc: Document, path: Path) -> Product:
    """Writes the Word file to path."""
    # Imported here: python-docx and lxml take a third of `check`'s start-up.
    from ..write.docx import DocxOptions, render_docx
    started = time.perf_counter()
    data = render_docx(doc, DocxOptions())
    write_atomic(path, data)
    return Product(path, 0, len(data), time.perf_counter() - started)


def write_both(doc: Document, out_dir: Path, content_dir: Path, limits: Limits = Limits(),
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
