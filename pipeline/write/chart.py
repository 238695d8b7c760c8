"""A Chart → SVG (for the PDF: vector, its words real text in BIZ UD Gothic) or
PNG (for Word, at 220 dpi of its printed size), drawn with matplotlib.

matplotlib is imported only when a report has a chart. chart_key names a
drawing by a hash of the chart and of how it is drawn, so that the ship
stage can keep drawings and a rebuild with unchanged data draws nothing.
The same chart gives the same bytes: no date in the SVG, a fixed hash salt
for its ids, no software tag in the PNG.

The look follows Japanese official charts: the unit with the value axis
（万人）, thousands separators, colours from the colour-universal-design
set in an order that alternates dark and light, so that greyscale prints
tell neighbouring series apart, markers on lines, and no chart junk. (No
hatches: WeasyPrint draws an SVG pattern point by point, a second a chart.)
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import sys
import warnings
from dataclasses import asdict

from ..numbers import format_number
from ..tree import Chart, plain_text
from ..write.page import HEADING_FONT
from .chart_draw import draw_plot, value_text
from .chart_plan import HEIGHT_IN, WIDTH_IN, Plan, plan_chart
from .chart_svg import tidy_svg

WIDTH_MM = WIDTH_IN * 25.4  # the width of every chart; a lying one grows taller
HEIGHT_MM = HEIGHT_IN * 25.4
PNG_DPI = 220
FORMAT_VERSION = "9"  # raise when the drawing changes, so cached drawings are redrawn


def alt_text(chart: Chart) -> str:
    """Returns the chart in words, for screen readers and Word's alt text."""
    unit = f"（単位：{chart.unit}）" if chart.unit else ""
    rows = []
    for index, category in enumerate(chart.categories):
        values = "、".join(f"{s.name} {value_text(s.values[index], s.decimals)}"
                          + ("" if s.values[index] is None else chart.unit)
                          for s in chart.series)
        rows.append(f"{category}：{values}")
    return f"{plain_text(chart.caption)}{unit}。" + "。".join(rows) + "。"


def chart_key(chart: Chart, kind: str) -> str:
    """Returns a name for the drawing: the same for the same chart drawn the same way."""
    spec = {"chart": [chart.kind, chart.categories, [asdict(s) for s in chart.series],
                      chart.unit, chart.value_labels], "kind": kind, "format": FORMAT_VERSION,
            "font": HEADING_FONT.family, "size": [WIDTH_MM, HEIGHT_MM, PNG_DPI],
            "matplotlib": _matplotlib_version()}
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode()).hexdigest()[:32]


@functools.cache
def _matplotlib_version() -> str:
    from importlib import metadata
    return metadata.version("matplotlib")


def matplotlib_loaded() -> bool:
    """Says whether this process has imported matplotlib already (half a second)."""
    return "matplotlib.figure" in sys.modules


def load_matplotlib() -> None:
    """Imports matplotlib, without the help texts nothing here reads; once, in the
    process that draws (a helper forked after it shares the import).

    As it imports each artist class, matplotlib writes the docstring of its set()
    by listing every setter (artist.kwdoc): a quarter of the import, 0.15 s here.
    kwdoc is only ever read into docstrings; it is made to write nothing.
    """
    if matplotlib_loaded():
        return
    # A character the font lacks is the check's warning (chart-glyph), said once at
    # the chart; matplotlib would print it again on stderr for every drawing.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                            category=UserWarning)
    import matplotlib.artist
    if callable(getattr(matplotlib.artist, "kwdoc", None)):
        matplotlib.artist.kwdoc = lambda artist: ""
    import matplotlib.figure  # noqa: F401 -- the import is the point


def plan_of(chart: Chart) -> Plan:
    """Returns how the chart is drawn: its size, kind, labels and legend."""
    return plan_chart(chart, [format_number(v, s.decimals) for s in chart.series
                              for v in s.values if v is not None])


def placeholder_svg(chart: Chart) -> bytes:
    """Returns an empty SVG of the chart's size, named for the chart: what the PDF
    lays out while a helper draws it. matplotlib writes the size the same way, so
    both are laid out alike to the last digit."""
    plan = plan_of(chart)
    width, height = (_points(inches * 72) for inches in (plan.width, plan.height))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
            f'viewBox="0 0 {width} {height}"><desc>{chart_key(chart, "svg")}</desc></svg>'
            ).encode("ascii")


def _points(value: float) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")  # matplotlib's short_float_fmt


def draw_chart(chart: Chart, kind: str) -> bytes:
    """Returns the chart drawn as 'svg' or 'png'."""
    return save_chart(figure_of(chart), kind)


_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "pipeline", "font.family":
          HEADING_FONT.family, "font.size": 9, "axes.spines.top": False,
          "axes.spines.right": False, "axes.unicode_minus": False}


def figure_of(chart: Chart):
    """Returns the chart laid out as a matplotlib figure, for save_chart: a process
    that wants both kinds lays a chart out once (a quarter of drawing its PNG)."""
    # matplotlib.figure, not pyplot: pyplot's import (its backends, its state) costs a
    # third of a second more, and a figure that no pyplot holds needs no closing.
    load_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure
    plan = plan_of(chart)
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(plan.width, plan.height))
        axes = figure.add_subplot()
        draw_plot(figure, axes, chart, plan)
    return figure


def save_chart(figure, kind: str) -> bytes:
    """Returns a figure of figure_of as 'svg' or 'png': the same bytes whether it was
    saved as the other kind before or not."""
    import matplotlib
    with matplotlib.rc_context(_STYLE):
        if kind == "png":
            return _png(figure)
        out = io.BytesIO()
        figure.savefig(out, format="svg", dpi=PNG_DPI, metadata={"Date": None})
    return tidy_svg(out.getvalue())


# At 220 dpi, FreeType's hinting (matplotlib forces its autohinter) changes nothing
# one can see, and it is a quarter of drawing the picture; unhinted, the letters
# keep the shapes they have in the PDF.
_PNG_STYLE = {"text.hinting": "no_hinting"}


def _png(figure) -> bytes:
    """Returns the figure as an RGB PNG at PNG_DPI. matplotlib writes RGBA: a chart on
    white has no transparency, and a quarter fewer bytes are quicker to compress."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    canvas, dpi = FigureCanvasAgg(figure), figure.dpi
    figure.dpi = PNG_DPI
    try:
        with matplotlib.rc_context(_PNG_STYLE):
            canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(physical=True),
                                 canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    finally:
        figure.dpi = dpi
    out = io.BytesIO()
    # No software or date chunk. zlib's fastest level: a third less time than its
    # default for a tenth more bytes (68 KB a chart instead of 63).
    image.save(out, "PNG", dpi=(PNG_DPI, PNG_DPI), compress_level=1)
    return out.getvalue()
