"""The recipe of the products: which process writes what, the chart cache, charts
drawn beside the PDF's layout and painted late, the PDF and .docx side by side.

The writers (pipeline/write/) turn the tree into bytes; ship/ stages, renames
and records them. Every product is written to a temporary name and renamed
into place, so a failed or killed build leaves the previous product as it was.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from ..diagnostics import PipelineError
from ..limits import Limits
from ..processes import Answer, Claim, Helper, Tickets, fork_helper, may_fork, reap
from ..rules import TIME_LIMIT, WRITER
from ..ship.bundle import copy_label, copy_name, dist_stem
from ..ship.output import CACHE_DIR, TMP_SUFFIX, write_atomic
from ..ship.products import Product, remove_staged, replace_pair, staged_names
from ..tree import Chart, Document, walk
from ..write import TEMPLATES
from ..write.chart import chart_key, draw_chart, figure_of, placeholder_svg, save_chart
from ..write.html import HtmlOptions, data_uri, render_html
from ..write.opendata import open_data
from ..write.pdf import PdfOptions, refuse_overlong, render_pdf


# Charts laid out by write.chart.figure_of, by id() of their Chart: the document's
# charts live as long as the build, and keep their ids in a forked process.
Figures = dict
KEPT_FIGURES = 64  # kept for a second kind: a few MiB, not a whole report's worth


class ChartCache:
    """Drawn charts kept under the output directory, named by chart_key: a rebuild
    with unchanged data draws none. Without a directory, in `memory` when one is
    given (the preview's warm process), else every chart is drawn."""

    def __init__(self, directory: Path | None, memory: dict[str, bytes] | None = None):
        self.directory, self.memory = directory, memory

    def draw(self, chart: Chart, kind: str) -> bytes:
        if self.directory is None and self.memory is not None:
            key = chart_key(chart, kind)
            if key not in self.memory:
                self.memory[key] = draw_chart(chart, kind)
            return self.memory[key]
        if self.directory is None:
            return draw_chart(chart, kind)
        path = self.path(chart, kind)
        if path.is_file():
            return path.read_bytes()
        return self._keep(chart, kind, draw_chart(chart, kind))

    def _keep(self, chart: Chart, kind: str, data: bytes) -> bytes:
        write_atomic(self.path(chart, kind), data)
        return data

    def draw_all(self, charts: list[Chart], kind: str, figures: Figures | None = None) -> None:
        """Draws into the cache each chart not there yet as kind."""
        for chart in charts:
            self._draw(chart, kind, figures)

    def draw_taken(self, charts: list[Chart], kind: str, figures: Figures | None,
                   tickets: Tickets, going_on: Callable[[], bool] = lambda: True) -> None:
        """Draws charts[n] as kind for each n this process takes from tickets, which a
        forked process shares, while going_on says so."""
        while going_on() and (n := tickets.take()) is not None:
            self._draw(charts[n], kind, figures)

    def _draw(self, chart: Chart, kind: str, figures: Figures | None) -> None:
        """Draws chart as kind into the cache, unless it is there. figures holds charts
        laid out already, and is given those laid out here: a chart drawn as two kinds
        is laid out once (a quarter of drawing its PNG)."""
        if self.directory is None or self.has(chart, kind):
            return
        figure = figures.get(id(chart)) if figures is not None else None
        if figure is None:
            figure = figure_of(chart)
            if figures is not None and len(figures) < KEPT_FIGURES:
                figures[id(chart)] = figure
        self._keep(chart, kind, save_chart(figure, kind))

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
    helper = _drawing_beside(doc, cache, "svg") if drawn_beside else None
    try:
        product = _write_pdf(doc, path, content_dir, limits, copy_label, cache, helper)
    except BaseException:
        _stop(helper, cache)
        raise
    if helper is not None:
        reap(helper, stopped_early=False)  # done with its last chart, or failed
    return product


def _write_pdf(doc: Document, path: Path, content_dir: Path, limits: Limits,
               copy_label: str, cache: Path | None, helper: int | None) -> Product:
    """Writes the PDF; with a helper drawing its charts, laid out around placeholders
    while it does, each painted with its drawing when the painting reaches it (or
    with this process's drawing, where the helper failed: the same bytes)."""
    started = time.perf_counter()
    refuse_overlong(doc, limits.max_pages)
    options = _pdf_options(content_dir, doc.meta.archival, limits)
    late: dict[str, Callable[[], bytes]] = {}

    def placeholder(chart: Chart, kind: str) -> bytes:
        svg = placeholder_svg(chart)
        late[data_uri(svg, "image/svg+xml")] = lambda: _drawn_by(helper, chart, cache, kind)
        return svg
    draw = placeholder if helper is not None else ChartCache(cache).draw
    html = render_html(doc, HtmlOptions(copy_label, draw_chart=draw))
    data, pages = render_pdf(html, options, late=late)
    write_atomic(path, data)
    return Product(path, pages, len(data), time.perf_counter() - started)


def _drawn_by(helper: int, chart: Chart, cache: Path, kind: str) -> bytes:
    """Returns the chart drawn as kind once the helper has drawn it, or drawn here if
    the helper has stopped without it."""
    charts = ChartCache(cache)
    drawn = charts.path(chart, kind)  # named once: a name is a hash of the chart
    while not drawn.is_file() and _running(helper):
        time.sleep(0.005)
    return charts.draw(chart, kind)


def _running(child: int) -> bool:
    """Says whether the forked child has not exited yet (without reaping it)."""
    try:
        return os.waitid(os.P_PID, child, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def _stop(helper: int | None, cache: Path | None) -> None:
    """Stops a helper when the build stopped (an error, --time-limit, SIGTERM), and
    removes what it was writing when it was killed."""
    if helper is None:
        return
    reap(helper, stopped_early=True)
    _remove_half_written(cache)


def _remove_half_written(cache: Path | None, *staged: Path) -> None:
    """Removes what a killed helper was writing: a staged product, a cached chart."""
    for path in staged:
        for half_written in path.parent.glob(f".{path.name}.*{TMP_SUFFIX}"):
            half_written.unlink(missing_ok=True)
    for half_written in cache.glob(f".*{TMP_SUFFIX}") if cache is not None else ():
        half_written.unlink(missing_ok=True)  # it died in write_atomic


def web_page(doc: Document, charts: ChartCache, head_extra: str = "") -> bytes:
    """Returns the web edition (with head_extra in its head: the preview's script)."""
    from ..write.web import WebOptions, render_web
    options = WebOptions(HtmlOptions(draw_chart=charts.draw, web=True), head_extra=head_extra)
    return render_web(doc, options).encode("utf-8")


def draft_pdf(doc: Document, content_dir: Path, charts: ChartCache,
              limits: Limits = Limits()) -> bytes:
    """Returns a PDF to look at, not to send: not archival (PDF/A and tags cost a
    fifth), for the preview."""
    html = render_html(doc, HtmlOptions(draw_chart=charts.draw))
    data, _ = render_pdf(html, _pdf_options(content_dir, False, limits))
    return data


def _pdf_options(content_dir: Path, archival: bool, limits: Limits) -> PdfOptions:
    """Returns how a PDF of the report is rendered: files from the report and the
    templates only."""
    return PdfOptions(content_dir, (content_dir, TEMPLATES), archival, limits.max_pages)


def write_web(doc: Document, path: Path, cache: Path | None = None) -> Product:
    """Writes the web edition to path."""
    started = time.perf_counter()
    data = web_page(doc, ChartCache(cache))
    write_atomic(path, data)
    return Product(path, 0, len(data), time.perf_counter() - started)


def write_docx(doc: Document, path: Path, cache: Path | None = None,
               helper: int | None = None) -> Product:
    """Writes the Word file to path; its pictures of charts are drawn by the helper,
    when one is drawing them, and waited for."""
    # Imported here: python-docx and lxml take a third of `check`'s start-up.
    from ..write.docx import DocxOptions, render_docx
    started = time.perf_counter()
    draw = (ChartCache(cache).draw if helper is None
            else lambda chart, kind: _drawn_by(helper, chart, cache, kind))
    data = render_docx(doc, DocxOptions(draw_chart=draw))
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
    staged = staged_names(final)
    try:
        if parallel and hasattr(os, "fork"):
            products = _write_side_by_side(doc, staged, content_dir, limits)
        else:
            cache = chart_cache(out_dir)
            products = [write_pdf(doc, staged[0], content_dir, limits, cache=cache),
                        write_docx(doc, staged[1], cache=cache)]
        replace_pair(out_dir, doc.meta.id, final, staged)
    finally:
        remove_staged(staged)
    return [dataclasses.replace(p, path=target) for p, target in zip(products, final)]


def write_bundle_products(doc: Document, out_dir: Path, content_dir: Path,
                          recipients: tuple[str, ...], limits: Limits,
                          tmp: Path) -> tuple[list[Path], int]:
    """Writes a bundle's PDF, .docx and numbered copies into tmp; returns the files and
    the PDF's pages."""
    stem = dist_stem(doc.meta)
    cache = chart_cache(out_dir)
    pdf = write_pdf(doc, tmp / f"{stem}.pdf", content_dir, limits, cache=cache)
    files = [pdf.path, write_docx(doc, tmp / f"{stem}.docx", cache=cache).path]
    for number, recipient in enumerate(recipients, start=1):
        path = tmp / "copies" / copy_name(stem, number, recipient)
        files.append(write_pdf(doc, path, content_dir, limits, copy_label(recipient, number),
                               cache=cache).path)
    for name, data in open_data(doc).items():  # the numbers behind the charts and tables
        (tmp / "data").mkdir(exist_ok=True)
        write_atomic(tmp / "data" / name, data)
        files.append(tmp / "data" / name)
    return files, pdf.pages


def _write_side_by_side(doc: Document, staged: list[Path], content_dir: Path,
                        limits: Limits) -> list[Product]:
    """Writes the PDF in this process while a forked child draws the charts not drawn
    yet, the PDF's SVGs first, then Word's pictures; the .docx is then written by
    whichever of the two is free first: the child when there was little to draw,
    this process when its PDF was done before the drawings."""
    cache = chart_cache(staged[0].parent)
    docx = Claim()
    # It imports matplotlib, if it draws, as this process WeasyPrint.
    helper = Helper(lambda: _draw_then_write_docx(doc, staged[1], cache, docx))
    answer = None
    try:
        pdf = _write_pdf(doc, staged[0], content_dir, limits, "", cache, helper=helper.pid)
        word = write_docx(doc, staged[1], cache, helper=helper.pid) if docx.take() else None
        answer = helper.answer()
    finally:
        docx.close()
        if answer is None:  # the PDF failed, or the run was stopped: so is the helper
            helper.stop()
            _remove_half_written(cache, staged[1])
    final_docx = staged[1].with_name(f"{doc.meta.id}.docx")
    return [pdf, word or _product_from(answer, final_docx)]


def _draw_then_write_docx(doc: Document, path: Path, cache: Path, docx: Claim) -> Product | None:
    """In the child of `all`: draws the charts not drawn yet, the PDF's SVGs first,
    then Word's pictures; writes the .docx unless the parent has claimed it (then
    returns None)."""
    charts, drawn, figures = _charts(doc), ChartCache(cache), {}
    _only_help(lambda: drawn.draw_all(charts, "svg", figures))
    _only_help(lambda: _draw_on_two_cores(charts, drawn, "png", figures))
    return write_docx(doc, path, cache=cache) if docx.take() else None


def _draw_on_two_cores(charts: list[Chart], drawn: ChartCache, kind: str,
                       figures: Figures) -> None:
    """Draws the charts not drawn yet as kind, sharing them with a forked helper that
    shares this process's matplotlib and laid-out figures. In `all`'s child, Word's
    pictures come when the parent's PDF is done or nearly, and its core is free."""
    missing = [chart for chart in charts if not drawn.has(chart, kind)]
    if len(missing) < 2 or not may_fork():
        return drawn.draw_all(missing, kind, figures)
    tickets = Tickets(len(missing))
    helper = fork_helper()
    if helper == 0:  # pragma: no cover -- the child's coverage is not collected
        parent = os.getppid()
        try:  # killed with its parent's process group, and stops between charts if alone
            _only_help(lambda: drawn.draw_taken(missing, kind, figures, tickets,
                                                lambda: os.getppid() == parent))
        finally:
            os._exit(0)
    try:
        drawn.draw_taken(missing, kind, figures, tickets)
    except BaseException:
        reap(helper, stopped_early=True)
        raise
    finally:
        tickets.close()
    reap(helper, stopped_early=False)
    drawn.draw_all(missing, kind, figures)  # what a failed helper left


def _drawing_beside(doc: Document, cache: Path | None, kind: str) -> int | None:
    """Forks a helper drawing the charts into the cache as kind, when one is to be
    drawn and this process may fork; returns its pid."""
    charts = _charts(doc)
    if cache is None or not may_fork() or all(ChartCache(cache).has(c, kind) for c in charts):
        return None
    child = fork_helper()  # it imports matplotlib while this process imports WeasyPrint
    if child == 0:  # pragma: no cover -- the child's coverage is not collected
        try:
            _only_help(lambda: ChartCache(cache).draw_all(charts, kind))
        finally:
            os._exit(0)  # no cleanup handlers: they belong to the parent
    return child


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


def _product_from(answer: Answer, path: Path) -> Product:
    """Returns the helper's product, or raises its findings, or a finding for its crash."""
    if answer.kind == "value" and answer.value is not None:
        return answer.value
    if answer.kind == "findings":
        raise PipelineError(answer.value)
    status = answer.status
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        raise PipelineError([TIME_LIMIT.at(path, None, "the Word writer was stopped by "
                                           "--time-limit")])
    how = answer.value if answer.kind == "crash" else (
        f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
        else "it stopped without a word")
    raise PipelineError([WRITER.at(path, None, f"the Word writer failed: {how}")])
