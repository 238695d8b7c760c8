"""A data file → a DataTable: named columns, rows of typed cells, each row's line.

CSV (UTF-8 with or without a BOM, or Shift_JIS/CP932 as most public
statistics are still published), Excel .xlsx (openpyxl, cached values), YAML
(a list of rows, or a mapping of columns) and JSON (a list of records, or one
found by a path inside an object, as municipalities' open-data sites publish
it). The table is found in the sheet as published (read/layout.py: title
lines, a header over several rows, notes under the table), and each column
is typed once (read/columns.py: codes stay text, years print as written,
missing-value marks are missing values).
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import PipelineError
from ..limits import Limits
from ..rules import DATA
from .columns import CODE, MISSING_MARKS, TEXT, Missing, Value, column_kind, typed_cell
from .files import bad_character
from .layout import Layout, LayoutError, find_table
from .yamlfile import LineDict, LineList, load_yaml

MAX_XLSX_UNPACKED = 100 * 2**20  # what an .xlsx may unpack to: a zip bomb is refused
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "shift_jis": "cp932",
             "sjis": "cp932", "cp932": "cp932", "euc-jp": "euc_jp"}


@dataclass(frozen=True)
class ReadOptions:
    """How to read one data file: its entry in data/sources.yaml."""

    layout: Layout = Layout()
    missing: tuple[str, ...] = MISSING_MARKS  # the marks that mean "no value"
    encoding: str = ""  # a key of ENCODINGS; '' tries UTF-8, then Shift_JIS
    path: str = ""  # JSON: where the records are, keys joined by '.'


@dataclass(frozen=True)
class DataTable:
    """A table of data, its columns typed (read/columns.py) and its notes kept."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    lines: tuple[int, ...]  # per row: the line of the file (the row of a sheet)
    decimals: tuple[tuple[int, ...], ...] = ()  # per row and cell: digits after the point
    kinds: tuple[str, ...] = ()  # per column: number, year, code or text
    notes: tuple[str, ...] = ()  # the note rows under the table, as written
    unit: str = "line"  # what `lines` count: line, row or record
    naming: tuple[int, ...] = field(default=(), compare=False)  # columns that name rows

    def column(self, name: str) -> int:
        """Returns the index of a column; raises ValueError for a repeated name."""
        indices = [i for i, c in enumerate(self.columns) if c == name]
        if len(indices) > 1:
            raise ValueError(f"data/{self.path.name} has {len(indices)} columns named "
                             f"'{name}' (columns {', '.join(str(i + 1) for i in indices)}): "
                             "name them apart with header_rows: or names: in "
                             "data/sources.yaml")
        return self.columns.index(name)

    def where(self, row: int) -> str:
        """Returns where a row stands, for a message: 'line 4', 'row 4', 'record 4'."""
        return f"{self.unit} {self.lines[row]}"


def read_table(path: Path, sheet: str = "", options: ReadOptions = ReadOptions(),
               limits: Limits = Limits()) -> DataTable:
    """Returns the table in a data file; raises PipelineError at its line."""
    try:
        if path.suffix == ".csv":
            return _read_csv(path, options, limits)
        if path.suffix == ".xlsx":
            return _read_xlsx(path, sheet, options, limits)
        if path.suffix == ".json":
            return _read_json(path, options, limits)
        return _read_yaml_table(path, options, limits)
    except LayoutError as exc:
        raise _fail(path, exc.line, str(exc)) from None


def _fail(path: Path, line: int | None, message: str) -> PipelineError:
    return PipelineError([DATA.at(path, line, message)])


def _refuse_size(path: Path, columns: int, rows: int, limits: Limits) -> None:
    """A table past the limits is refused before it is typed: wider or larger than
    any statistics table, it would take minutes and gigabytes."""
    if columns > limits.max_data_columns:
        raise _fail(path, None, f"{columns:,} columns, more than {limits.max_data_columns:,} "
                    "(--max-data-columns): not a table to read")
    if columns * rows > limits.max_data_cells:
        raise _fail(path, None, f"{rows:,} rows of {columns:,} columns are {columns * rows:,} "
                    f"cells, more than {limits.max_data_cells:,} (--max-data-cells)")


def _typed(path: Path, columns, cells: list[tuple], lines, options: ReadOptions,
           notes=(), unit: str = "line") -> DataTable:
    """Returns the table with every column typed as its name and cells say."""
    kinds = tuple(column_kind(name, [row[i] for row in cells], options.missing)
                  for i, name in enumerate(columns))
    parsed = [[typed_cell(cell, kind, options.missing) for cell, kind in zip(row, kinds)]
              for row in cells]
    rows = tuple(tuple(v for v, _ in row) for row in parsed)
    _refuse_non_finite(path, columns, rows, lines, unit)
    return DataTable(path, tuple(columns), rows, tuple(lines),
                     tuple(tuple(d for _, d in row) for row in parsed), kinds, tuple(notes),
                     unit, _naming(kinds, rows))


def _refuse_non_finite(path: Path, columns, rows, lines, unit: str) -> None:
    """NaN and infinity (YAML's .nan, .inf) are no values a briefing can print."""
    for row, line in zip(rows, lines):
        for name, value in zip(columns, row):
            if isinstance(value, float) and not math.isfinite(value):
                raise _fail(path, line if unit == "line" else None, f"{unit} {line}, "
                            f"'{name}': {value} is not a number a table can print (leave the "
                            "cell empty, or mark it missing)")


def _naming(kinds, rows) -> tuple[int, ...]:
    """Returns the columns whose values name the rows: text, every one filled, unique."""
    naming = []
    for index, kind in enumerate(kinds):
        values = [row[index] for row in rows]
        if (kind in (CODE, TEXT) and values and all(isinstance(v, str) for v in values)
                and len(set(values)) == len(values)):
            naming.append(index)
    return tuple(naming)


# ---- CSV ---------------------------------------------------------------------

def _read_csv(path: Path, options: ReadOptions, limits: Limits) -> DataTable:
    text = decode(path, path.read_bytes(), options.encoding)
    finding = bad_character(path, text)
    if finding:
        raise PipelineError([finding])
    reader = csv.reader(io.StringIO(text))
    records = []
    try:
        for record in reader:
            records.append((reader.line_num - record_lines(record) + 1, record))
    except csv.Error as exc:
        raise _fail(path, reader.line_num, f"not a CSV file the pipeline can read ({exc})")
    grid = find_table(records, options.layout)
    _refuse_size(path, len(grid.columns), len(grid.rows), limits)
    return _typed(path, grid.columns, list(grid.rows), grid.lines, options, grid.notes)


def record_lines(record: list[str]) -> int:
    """Returns how many lines of the file a record took (a quoted cell may hold breaks)."""
    return 1 + sum(cell.count("\n") for cell in record)


def decode(path: Path, data: bytes, encoding: str) -> str:
    """Returns the text: UTF-8 (with or without a BOM), else Shift_JIS (CP932), unless
    encoding ('' for either) names one."""
    head = data[:4096]  # UTF-16 without its BOM: a NUL beside every ASCII character
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 10 >= len(head) > 0:
        raise _fail(path, 1, "UTF-16 text is not supported: save the file as UTF-8")
    failures = []
    for name in [ENCODINGS[encoding]] if encoding else ["utf-8-sig", "cp932"]:
        try:
            return data.decode(name).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            failures.append(exc)
    first_bad = data.count(b"\n", 0, failures[0].start) + 1  # where the first reading failed
    said = f"not {encoding} text (encoding: in data/sources.yaml)" if encoding else \
        "neither UTF-8 nor Shift_JIS (CP932) text: save the file in one of them"
    raise _fail(path, first_bad, said)


# ---- Excel ---------------------------------------------------------------------

def _read_xlsx(path: Path, sheet: str, options: ReadOptions, limits: Limits) -> DataTable:
    _refuse_zip_bomb(path)
    import openpyxl  # imported here: only a report with .xlsx data needs it
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _fail(path, None, f"not an Excel workbook openpyxl can read ({_brief(exc)})")
    try:
        name = sheet or values.sheetnames[0]
        if name not in values.sheetnames:
            raise _fail(path, None, f"no sheet named '{name}' (the sheets: "
                        f"{', '.join(values.sheetnames)})")
        return _sheet_table(path, name, values[name], formulas[name], options, limits)
    except (PipelineError, MemoryError):
        raise
    except Exception as exc:  # read_only: a damaged sheet is met while its rows are read
        raise _fail(path, None, f"not an Excel workbook openpyxl can read "
                    f"({_brief(exc)})") from None
    finally:
        values.close()
        formulas.close()


def read_sheet_names(path: Path) -> list[str]:
    """Returns the names of a workbook's sheets that hold anything."""
    _refuse_zip_bomb(path)
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _fail(path, None, f"not an Excel workbook openpyxl can read ({_brief(exc)})")
    try:
        return [name for name in book.sheetnames
                if any(cell not in (None, "") for row in book[name].iter_rows(values_only=True)
                       for cell in row)]
    except Exception as exc:  # a damaged sheet is met while its rows are read
        raise _fail(path, None, f"not an Excel workbook openpyxl can read "
                    f"({_brief(exc)})") from None
    finally:
        book.close()


def _refuse_zip_bomb(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, None, f"not an Excel workbook (.xlsx is a zip file: {exc})")
    if unpacked > MAX_XLSX_UNPACKED:
        raise _fail(path, None, f"the workbook unpacks to {unpacked / 2**20:,.0f} MiB, more "
                    f"than {MAX_XLSX_UNPACKED // 2**20} MiB: a zip bomb, or not a table")


def _sheet_table(path: Path, name: str, values, formulas, options: ReadOptions,
                 limits: Limits) -> DataTable:
    records = [(number, list(row)) for number, row
               in enumerate(values.iter_rows(values_only=True), 1)]
    if not any(cell not in (None, "") for _, row in records for cell in row):
        raise _fail(path, None, f"sheet '{name}' is empty")
    try:
        grid = find_table(records, options.layout)
    except LayoutError as exc:
        raise _fail(path, exc.line, f"sheet '{name}', row {exc.line}: {exc}") from None
    _refuse_size(path, len(grid.columns), len(grid.rows), limits)
    _refuse_uncached_formulas(path, name, values, formulas)
    return _typed(path, grid.columns, list(grid.rows), grid.lines, options, grid.notes, "row")


def _refuse_uncached_formulas(path: Path, name: str, values, formulas) -> None:
    """A formula that Excel never computed has no value in the file: say which."""
    for value_row, formula_row in zip(values.iter_rows(), formulas.iter_rows()):
        for value_cell, formula_cell in zip(value_row, formula_row):
            formula = formula_cell.value
            if isinstance(formula, str) and formula.startswith("=") and value_cell.value is None:
                raise _fail(path, None, f"sheet '{name}', cell {formula_cell.coordinate}: the "
                            f"formula {formula} has no saved value (open and save the file "
                            "in Excel)")


# ---- YAML and JSON ---------------------------------------------------------------

def _read_yaml_table(path: Path, options: ReadOptions, limits: Limits) -> DataTable:
    raw = load_yaml(path)
    if isinstance(raw, LineDict) and raw and all(isinstance(v, LineList) for v in raw.values()):
        columns = tuple(str(k) for k in raw)
        height = max(len(v) for v in raw.values())
        _refuse_size(path, len(columns), height, limits)
        rows = [tuple(raw[k][i] if i < len(raw[k]) else None for k in raw) for i in range(height)]
        lines = [next(iter(raw.values())).line_of(i) for i in range(height)]
    elif isinstance(raw, LineList) and raw and all(isinstance(r, LineDict) for r in raw):
        columns = tuple(dict.fromkeys(str(k) for r in raw for k in r))
        _refuse_size(path, len(columns), len(raw), limits)
        rows = [tuple(r.get(k) for k in columns) for r in raw]
        lines = [r.line for r in raw]
    else:
        raise _fail(path, getattr(raw, "line", 1), "a data table in YAML is a list of rows "
                    "(mappings) or a mapping of columns (lists)")
    _refuse_nested(path, columns, rows, lines)
    return _typed(path, columns, rows, lines, options)


def records_table(path: Path, records: list[dict], lines: list[int], unit: str = "record",
                  limits: Limits = Limits()) -> DataTable | None:
    """Returns a list of records as a typed table, or None when a record holds more
    than values (a list, a mapping): records inside a YAML or JSON variable."""
    columns = tuple(dict.fromkeys(str(k) for r in records for k in r))
    _refuse_size(path, len(columns), len(records), limits)
    rows = [tuple(r.get(k) for k in columns) for r in records]
    if any(isinstance(cell, (dict, list)) for row in rows for cell in row):
        return None
    return _typed(path, columns, rows, lines, ReadOptions(), unit=unit)


def load_json(path: Path):
    """Returns a JSON file's value; raises PipelineError at the line of a mistake."""
    text = decode(path, path.read_bytes(), "utf-8")
    finding = bad_character(path, text)
    if finding:
        raise PipelineError([finding])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        raise _fail(path, None, "JSON nested too deep to be data") from None


def _read_json(path: Path, options: ReadOptions, limits: Limits) -> DataTable:
    records = _records(path, load_json(path), options.path)
    columns = tuple(dict.fromkeys(str(k) for r in records for k in r))
    _refuse_size(path, len(columns), len(records), limits)
    rows = [tuple(r.get(k) for k in columns) for r in records]
    lines = list(range(1, len(rows) + 1))
    _refuse_nested(path, columns, rows, lines, "record")
    return _typed(path, columns, rows, lines, options, unit="record")


def _records(path: Path, value, where: str) -> list[dict]:
    """Returns the list of records at `where` (keys joined by '.') inside value."""
    for key in filter(None, where.split(".")):
        if not isinstance(value, dict) or key not in value:
            found = ", ".join(map(str, value)) if isinstance(value, dict) else "no keys"
            raise _fail(path, None, f"path: '{where}' does not lead to a value: no key "
                        f"'{key}' (there: {found[:200]})")
        value = value[key]
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return value
    lists = [k for k, v in value.items() if isinstance(v, list)] if isinstance(value, dict) \
        else []
    hint = f" (name the records with path:, e.g. path: {lists[0]})" if lists else ""
    raise _fail(path, None, "a data table in JSON is a list of records (objects)" + hint)


def _refuse_nested(path: Path, columns, rows, lines, unit: str = "line") -> None:
    for row, line in zip(rows, lines):
        for name, cell in zip(columns, row):
            if isinstance(cell, (dict, list)):
                raise _fail(path, line if unit == "line" else None,
                            f"{unit} {line}, '{name}': a {'list' if isinstance(cell, list) else 'mapping'}"
                            " is not a cell of a table")


def _brief(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


__all__ = ["DataTable", "Missing", "ReadOptions", "read_table", "read_sheet_names", "load_json"]
