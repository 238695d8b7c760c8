"""A Chart → its plan: what fits, worked out from the data before matplotlib draws.

A chart must stay readable at any size of data: no two pieces of text may
overlap. Text is measured as Japanese type is set (a wide character one em,
a narrow one a little over half), so the plan needs no renderer and gives the
same answer on every machine:

- category labels of upright bars are wrapped when a slot is too narrow, and
  the bars are laid on their side when wrapping is not enough; lying bars
  make the chart as tall as their rows need (up to MAX_BARS);
- a line's labels are thinned to those that fit, its markers left off when it
  has many points, and dates go on a time axis;
- the legend takes as many columns as fit beside the unit, and is ordered so
  that it reads row by row in the order of the series.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from unicodedata import east_asian_width

from ..tree import Chart
from .page import PAGE

WIDTH_IN = (PAGE.width - PAGE.left - PAGE.right - 20) / 25.4
HEIGHT_IN = WIDTH_IN * 0.56
# As tall as a page's body holds with its caption and 出典, once the PDF scales the
# chart to the text's width (156 mm for 136).
MAX_HEIGHT_IN = 190 / 25.4
TICK_PT, SMALL_TICK_PT, LABEL_PT, LEGEND_PT = 9.0, 8.0, 7.0, 8.0
NARROW = 0.55  # a narrow character's width, in ems (generous for BIZ UDGothic's 0.5)
MAX_MARKERS = 30  # points a line may mark; past that, markers hide the line
LEGEND_ROW = 0.17  # inches: a row of 8 pt type with its spacing
_DATE = [re.compile(p) for p in (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})",
                                 r"(\d{4})年(\d{1,2})月(\d{1,2})日",
                                 r"(\d{4})[-/.](\d{1,2})", r"(\d{4})年(\d{1,2})月")]


@dataclass(frozen=True)
class Plan:
    """How a chart is drawn: its kind, size and margins (inches), and its texts."""

    kind: str  # as drawn: an upright bar chart of many categories lies down
    width: float
    height: float
    left: float
    right: float
    bottom: float
    top: float
    labels: tuple[str, ...]  # the category labels as shown (wrapped with \n)
    ticks: tuple[int, ...]  # the categories that carry a label
    tick_pt: float
    markers: bool
    dates: tuple[datetime, ...] | None  # a time axis, when every category is a date
    legend_columns: int
    legend_order: tuple[int, ...]  # series in the order matplotlib fills the columns

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.bottom - self.top


def ems(text: str) -> float:
    """Returns the width of a text in ems: a wide character one, a narrow one NARROW."""
    return max((sum(1 if east_asian_width(c) in "WF" else NARROW for c in line)
                for line in text.split("\n")), default=0)


def inches(text: str, points: float) -> float:
    return ems(text) * points / 72


def plan_chart(chart: Chart, value_texts: list[str]) -> Plan:
    """Returns the plan; value_texts are the values as the axis prints them."""
    if chart.kind == "pie":
        return Plan("pie", WIDTH_IN, HEIGHT_IN, 0, 0, 0, 0, chart.categories, (), TICK_PT,
                    False, None, 1, (0,))
    columns, order, rows = _legend(chart)
    top = 0.35 + LEGEND_ROW * max(0, rows - 1)
    longest_value = max((ems(t) for t in value_texts), default=1) + NARROW
    if chart.kind in ("bar", "stacked"):
        upright = _upright(chart, longest_value, top, columns, order)
        if upright:
            return upright
    if chart.kind in ("bar", "stacked", "barh", "stacked-barh"):
        return _lying(chart, longest_value, top, columns, order)
    return _line(chart, longest_value, top, columns, order)


def _upright(chart: Chart, longest_value: float, top: float, columns, order) -> Plan | None:
    """Upright bars, their labels wrapped to their slots; None when they cannot fit."""
    left = longest_value * TICK_PT / 72 + 0.25
    plot = WIDTH_IN - left - 0.15
    slot = plot / len(chart.categories) * 0.92
    per_line = slot * 72 / TICK_PT  # ems a line of a label may take
    lines = max((math.ceil(ems(c) / per_line) if per_line > 0 else 99 for c in chart.categories),
                default=1)
    if lines > 3 or per_line < 1:
        return None
    labels = tuple(wrap(c, per_line) for c in chart.categories)
    bottom = 0.4 + (lines - 1) * TICK_PT * 1.2 / 72
    return Plan(chart.kind, WIDTH_IN, HEIGHT_IN, left, 0.15, bottom, top, labels,
                tuple(range(len(labels))), TICK_PT, False, None, columns, order)


def _lying(chart: Chart, longest_value: float, top: float, columns, order) -> Plan:
    """Bars on their side: a row a category, the chart as tall as its rows."""
    kind = {"bar": "barh", "stacked": "stacked-barh"}.get(chart.kind, chart.kind)
    size = TICK_PT if len(chart.categories) <= 20 else SMALL_TICK_PT
    room = WIDTH_IN * 0.4 * 72 / size  # ems a label may take before it wraps
    labels = tuple(wrap(c, room) for c in chart.categories)
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    pitch = lines * size * 1.2 / 72
    left = min(max((ems(label) for label in labels), default=1) * size / 72 + 0.2,
               WIDTH_IN * 0.45)
    right = 0.15 + (longest_value * TICK_PT / 72 if chart.value_labels else 0)
    bottom = 0.55
    height = min(max(HEIGHT_IN, len(labels) * pitch + top + bottom), MAX_HEIGHT_IN)
    return Plan(kind, WIDTH_IN, height, left, right, bottom, top, labels,
                tuple(range(len(labels))), size, False, None, columns, order)


def _line(chart: Chart, longest_value: float, top: float, columns, order) -> Plan:
    """A line: its labels thinned to those that fit; dates on a time axis."""
    left = longest_value * TICK_PT / 72 + 0.25
    dates = parse_dates(chart.categories)
    count = len(chart.categories)
    plot = WIDTH_IN - left - 0.2
    widest = max((inches(c, TICK_PT) for c in chart.categories), default=0.1) + 0.12
    spacing = plot / max(count - 1, 1)
    step = max(1, math.ceil(widest / spacing))
    ticks = tuple(range(0, count, step))
    bottom = 0.6 if dates else 0.4
    return Plan("line", WIDTH_IN, HEIGHT_IN, left, 0.2, bottom, top, chart.categories, ticks,
                TICK_PT, count <= MAX_MARKERS, dates, columns, order)


def wrap(text: str, per_line: float) -> str:
    """Returns text broken into lines of at most per_line ems (between characters, as
    Japanese is set; a run of Latin letters or digits is kept whole)."""
    lines, line = [], ""
    for word in re.findall(r"[A-Za-z0-9.,%()\-]+ ?|.", text):
        if line and ems(line + word) > per_line:
            lines.append(line.rstrip())
            line = word
        else:
            line += word
    return "\n".join(lines + [line.rstrip()])


def parse_dates(categories: tuple[str, ...]) -> tuple[datetime, ...] | None:
    """Returns the categories as dates when every one is a date (2020/1/16,
    2020-01, 2020年1月16日), else None."""
    if len(categories) < 2:
        return None
    dates = []
    for text in categories:
        for pattern in _DATE:
            match = pattern.fullmatch(text.strip())
            if match:
                parts = [int(g) for g in match.groups()] + [1]
                try:
                    dates.append(datetime(parts[0], parts[1], parts[2]))
                except ValueError:
                    return None
                break
        else:
            return None
    return tuple(dates)


def _legend(chart: Chart) -> tuple[int, tuple[int, ...], int]:
    """Returns the legend's columns, its series in the order matplotlib should get them
    (it fills column by column) so that it reads row by row, and its rows."""
    count = len(chart.series)
    if count < 2:
        return 1, tuple(range(count)), 0
    entry = max(inches(s.name, LEGEND_PT) for s in chart.series) + 3.2 * LEGEND_PT / 72
    unit = inches(f"（{chart.unit}）", TICK_PT) + 0.3 if chart.unit else 0
    room = WIDTH_IN - 0.9 - unit
    columns = max(1, min(count, int(room // entry)))
    rows = math.ceil(count / columns)
    order = tuple(k for column in range(columns) for k in range(column, count, columns))
    return columns, order, rows
