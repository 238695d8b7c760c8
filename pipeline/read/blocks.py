"""A ```chart or ```table block → a Chart, or a Table drawn from a data file.

The block's body is YAML; its keys are checked (an unknown one names the
nearest), its data file is read from data/, and its columns are checked
against the file, so that every mistake is reported at the block's line
before anything is drawn. Numbers stay numbers: the writers format them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import PipelineError, did_you_mean
from ..numbers import format_number
from ..rules import CHART
from ..tree import Chart, Inlines, Pos, Series, Table, Text
from .columns import NUMBER, YEAR, Missing, is_count
from .data import DataFiles
from .tables import DataTable
from .yamlfile import LineDict, parse_yaml, shown

CHART_KINDS = ("bar", "barh", "stacked", "stacked-barh", "line", "pie")
CHART_KEYS = {"id", "type", "data", "sheet", "path", "x", "y", "unit", "caption", "source",
              "labels"}
TABLE_KEYS = {"id", "data", "sheet", "path", "columns", "caption", "source"}
MAX_PIE_SLICES = 7
MAX_CATEGORIES = 50  # rows of bars a page holds, lying
MAX_BARS = 100  # bars in those rows, side by side
MAX_SERIES = 12  # lines or bars a legend can tell apart
MAX_VALUE = 10**18  # larger is no statistic, and no float draws it exactly


@dataclass(frozen=True)
class BlockText:
    """A block's body as the converter found it: text, where it starts, and how to
    turn a text (the caption, the source) into inlines with their citations."""

    kind: str  # chart or table
    text: str
    pos: Pos  # the opening fence
    inlines: object  # str → Inlines


class _BlockError(Exception):
    """A mistake in the block: reported at the block's line, with the rule 'chart'."""


def convert_block(block: BlockText, data: DataFiles) -> Chart | Table:
    """Returns the block's node; raises PipelineError at the block or its data file."""
    try:
        spec = _spec(block, data)
        return _chart(block, spec, data) if block.kind == "chart" else _table(block, spec, data)
    except _BlockError as exc:
        raise PipelineError([CHART.at(block.pos.path, block.pos.line, str(exc))]) from None
    except ValueError as exc:  # from DataFiles.table: a file that cannot be used
        raise PipelineError([CHART.at(block.pos.path, block.pos.line, str(exc))]) from None


def _spec(block: BlockText, data: DataFiles) -> LineDict:
    spec = parse_yaml(block.text, block.pos.path, block.pos.line + 1, in_block=True)
    if not isinstance(spec, LineDict):
        raise _BlockError(f"a {block.kind} block holds YAML keys: data, caption, source, …")
    known = CHART_KEYS if block.kind == "chart" else TABLE_KEYS
    for key in spec:
        if key not in known:
            raise _BlockError(f"unknown key '{key}' in a {block.kind} block"
                              + did_you_mean(str(key), known))
    for key in ("data", "caption", "source") + (("type",) if block.kind == "chart" else ()):
        if spec.get(key) in (None, "", []) and not (
                key == "source" and "source" not in spec
                and data.provenance(str(spec.get("data", ""))) is not None):  # the publisher
            raise _BlockError(f"a {block.kind} block needs '{key}'")
    return spec


def _text(spec: LineDict, key: str, default: str = "") -> str:
    value = spec.get(key, default)
    if value is None:
        return default
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise _BlockError(f"'{key}' must be a text, not {shown(value)}")
    return str(value)


def _names(spec: LineDict, key: str) -> list[str]:
    value = spec.get(key)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values):
        raise _BlockError(f"'{key}' must be a column name or a list of them")
    return [str(v) for v in values]


def _source(block: BlockText, spec: LineDict, provenance=None) -> Inlines:
    """Returns the block's cited sources; they may be left out when its data file's
    publisher is known (data/sources.yaml), whose provenance is then the 出典."""
    if provenance is not None and "source" not in spec:
        return ()
    source = block.inlines(_text(spec, "source"))
    if not source or any(isinstance(node, Text) and node.text.strip() for node in source):
        raise _BlockError("'source' must be citations, as in the text: [@key] or [@a; @b]")
    return tuple(node for node in source if not isinstance(node, Text))


def _data(spec: LineDict, data: DataFiles) -> DataTable:
    name, sheet = _text(spec, "data"), _text(spec, "sheet")
    if sheet and not name.endswith(".xlsx"):
        raise _BlockError("'sheet' is for an .xlsx file only")
    if "path" in spec and not name.endswith(".json"):
        raise _BlockError("'path' is for a .json file only")
    table = data.table(name, sheet, _text(spec, "path") if "path" in spec else None)
    if not table.rows:
        raise _BlockError(f"data/{name} has no rows")
    return table


def _column(table: DataTable, name: str) -> int:
    if name not in table.columns:
        raise _BlockError(f"data/{table.path.name} has no column '{name}'"
                          + did_you_mean(name, table.columns)
                          + f" (its columns: {', '.join(table.columns)})")
    return table.column(name)  # a repeated name: ValueError, at the block's line


# ---- charts ----------------------------------------------------------------------

def _chart(block: BlockText, spec: LineDict, data: DataFiles) -> Chart:
    kind = _text(spec, "type")
    if kind not in CHART_KINDS:
        raise _BlockError(f"unknown chart type '{kind}'" + did_you_mean(kind, CHART_KINDS)
                          + f" (one of {', '.join(CHART_KINDS)})")
    table = _data(spec, data)
    x = _column(table, _text(spec, "x", table.columns[0]))
    names = _names(spec, "y") or [c for i, c in enumerate(table.columns) if i != x
                                  and _numeric(table, i)]
    series = tuple(_series(table, _column(table, name)) for name in names)
    if not series:
        raise _BlockError(f"data/{table.path.name} has no numeric column to draw: name it "
                          "with 'y'")
    categories = tuple("" if row[x] is None else str(row[x]) for row in table.rows)
    if len(series) > MAX_SERIES:
        raise _BlockError(f"{len(series)} series cannot be told apart: at most {MAX_SERIES} "
                          "(name fewer columns with 'y', or show the data as a table)")
    if len(categories) > data.limits.max_chart_points:
        raise _BlockError(f"a chart of {len(categories):,} points cannot be read: at most "
                          f"{data.limits.max_chart_points:,} (--max-chart-points; sum the data "
                          "by month or year first)")
    if kind.startswith("stacked") and any(v is not None and v < 0
                                          for s in series for v in s.values):
        raise _BlockError("a stacked chart cannot show negative values: its bars would "
                          "overlap (draw them side by side with 'type: bar')")
    if kind == "pie":
        _check_pie(series, categories)
    elif kind != "line":
        _check_bars(kind, series, categories)
    labels = spec.get("labels", False)
    if not isinstance(labels, bool):
        raise _BlockError(f"'labels' must be true or false, not {shown(labels)}")
    provenance = data.provenance(_text(spec, "data"))
    return Chart(kind, categories, series, _text(spec, "unit"), labels,
                 block.inlines(_text(spec, "caption")), _source(block, spec, provenance),
                 block.pos, _text(spec, "data"), _text(spec, "id"), provenance=provenance,
                 category_name=table.columns[x])


def _numeric(table: DataTable, column: int) -> bool:
    return table.kinds[column] == NUMBER


def _series(table: DataTable, column: int) -> Series:
    values = []
    for index, row in enumerate(table.rows):
        value = None if isinstance(row[column], Missing) else row[column]  # a gap
        if value is not None and not isinstance(value, (int, float)):
            raise _BlockError(f"data/{table.path.name}, {table.where(index)}, column "
                              f"'{table.columns[column]}': {shown(value)} is not a number")
        if value is not None and not -MAX_VALUE < value < MAX_VALUE:
            raise _BlockError(f"data/{table.path.name}, {table.where(index)}, column "
                              f"'{table.columns[column]}': a value of {len(str(abs(int(value))))} "
                              "digits is too large to draw")
        values.append(value)
    if all(v is None for v in values):
        raise _BlockError(f"data/{table.path.name}, column '{table.columns[column]}' has no "
                          "value to draw: every cell is empty or marked missing")
    decimals = max((d[column] for d in table.decimals), default=0) if table.decimals else 0
    return Series(table.columns[column], tuple(values), decimals)


def _check_bars(kind: str, series: tuple[Series, ...], categories: tuple[str, ...]) -> None:
    """Bars are read one by one: a page holds MAX_CATEGORIES rows of them, lying, and
    MAX_BARS bars side by side in those rows."""
    bars = len(categories) * (1 if kind.startswith("stacked") else len(series))
    if len(categories) > MAX_CATEGORIES:
        raise _BlockError(f"a bar chart of {len(categories):,} categories cannot be read: at "
                          f"most {MAX_CATEGORIES} (draw a line chart, or show the data as a "
                          "table)")
    if bars > MAX_BARS:
        raise _BlockError(f"{len(categories)} categories of {len(series)} series are {bars} "
                          f"bars, too many to read: at most {MAX_BARS} (stack them with "
                          "'type: stacked', draw fewer series, or a line chart)")


def _check_pie(series: tuple[Series, ...], categories: tuple[str, ...]) -> None:
    if len(series) != 1:
        raise _BlockError("a pie shows one series: name one column with 'y'")
    if len(categories) > MAX_PIE_SLICES:
        raise _BlockError(f"a pie of {len(categories)} slices cannot be read: at most "
                          f"{MAX_PIE_SLICES} (use a bar chart)")
    if any(v is not None and v < 0 for v in series[0].values):
        raise _BlockError("a pie cannot show negative values (use a bar chart)")
    if not any(series[0].values):
        raise _BlockError("a pie of zeros shows nothing: every value is 0 or missing")


# ---- tables ------------------------------------------------------------------------

def _table(block: BlockText, spec: LineDict, data: DataFiles) -> Table:
    table = _data(spec, data)
    names = _names(spec, "columns") or list(table.columns)
    columns = [_column(table, name) for name in names]
    numeric = [table.kinds[c] in (NUMBER, YEAR) for c in columns]  # set to the right
    header = (tuple((Text(name),) for name in names),)
    body = tuple(tuple(_cell(table, r, c) for c in columns) for r in range(len(table.rows)))
    aligns = tuple("right" if n else "" for n in numeric)
    provenance = data.provenance(_text(spec, "data"))
    return Table(header, body, aligns, block.pos, block.inlines(_text(spec, "caption")),
                 source=_source(block, spec, provenance), label=_text(spec, "id"),
                 notes=table.notes, data=_text(spec, "data"), provenance=provenance)


def _cell(table: DataTable, row: int, column: int) -> Inlines:
    """Returns a cell as the table prints it: a count with separators, a year or a
    code as written, a missing value as the file marks it (blank stays blank)."""
    value = table.rows[row][column]
    if value is None:
        return ()  # a missing value stays blank, never 0
    if not is_count(value, table.kinds[column]):
        return (Text(str(value)),)
    return (Text(format_number(value, table.decimals[row][column] if table.decimals else 0)),)
