"""A Chart and its Plan → matplotlib's artists on a figure: bars, lines, a pie, the
value axis and the legend, each piece of text where the plan says it fits.

Colours come from the colour-universal-design set in an order that alternates
dark and light, so that greyscale prints tell neighbouring series apart. A
value label is drawn only where it fits: inside its segment of a stacked
bar, within its bar's width, clear of the next point's label on a line.
"""

from __future__ import annotations

from ..numbers import format_number
from ..tree import Chart
from .chart_plan import LABEL_PT, Plan, inches

# Colour-universal-design colours (CUD ver. 4) in an order whose neighbours differ
# in lightness as well as in hue: blue, orange, brown, sky blue, green, red, purple.
PALETTE = ("#005AFF", "#F6AA00", "#804000", "#4DC4FF", "#03AF7A", "#FF4B00", "#990099")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LABEL_HEIGHT = LABEL_PT * 1.25 / 72  # inches: a value label's line
DIGIT_EM = 0.5  # BIZ UDGothic's digits and commas are half an em wide


def draw_plot(figure, axes, chart: Chart, plan: Plan) -> None:
    """Draws the chart on axes as planned, with the figure's margins."""
    if plan.kind == "pie":
        _pie(axes, chart)
        figure.tight_layout()  # labels around a circle: measured for real
        return
    figure.subplots_adjust(left=plan.left / plan.width, right=1 - plan.right / plan.width,
                           bottom=plan.bottom / plan.height, top=1 - plan.top / plan.height)
    if plan.kind == "line":
        _line(axes, chart, plan)
    else:
        _bars(axes, chart, plan, plan.kind.endswith("barh"), plan.kind.startswith("stacked"))
    _legend(axes, chart, plan)


def value_text(value, decimals: int) -> str:
    """Returns a value as the chart and its text alternative print it."""
    return "値なし" if value is None else format_number(value, decimals)


def _bars(axes, chart: Chart, plan: Plan, horizontal: bool, stacked: bool) -> None:
    count, positions = len(chart.series), range(len(chart.categories))
    width = 0.8 if stacked else 0.8 / count
    base = [0.0] * len(chart.categories)
    drawn = []
    for n, series in enumerate(chart.series):
        values = [0 if v is None else v for v in series.values]
        offset = [p + (0 if stacked else (n - (count - 1) / 2) * width) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        where = {"left" if horizontal else "bottom": base} if stacked else {}
        drawn.append(draw(offset, values, width, color=PALETTE[n % 7], edgecolor="white",
                          linewidth=0.5 if _breadth(plan, width) > 4 / 72 else 0,
                          label=series.name, **where))
        base = [b + v for b, v in zip(base, values)] if stacked else base
    if chart.value_labels and not stacked:  # room for the labels past the longest bar
        axes.margins(**({"x": 0.1} if horizontal else {"y": 0.1}))
    if chart.value_labels:
        for bars, series in zip(drawn, chart.series):
            _bar_labels(axes, bars, series, plan, width, horizontal, stacked)
    ticks = axes.set_yticks if horizontal else axes.set_xticks
    ticks(list(positions), plan.labels, fontsize=plan.tick_pt)
    _value_axis(axes.xaxis if horizontal else axes.yaxis, chart, plan, horizontal)
    if horizontal:
        axes.invert_yaxis()  # the first category on top, as a table reads


def _breadth(plan: Plan, width: float) -> float:
    """Returns a bar's breadth in inches (a white edge would hide a thin one)."""
    across = plan.plot_height if plan.kind.endswith("barh") else plan.plot_width
    return width * across / len(plan.labels)


def _bar_labels(axes, bars, series, plan: Plan, width: float, horizontal: bool,
                stacked: bool) -> None:
    """Labels each bar whose label fits: across a stacked segment, or within its bar's
    breadth beyond its end."""
    low, high = axes.get_xlim() if horizontal else axes.get_ylim()
    length_in = (plan.plot_width if horizontal else plan.plot_height) / (high - low)
    breadth_in = _breadth(plan, width)
    texts = []
    for value in series.values:
        text = "" if value is None else value_text(value, series.decimals)
        across, along = inches(text, LABEL_PT) + 0.04, LABEL_HEIGHT
        if horizontal:
            across, along = along, across  # a lying bar's label runs along it
        fits = across <= breadth_in and (not stacked or abs(value or 0) * length_in >= along)
        texts.append(text if fits else "")
    axes.bar_label(bars, labels=texts, label_type="center" if stacked else "edge", padding=2,
                   fontsize=LABEL_PT)


def _line(axes, chart: Chart, plan: Plan) -> None:
    xs = list(plan.dates) if plan.dates else list(range(len(chart.categories)))
    for n, series in enumerate(chart.series):
        values = [float("nan") if v is None else v for v in series.values]  # a gap
        axes.plot(xs, values, color=PALETTE[n % 7], marker=MARKERS[n % 7] if plan.markers
                  else None, markersize=5, linewidth=1.6 if plan.markers else 1.2,
                  label=series.name)
    if plan.dates:
        _time_axis(axes, plan)
    else:
        axes.set_xticks([xs[i] for i in plan.ticks], [plan.labels[i] for i in plan.ticks])
    _value_axis(axes.yaxis, chart, plan, False)
    if chart.value_labels:
        _line_labels(axes, chart, plan, xs)


def _time_axis(axes, plan: Plan) -> None:
    """Dates on a time axis, its ticks as Japanese dates that never crowd."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    widest = inches("2020年12月", 9) + 0.15
    locator = AutoDateLocator(minticks=2, maxticks=max(2, int(plan.plot_width // widest)))
    formatter = ConciseDateFormatter(
        locator, formats=["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y年", "%-m月", "%-m月%-d日", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y年", "%Y年%-m月", "%Y年%-m月%-d日", "%Y年%-m月%-d日",
                        "%Y年%-m月%-d日"])
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)


def _line_labels(axes, chart: Chart, plan: Plan, xs) -> None:
    """Labels the points whose labels fit: apart from the next point's along the line,
    and from the other series' labels at the same point."""
    low, high = axes.get_ylim()
    per_unit = plan.plot_height / (high - low)
    span = (xs[-1] - xs[0]) if len(xs) > 1 else 1
    span = span.days if hasattr(span, "days") else span
    taken: dict[int, list[float]] = {}
    for series in chart.series:
        for i, (x, value) in enumerate(zip(xs, series.values)):
            text = "" if value is None else value_text(value, series.decimals)
            if not text or not _apart_along(xs, i, span, plan, inches(text, LABEL_PT)):
                continue
            height = value * per_unit
            if any(abs(height - other) < LABEL_HEIGHT for other in taken.get(i, [])):
                continue
            taken.setdefault(i, []).append(height)
            axes.annotate(text, (x, value), textcoords="offset points", xytext=(0, 5),
                          ha="center", fontsize=LABEL_PT)


def _apart_along(xs, i: int, span, plan: Plan, width: float) -> bool:
    """Says whether a label at point i clears the labels of its neighbours."""
    def gap(a, b) -> float:
        d = xs[b] - xs[a]
        return (d.days if hasattr(d, "days") else d) / span * plan.plot_width
    return all(gap(min(i, j), max(i, j)) >= width + 0.04 for j in (i - 1, i + 1)
               if 0 <= j < len(xs))


def _pie(axes, chart: Chart) -> None:
    series = chart.series[0]
    pairs = [(c, v) for c, v in zip(chart.categories, series.values) if v]
    labels = [c for c, _ in pairs]
    if chart.value_labels:
        labels = [f"{c}\n{value_text(v, series.decimals)}{chart.unit}" for c, v in pairs]
    axes.pie([v for _, v in pairs], labels=labels, colors=PALETTE, startangle=90,
             counterclock=False, wedgeprops={"edgecolor": "white", "linewidth": 1})
    axes.set_aspect("equal")


def _value_axis(axis, chart: Chart, plan: Plan, horizontal: bool) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    decimals = max((s.decimals for s in chart.series), default=0)
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(
        round(v, decimals) if decimals else int(round(v)), decimals)))
    if horizontal:  # side by side: no more ticks than their widest label leaves room for
        widest = max((len(value_text(v, s.decimals)) for s in chart.series for v in s.values
                      if v is not None), default=3) * DIGIT_EM * plan.tick_pt / 72
        fit = int(plan.plot_width // (widest + 0.05))
        if fit < plan.plot_width * 72 // (3 * plan.tick_pt):  # matplotlib's own count
            axis.set_major_locator(MaxNLocator(nbins=max(1, fit), steps=[1, 2, 2.5, 5, 10]))
    if chart.unit and horizontal:
        axis.axes.set_xlabel(f"（{chart.unit}）", loc="right")
    elif chart.unit:  # above the value axis, read across as Japanese charts set it
        axis.axes.text(0, 1.03, f"（{chart.unit}）", transform=axis.axes.transAxes,
                       ha="right", va="bottom")
    axis.axes.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
    axis.axes.set_axisbelow(True)


def _legend(axes, chart: Chart, plan: Plan) -> None:
    """Puts the legend above the plot, at its right: where Japanese charts set it,
    never over the data, and without matplotlib's search for the "best" place (a
    sixth of a chart's drawing time). It reads row by row in the series' order."""
    if len(chart.series) < 2:
        return
    handles, labels = axes.get_legend_handles_labels()
    axes.legend([handles[i] for i in plan.legend_order], [labels[i] for i in plan.legend_order],
                frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1, 1),
                ncols=plan.legend_columns, borderaxespad=0.3, handlelength=1.2,
                columnspacing=1.0)
