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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..processes import fork_helper, may_fork, reap
from ..rules import MISMATCHED_PAIR, TIME_LIMIT, WRITER
from ..tree import Chart, Document, walk
from ..write import TEMPLATES
from ..write.chart import (chart_key, draw_chart, figure_of, load_matplotlib, matplotlib_loaded,
                           placeholder_svg, save_chart)
from ..write.html import HtmlOptions, data_uri, render_html
from ..write.pdf import PdfOptions, load_weasyprint, refuse_overlong, render_pdf
from .fingerprint import file_sha256
from .output import CACHE_DIR, STAGED_SUFFIX, TMP_SUFFIX, write_atomic


@dataclass(frozen=True)
class Product:
    """A written file, for the one-line summary the CLI prints."""

    path: Path
    pages: int
    size: int
    seconds: float


class ChartCache:
    """Drawn charts kept under the output directory, named by chart_key: a rebuild
    with unchanged data draws none. Without a directory, every chart is drawn."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def draw(self, chart: Chart, kind: str) -> bytes:
        if self.directory is None:
            return draw_chart(chart, kind)
        path = self.path(chart, kind)
        if path.is_file():
            return path.read_bytes()
        return self._keep(chart, kind, draw_chart(chart, kind))

    def _keep(self, chart: Chart, kind: str, data: bytes) -> bytes:
        write_atomic(self.path(chart, kind), data)
        return data

    def draw_from_the_end(self, charts: list[Chart], kind: str, then: str = "") -> None:
        """Draws charts into the cache from the last one not drawn yet, until one is
        there already; with `then`, draws the same charts as that kind too, each
        from the figure laid out for the first kind.

        Run beside a process that draws them from the first (the PDF's, in `all`),
        the two meet in the middle: each chart is drawn once, or twice at the
        meeting point, and the bytes are the same either way.
        """
        if self.directory is None:
            return
        waiting = list(reversed(charts))
        while waiting and self.has(waiting[0], kind):
            waiting.pop(0)  # drawn already: the other process has been here
        figures = []
        for chart in waiting:
            if self.has(chart, kind):
                break
            figures.append((chart, figure_of(chart)))
            self._keep(chart, kind, save_chart(figures[-1][1], kind))
        for chart, figure in figures if then else ():
            if not self.has(chart, then):
                self._keep(chart, then, save_chart(figure, then))

    def has(self, chart: Chart, kind: str) -> bool:
        return self.directory is not None and self.path(chart, kind).is_file()

    def path(self, chart: Chart, kind: str) -> Path:
        """Returns where the chart drawn as kind is kept."""
        return self.directory / f"{chart_key(chart, kind)}.{kind}"


def chart_cache(out_dir: Path) -> Path:
    """Returns where the charts of builds into out_dir are kept."""
    return out_dir / CACHE_DIR / "charts"


def write_pdf(doc: Document, path: Path, content_dir: Path, limits: Limits = Limits(),
              copy_label: str = "", cache: Path | None = None,
              drawn_beside: bool = False) -> Product:
    """Writes the PDF (a numbered copy when copy_label is set) to path; drawn_beside
    lets a forked helper draw the charts while this process lays the PDF out around
    placeholders of their size, and paints them once drawn (for a process that has
    its second core free)."""
    started = time.perf_counter()
    refuse_overlong(doc, limits.max_pages)
    helper = _drawing_beside(doc, cache) if drawn_beside else None
    # WeasyPrint first (0.3 s, needed anyway): a process drawing the charts, the
    # helper or all's child, gets that far ahead.
    load_weasyprint()
    options = PdfOptions(content_dir, (content_dir, TEMPLATES), doc.meta.archival,
                         limits.max_pages)
    if helper is None:
        html = render_html(doc, HtmlOptions(copy_label, draw_chart=ChartCache(cache).draw))
        data, pages = render_pdf(html, options)
    else:
        data, pages = _render_with_late_charts(doc, copy_label, options, cache, helper)
    write_atomic(path, data)
    return Product(path, pages, len(data), time.perf_counter() - started)


def _render_with_late_charts(doc: Document, copy_label: str, options: PdfOptions,
                             cache: Path, helper: int) -> tuple[bytes, int]:
    """Returns the PDF laid out around placeholders of the charts while the helper
    draws them, each painted with its drawing when the painting reaches it (or with
    this process's drawing, where the helper failed: the same bytes)."""
    late: dict[str, Callable[[], bytes]] = {}

    def placeholder(chart: Chart, kind: str) -> bytes:
        svg = placeholder_svg(chart)
        late[data_uri(svg, "image/svg+xml")] = lambda: _drawn_by(helper, chart, cache)
        return svg

    try:
        html = render_html(doc, HtmlOptions(copy_label, draw_chart=placeholder))
        result = render_pdf(html, options, late=late)
    except BaseException:
        reap(helper, stopped_early=True)  # stopped, or failed: so is the helper
        for half_written in cache.glob(f".*{TMP_SUFFIX}"):
            half_written.unlink(missing_ok=True)  # it died in write_atomic
        raise
    reap(helper, stopped_early=False)  # done with its last chart, or failed
    return result


def _drawn_by(helper: int, chart: Chart, cache: Path) -> bytes:
    """Returns the chart's SVG once the helper has drawn it, or drawn here if the
    helper has stopped without it."""
    charts = ChartCache(cache)
    drawn = charts.path(chart, "svg")  # named once: a name is a hash of the chart
    while not drawn.is_file() and _running(helper):
        time.sleep(0.005)
    return charts.draw(chart, "svg")


def _running(child: int) -> bool:
    """Says whether the forked child has not exited yet (without reaping it)."""
    try:
        return os.waitid(os.P_PID, child, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def write_web(doc: Document, path: Path, cache: Path | None = None) -> Product:
    """Writes the web edition to path."""
    from ..write.web import WebOptions, render_web
    started = time.perf_counter()
    data = render_web(doc, WebOptions(HtmlOptions(draw_chart=ChartCache(cache).draw,
                                                  web=True))).encode("utf-8")
    write_atomic(path, data)
    return Product(path, 0, len(data), time.perf_counter() - started)


def write_docx(doc: Document, path: Path, cache: Path | None = None) -> Product:
    """Writes the Word file to path."""
    # Imported here: python-docx and lxml take a third of `check`'s start-up.
    from ..write.docx import DocxOptions, render_docx
    started = time.perf_counter()
    data = render_docx(doc, DocxOptions(draw_chart=ChartCache(cache).draw))
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
    staged = [path.with_name(f".{path.name}.{os.getpid()}{STAGED_SUFFIX}") for path in final]
    try:
        if parallel and hasattr(os, "fork"):
            products = _write_side_by_side(doc, staged, content_dir, limits)
        else:
            cache = chart_cache(out_dir)
            products = [write_pdf(doc, staged[0], content_dir, limits, cache=cache),
                        write_docx(doc, staged[1], cache=cache)]
        pair = _pair_record(final, staged)
        for source, target in zip(staged, final):
            os.replace(source, target)
        write_atomic(pair_file(out_dir, doc.meta.id), pair)
    finally:
        for path in staged:
            path.unlink(missing_ok=True)
    return [dataclasses.replace(p, path=target) for p, target in zip(products, final)]


# `all` replaces the two products with two renames. A build killed between
# them would leave a new PDF beside an old .docx; the pair file, written
# after both, lets the next `all` say so (mismatched-pair) and replace both.
def pair_file(out_dir: Path, report_id: str) -> Path:
    return out_dir / f".{report_id}.pair.json"


def _pair_record(final: list[Path], staged: list[Path]) -> bytes:
    return json.dumps({target.suffix.lstrip("."): file_sha256(written)
                       for target, written in zip(final, staged)}).encode("utf-8")


def check_pair(out_dir: Path, report_id: str) -> list[Diagnostic]:
    """Returns a warning when the PDF and .docx on disk are not the pair `all` wrote."""
    try:
        record = json.loads(pair_file(out_dir, report_id).read_text(encoding="utf-8"))
        products = {kind: out_dir / f"{report_id}.{kind}" for kind in ("pdf", "docx")}
        same = {kind: file_sha256(path) == record[kind] for kind, path in products.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no pair written by `all`, or not both products
    if all(same.values()) or not any(same.values()):
        return []
    newer = next(kind for kind, matches in same.items() if not matches)
    return [MISMATCHED_PAIR.at(products[newer], None, f"{products['pdf'].name} and "
                               f"{products['docx'].name} are from different builds (one was "
                               "stopped between replacing them); this build replaces both")]


def forget_pair(out_dir: Path, report_id: str) -> None:
    """Drops the pair record: a product was built alone, so the two are no pair."""
    pair_file(out_dir, report_id).unlink(missing_ok=True)


def _write_side_by_side(doc: Document, staged: list[Path], content_dir: Path,
                        limits: Limits) -> list[Product]:
    cache = chart_cache(staged[0].parent)
    _load_matplotlib_to_share(_charts(doc), cache, ("svg", "png"))
    read_end, write_end = os.pipe()
    child = fork_helper()
    if child == 0:
        os.close(read_end)
        _report_to_parent(write_end, lambda: _help_then_write_docx(doc, staged[1], cache))
    os.close(write_end)
    status = None
    try:
        with os.fdopen(read_end, "rb") as pipe:
            pdf = write_pdf(doc, staged[0], content_dir, limits, cache=cache)
            if matplotlib_loaded():  # else its import would cost more than it saves
                _help_draw(_charts(doc), cache, "png")  # from the last, as the child the first
            answer = pipe.read()
        status = os.waitpid(child, 0)[1]
    finally:
        if status is None:  # the PDF failed, or the run was stopped: so is the child
            reap(child, stopped_early=True)
            for half_written in staged[1].parent.glob(f".{staged[1].name}.*{TMP_SUFFIX}"):
                half_written.unlink(missing_ok=True)  # the child died in write_atomic
    return [pdf, _product_from(answer, status, staged[1].with_name(f"{doc.meta.id}.docx"))]


def _help_then_write_docx(doc: Document, path: Path, cache: Path) -> Product:
    """In the child of `all`: draws the PDF's charts from the last while the parent
    draws them from the first (matplotlib's drawing is most of what charts cost
    the PDF), and Word's pictures of the same charts from the same figures; then
    writes the .docx, drawing the pictures left from the first while the parent,
    its PDF written, draws them from the last."""
    _help_draw(_charts(doc), cache, "svg", then="png")
    return write_docx(doc, path, cache=cache)


def _drawing_beside(doc: Document, cache: Path | None) -> int | None:
    """Forks a helper drawing the PDF's charts into the cache, first to last, when
    one is to be drawn and this process may fork; returns its pid."""
    charts = _charts(doc)
    if cache is None or not may_fork() or all(ChartCache(cache).has(c, "svg") for c in charts):
        return None
    child = fork_helper()  # it imports matplotlib while this process imports WeasyPrint
    if child == 0:  # pragma: no cover -- the child's coverage is not collected
        try:
            _only_help(lambda: [ChartCache(cache).draw(chart, "svg") for chart in charts])
        finally:
            os._exit(0)  # no cleanup handlers: they belong to the parent
    return child


def _load_matplotlib_to_share(charts: list[Chart], cache: Path, kinds: tuple[str, ...]) -> None:
    """Imports matplotlib before all's fork when a chart is to be drawn: the child,
    whose core is busy to the end (every PNG, the .docx), then shares the import
    instead of doing it again. (pdf's helper, which has nothing else to do, imports
    it itself while this process imports WeasyPrint.)"""
    if any(not ChartCache(cache).has(chart, kind) for chart in charts for kind in kinds):
        load_matplotlib()


def _help_draw(charts: list[Chart], cache: Path, kind: str, then: str = "") -> None:
    _only_help(lambda: ChartCache(cache).draw_from_the_end(charts, kind, then))


def _only_help(drawing) -> None:
    """Runs drawing that only helps: where it fails, the process that needs a chart
    draws it itself."""
    try:
        drawing()
    except Exception:  # noqa: BLE001 -- a failed helper costs time, nothing else
        pass


def _charts(doc: Document) -> list[Chart]:
    return [node for section in doc.sections for node in walk(section.blocks)
            if isinstance(node, Chart)]


def _report_to_parent(fd: int, work) -> None:
    """Runs work in the child, sends its Product or diagnostics to the parent, and exits."""
    try:
        product = work()
        answer = {"product": [str(product.path), product.pages, product.size, product.seconds]}
    except PipelineError as exc:
        answer = {"diagnostics": [d.as_json() for d in exc.diagnostics]}
    except BaseException as exc:  # noqa: BLE001 - the parent reports it; the child must exit
        answer = {"crash": f"{type(exc).__name__}: {exc}"[:2000]}
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(json.dumps(answer).encode("utf-8"))
    os._exit(0)  # no cleanup handlers: they belong to the parent


def _product_from(answer: bytes, status: int, path: Path) -> Product:
    """Returns the child's product, or raises its findings, or a finding for its crash."""
    data = json.loads(answer) if answer else {}
    if "product" in data:
        product_path, pages, size, seconds = data["product"]
        return Product(Path(product_path), pages, size, seconds)
    if "diagnostics" in data:
        raise PipelineError([Diagnostic.from_json(d) for d in data["diagnostics"]])
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        raise PipelineError([TIME_LIMIT.at(path, None, "the Word writer was stopped by "
                                           "--time-limit")])
    how = data.get("crash") or (f"killed by signal {os.WTERMSIG(status)}"
                                if os.WIFSIGNALED(status) else "it stopped without a word")
    raise PipelineError([WRITER.at(path, None, f"the Word writer failed: {how}")])
