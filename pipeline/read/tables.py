"""A data file → a DataTable: named columns, rows of typed cells, each row's line.

CSV (UTF-8 with or without a BOM, or Shift_JIS/CP932 as most public
statistics are still published), Excel .xlsx (openpyxl, cached values) and
YAML (a list of rows, or a mapping of columns). A number may carry thousands
commas or full-width digits; an empty cell is a missing value, never zero
(the Digital Agency's rules for machine-readable tables).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import PipelineError
from ..rules import DATA
from .files import bad_character
from .yamlfile import LineDict, LineList, load_yaml

Value = int | float | str | None
MAX_XLSX_UNPACKED = 100 * 2**20  # what an .xlsx may unpack to: a zip bomb is refused
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


@dataclass(frozen=True)
class DataTable:
    """A table of data: the first column names each row (its category)."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    lines: tuple[int, ...]  # per row: the line of the file (the row number of a sheet)
    decimals: tuple[tuple[int, ...], ...] = ()  # per row and cell: digits after the point

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def where(self, row: int) -> str:
        """Returns where a row stands, for a message: 'line 4' or 'row 4'."""
        return f"{'row' if self.path.suffix == '.xlsx' else 'line'} {self.lines[row]}"


class Rows(list):
    """A data table as the sections' Jinja sees it: a list of rows (mappings from
    column to value) that can also be indexed by category,
    `{{ staff["国家公務員"]["2021年度"] }}`, as well as by position, `staff[0]`."""

    def __getitem__(self, key):
        if isinstance(key, str):
            for row in self:
                if row and next(iter(row.values())) == key:
                    return row
            raise KeyError(key)
        return super().__getitem__(key)


def as_rows(table: DataTable) -> Rows:
    return Rows(dict(zip(table.columns, row)) for row in table.rows)


def read_table(path: Path, sheet: str = "") -> DataTable:
    """Returns the table in a .csv, .xlsx or .yaml file; raises PipelineError at its line."""
    if path.suffix == ".csv":
        return _read_csv(path)
    if path.suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    return _read_yaml_table(path)


def parse_value(text: str) -> tuple[Value, int]:
    """Returns a cell's value and its digits after the point: '1,234' → 1234,
    '１２．５' → 12.5, '' → None (missing, not zero); other text stays text."""
    text = text.strip()
    if not text:
        return None, 0
    normal = unicodedata.normalize("NFKC", text)
    if not _NUMBER.fullmatch(normal):
        return text, 0
    plain = normal.replace(",", "")
    if "." in plain:
        return float(plain), len(plain.split(".")[1])
    return int(plain), 0


def _fail(path: Path, line: int | None, message: str) -> PipelineError:
    return PipelineError([DATA.at(path, line, message)])


# ---- CSV ---------------------------------------------------------------------

def _read_csv(path: Path) -> DataTable:
    text = _decode(path, path.read_bytes())
    finding = bad_character(path, text)
    if finding:
        raise PipelineError([finding])
    records = list(csv.reader(io.StringIO(text)))
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise _fail(path, 1, "the file has no header row")
    (_, header), body = numbered[0], numbered[1:]
    columns = _columns(path, numbered[0][0], header)
    rows, lines, decimals = [], [], []
    for line, record in body:
        if len(record) != len(columns):
            raise _fail(path, line, f"this row has {len(record)} cells, the header "
                        f"{len(columns)}")
        parsed = [parse_value(cell) for cell in record]
        rows.append(tuple(v for v, _ in parsed))
        decimals.append(tuple(d for _, d in parsed))
        lines.append(line)
    return DataTable(path, columns, tuple(rows), tuple(lines), tuple(decimals))


def _decode(path: Path, data: bytes) -> str:
    """Returns the text: UTF-8 (with or without a BOM), else Shift_JIS (CP932)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            if encoding == "utf-8-sig":
                first_bad = data.count(b"\n", 0, exc.start) + 1
    raise _fail(path, first_bad, "neither UTF-8 nor Shift_JIS (CP932) text: save the file "
                "in one of them")


def _columns(path: Path, line: int, header) -> tuple[str, ...]:
    columns = tuple(str(c).strip() if c is not None else "" for c in header)
    for index, name in enumerate(columns):
        if not name:
            raise _fail(path, line, f"column {index + 1} has no name in the header row")
        if name in columns[:index]:
            raise _fail(path, line, f"two columns are named '{name}'")
    return columns


# ---- Excel ---------------------------------------------------------------------

def _read_xlsx(path: Path, sheet: str) -> DataTable:
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
        return _sheet_table(path, name, values[name], formulas[name])
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


def _sheet_table(path: Path, name: str, values, formulas) -> DataTable:
    grid = [(number, row) for number, row in enumerate(values.iter_rows(values_only=True), 1)
            if any(cell not in (None, "") for cell in row)]
    if not grid:
        raise _fail(path, None, f"sheet '{name}' is empty")
    header_line, header = grid[0]
    columns = _columns(path, header_line, header)
    _refuse_uncached_formulas(path, name, values, formulas)
    rows, lines, decimals = [], [], []
    for number, row in grid[1:]:
        cells = (tuple(row) + (None,) * len(columns))[:len(columns)]
        parsed = [_cell(value) for value in cells]
        rows.append(tuple(v for v, _ in parsed))
        decimals.append(tuple(d for _, d in parsed))
        lines.append(number)
    return DataTable(path, columns, tuple(rows), tuple(lines), tuple(decimals))


def _cell(value) -> tuple[Value, int]:
    if isinstance(value, bool) or value is None:
        return (None if value is None else str(value)), 0
    if isinstance(value, (int, float)):
        text = repr(value)
        return value, len(text.split(".")[1]) if "." in text and isinstance(value, float) else 0
    return parse_value(str(value))


def _refuse_uncached_formulas(path: Path, name: str, values, formulas) -> None:
    """A formula that Excel never computed has no value in the file: say which."""
    for value_row, formula_row in zip(values.iter_rows(), formulas.iter_rows()):
        for value_cell, formula_cell in zip(value_row, formula_row):
            formula = formula_cell.value
            if isinstance(formula, str) and formula.startswith("=") and value_cell.value is None:
                raise _fail(path, None, f"sheet '{name}', cell {formula_cell.coordinate}: the "
                            f"formula {formula} has no saved value (open and save the file "
                            "in Excel)")


# ---- YAML ------------------------------------------------------------------------

def _read_yaml_table(path: Path) -> DataTable:
    raw = load_yaml(path)
    if isinstance(raw, LineDict) and all(isinstance(v, LineList) for v in raw.values()):
        columns = tuple(str(k) for k in raw)
        height = max((len(v) for v in raw.values()), default=0)
        rows = [tuple(raw[k][i] if i < len(raw[k]) else None for k in raw) for i in range(height)]
        lines = [next(iter(raw.values())).line_of(i) for i in range(height)]
    elif isinstance(raw, LineList) and raw and all(isinstance(r, LineDict) for r in raw):
        columns = tuple(dict.fromkeys(str(k) for r in raw for k in r))
        rows = [tuple(r.get(k) for k in columns) for r in raw]
        lines = [r.line for r in raw]
    else:
        raise _fail(path, getattr(raw, "line", 1), "a data table in YAML is a list of rows "
                    "(mappings) or a mapping of columns (lists)")
    parsed = [[_cell(v) for v in row] for row in rows]
    return DataTable(path, columns, tuple(tuple(v for v, _ in r) for r in parsed), tuple(lines),
                     tuple(tuple(d for _, d in r) for r in parsed))


def _brief(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]
