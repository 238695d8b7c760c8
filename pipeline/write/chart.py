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
from dataclasses import asdict

from ..read.blocks import format_number
from ..tree import Chart, plain_text
from ..write.page import HEADING_FONT, PAGE
from .chart_svg import tidy_svg

# Colour-universal-design colours (CUD ver. 4) in an order whose neighbours differ
# in lightness as well as in hue: blue, orange, brown, sky blue, green, red, purple.
PALETTE = ("#005AFF", "#F6AA00", "#804000", "#4DC4FF", "#03AF7A", "#FF4B00", "#990099")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
WIDTH_MM = PAGE.width - PAGE.left - PAGE.right - 20
HEIGHT_MM = WIDTH_MM * 0.56
PNG_DPI = 220
FORMAT_VERSION = "8"  # raise when the drawing changes, so cached drawings are redrawn


def alt_text(chart: Chart) -> str:
    """Returns the chart in words, for screen readers and Word's alt text."""
    unit = f"（単位：{chart.unit}）" if chart.unit else ""
    rows = []
    for index, category in enumerate(chart.categories):
        values = "、".join(f"{s.name} {_value(s.values[index], s.decimals)}"
                          + ("" if s.values[index] is None else chart.unit)
                          for s in chart.series)
        rows.append(f"{category}：{values}")
    return f"{plain_text(chart.caption)}{unit}。" + "。".join(rows) + "。"


def _value(value, decimals: int) -> str:
    return "値なし" if value is None else format_number(value, decimals)


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
    import matplotlib.artist
    if callable(getattr(matplotlib.artist, "kwdoc", None)):
        matplotlib.artist.kwdoc = lambda artist: ""
    import matplotlib.figure  # noqa: F401 -- the import is the point


def placeholder_svg(chart: Chart) -> bytes:
    """Returns an empty SVG of the chart's size, named for the chart: what the PDF
    lays out while a helper draws it. matplotlib writes the size the same way, so
    both are laid out alike to the last digit."""
    width, height = (_points(inches * 72) for inches in (WIDTH_MM / 25.4, HEIGHT_MM / 25.4))
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
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4))
        axes = figure.add_subplot()
        _PLOTS[chart.kind](axes, chart)
        _set_margins(figure, chart)
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


FONT_EM = 9 / 72  # inches: the charts' type is 9 pt


def _set_margins(figure, chart: Chart) -> None:
    """Sets the margins from the longest labels, measured as Japanese type is set
    (a wide character one em, a narrow one about half): tight_layout would lay
    the figure out twice, half of a chart's drawing time."""
    if chart.kind == "pie":
        figure.tight_layout()  # labels around a circle: measured for real
        return
    width, height = figure.get_size_inches()
    longest_value = max((len(format_number(v, s.decimals)) for s in chart.series
                         for v in s.values if v is not None), default=1) + 1
    longest_category = max((_ems(c) for c in chart.categories), default=1)
    if chart.kind.endswith("barh"):
        left, bottom = longest_category * FONT_EM + 0.2, 0.55
        right = 0.15 + (longest_value * 0.55 * FONT_EM if chart.value_labels else 0)
    else:
        left, bottom, right = longest_value * 0.55 * FONT_EM + 0.25, 0.4, 0.15
    top = 0.35 + LEGEND_ROW * max(0, _legend_rows(chart) - 1)  # the legend sits above
    figure.subplots_adjust(left=min(left / width, 0.45), right=1 - right / width,
                           bottom=bottom / height, top=1 - top / height)


def _ems(text: str) -> float:
    from unicodedata import east_asian_width
    return sum(1 if east_asian_width(c) in "WF" else 0.55 for c in text)


def _bars(axes, chart: Chart, horizontal: bool = False, stacked: bool = False) -> None:
    count, positions = len(chart.series), range(len(chart.categories))
    width = 0.8 if stacked else 0.8 / count
    base = [0.0] * len(chart.categories)
    for n, series in enumerate(chart.series):
        values = [0 if v is None else v for v in series.values]
        offset = [p + (0 if stacked else (n - (count - 1) / 2) * width) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        where = {"left" if horizontal else "bottom": base} if stacked else {}
        bars = draw(offset, values, width, color=PALETTE[n % 7], edgecolor="white",
                    linewidth=0.5, label=series.name, **where)
        if chart.value_labels:
            axes.bar_label(bars, labels=[_value(v, series.decimals) if v is not None else ""
                                         for v in series.values],
                           label_type="center" if stacked else "edge", padding=2, fontsize=7)
        base = [b + v for b, v in zip(base, values)] if stacked else base
    if chart.value_labels:  # room for the labels past the longest bar
        axes.margins(**({"x": 0.1} if horizontal else {"y": 0.1}))
    ticks = axes.set_yticks if horizontal else axes.set_xticks
    ticks(list(positions), chart.categories)
    _value_axis(axes.xaxis if horizontal else axes.yaxis, chart, horizontal)
    if horizontal:
        axes.invert_yaxis()  # the first category on top, as a table reads
    _legend(axes, chart)


def _line(axes, chart: Chart) -> None:
    for n, series in enumerate(chart.series):
        values = [float("nan") if v is None else v for v in series.values]  # a gap
        axes.plot(chart.categories, values, color=PALETTE[n % 7], marker=MARKERS[n % 7],
                  linewidth=1.6, label=series.name)
        if chart.value_labels:
            for x, v in zip(chart.categories, series.values):
                if v is not None:
                    axes.annotate(_value(v, series.decimals), (x, v), textcoords="offset points",
                                  xytext=(0, 5), ha="center", fontsize=7)
    _value_axis(axes.yaxis, chart, False)
    _legend(axes, chart)


def _pie(axes, chart: Chart) -> None:
    series = chart.series[0]
    pairs = [(c, v) for c, v in zip(chart.categories, series.values) if v]
    labels = [c for c, _ in pairs]
    if chart.value_labels:
        labels = [f"{c}\n{_value(v, series.decimals)}{chart.unit}" for c, v in pairs]
    axes.pie([v for _, v in pairs], labels=labels, colors=PALETTE, startangle=90,
             counterclock=False, wedgeprops={"edgecolor": "white", "linewidth": 1})
    axes.set_aspect("equal")


def _value_axis(axis, chart: Chart, horizontal: bool) -> None:
    from matplotlib.ticker import FuncFormatter
    decimals = max((s.decimals for s in chart.series), default=0)
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(
        round(v, decimals) if decimals else int(round(v)), decimals)))
    if chart.unit and horizontal:
        axis.axes.set_xlabel(f"（{chart.unit}）", loc="right")
    elif chart.unit:  # above the value axis, read across as Japanese charts set it
        axis.axes.text(0, 1.03, f"（{chart.unit}）", transform=axis.axes.transAxes,
                       ha="right", va="bottom")
    axis.axes.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
    axis.axes.set_axisbelow(True)


def _legend(axes, chart: Chart) -> None:
    """Puts the legend in one row above the plot, at its right: where Japanese
    charts set it, never over the data, and without matplotlib's search for the
    "best" place (a sixth of a chart's drawing time)."""
    if len(chart.series) > 1:
        axes.legend(frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1, 1),
                    ncols=LEGEND_COLUMNS, borderaxespad=0.3, handlelength=1.2,
                    columnspacing=1.0)


LEGEND_COLUMNS = 4
LEGEND_ROW = 0.17  # inches: a row of 8 pt type with its spacing


def _legend_rows(chart: Chart) -> int:
    return -(-len(chart.series) // LEGEND_COLUMNS) if len(chart.series) > 1 else 0


_PLOTS = {
    "bar": _bars,
    "barh": lambda axes, chart: _bars(axes, chart, horizontal=True),
    "stacked": lambda axes, chart: _bars(axes, chart, stacked=True),
    "stacked-barh": lambda axes, chart: _bars(axes, chart, horizontal=True, stacked=True),
    "line": _line,
    "pie": _pie,
}
