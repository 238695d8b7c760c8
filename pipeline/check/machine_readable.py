"""The report's data files against the Digital Agency's rules for machine-readable
tables (../shared/source/data-rules: L1-03, L1-07, L1-09, L1-12, L2-01, L3-01, L3-05),
as warnings: the pipeline reads such files as published, but a file an office
publishes itself, or sends on, should meet them.

Each rule gives one finding per file, at its first offending cell, with how many
more there are. The table is found as the build finds it (read/layout.py: titles
above, notes below, a declared header over several rows); these are the rules
that reading tolerates. frictionless's structural checks would need the files
rewritten first (Shift_JIS, title lines, notes under the table), and know none of
the Japanese ones, so they are ours.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..read.columns import MISSING_MARKS, YEAR, Missing
from ..read.data import DATA_DIR, data_files
from ..read.data_options import load_options
from ..read.tables import DataTable, ReadOptions, decode, read_table, record_lines
from ..rules import (DATA_BLANK_LINE, DATA_FULL_WIDTH, DATA_HEADER_ROWS, DATA_MERGED,
                     DATA_NOTE_IN_CELL, DATA_TWO_TABLES, DATA_UNIT_IN_CELL, DATA_WAREKI)

_NUMBER_AND = r"[-+]?[\d０-９][\d０-９,，]*(?:[.．][\d０-９]+)?\s*"
_NOTE_MARK = re.compile(_NUMBER_AND + r"(?:※|＊|\*|†|‡|注|[（(]注|[（(][\d０-９]+[）)])")
_UNIT = re.compile(_NUMBER_AND + r"[^\d０-９\s,，.．※＊*†‡（(]{1,6}$")
_WAREKI = re.compile(r"(?:令和|平成|昭和|大正|明治|(?<![A-Za-z])[RHSＲＨＳ](?=[\d０-９元]))"
                     r"\s*(?:[\d０-９]{1,2}|元)\s*(?:年|[./／]|$)")
_SEIREKI = re.compile(r"(?:1[89]|20)\d\d")
_FULL_WIDTH_DIGIT = re.compile(r"[０-９]")
_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
_TABLE_SUFFIXES = (".csv", ".xlsx")  # JSON and YAML are structured: none of this applies


def machine_readable_findings(content_dir: Path,
                              tables: tuple[DataTable, ...] = ()) -> list[Diagnostic]:
    """Returns a warning for each rule a data file of the report breaks; a file the build
    read whole already (tables) is not typed again."""
    data_dir = content_dir / DATA_DIR
    options, _ = load_options(data_dir)
    read_already = {table.path: table for table in tables}
    findings = []
    for path in data_files(content_dir):
        if path.suffix not in _TABLE_SUFFIXES:
            continue
        read = options.get(path.name, ReadOptions())
        try:
            if path.suffix == ".xlsx":  # merged cells may be why the table cannot be read
                findings += _merged(path)
            table = read_already.get(path) or read_table(path, "", read)
            records = _records(path, read)
        except (PipelineError, ValueError, OSError, zipfile.BadZipFile):
            continue  # the build says why it cannot be read
        findings += _file_findings(path, table, records, read)
    return findings


def _records(path: Path, options: ReadOptions) -> list[tuple[int, list]]:
    """Returns every record of the file with its line (a sheet's row), blank ones too."""
    if path.suffix == ".csv":
        reader = csv.reader(io.StringIO(decode(path, path.read_bytes(), options.encoding)))
        return [(reader.line_num - record_lines(r) + 1, r) for r in reader]
    import openpyxl  # imported here: only a report with .xlsx data needs it
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[book.sheetnames[0]]
        return [(n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _file_findings(path: Path, table: DataTable, records, options: ReadOptions) -> list:
    found = []
    data = list(zip(table.lines, table.rows))
    found += _blank(path, table, records, options)
    found += _cells(path, DATA_UNIT_IN_CELL, [
        (line, cell) for line, row in data for c, cell in enumerate(row)
        if isinstance(cell, str) and table.kinds[c] != YEAR and _UNIT.match(cell)
        and not _NOTE_MARK.match(cell)],
        "a number with its unit in one cell: put the unit in the column's header "
        "(人口（人）) and the number alone in the cell (L2-01)")
    found += _cells(path, DATA_NOTE_IN_CELL, [
        (line, cell) for line, row in data for cell in row
        if isinstance(cell, str) and _NOTE_MARK.match(cell)],
        "a note mark in a number's cell: give the note its own column, or under the "
        "table (L1-07)")
    raw = {line: cells for line, cells in records}
    found += _cells(path, DATA_FULL_WIDTH, [
        (line, str(cell)) for line in table.lines for cell in raw.get(line, ())
        if cell is not None and _FULL_WIDTH_DIGIT.search(str(cell))],
        "full-width digits in data: a program reads them as text, not numbers; write "
        "them half-width (L2-01)")
    found += _wareki(path, table, data)
    return found


def _merged(path: Path) -> list[Diagnostic]:
    with zipfile.ZipFile(path) as book:
        refs = [ref.decode() for name in book.namelist()
                if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)
                for ref in _MERGED.findall(book.read(name))]
    if not refs:
        return []
    return [DATA_MERGED.at(path, None, f"merged cells ({refs[0]}"
                           + (f" and {len(refs) - 1} more" if len(refs) > 1 else "")
                           + "): a program sees the value in the first cell only; write it "
                           "in every cell (L1-12)")]


def _blank(path: Path, table: DataTable, records, options: ReadOptions) -> list[Diagnostic]:
    """Blank rows inside the table (a second table after one), columns left empty, and a
    header over more rows than data/sources.yaml declares."""
    if not table.lines:
        return []
    found = []
    first, last = table.lines[0], table.lines[-1]
    blank = [line for line, cells in records if first < line < last
             and not any(cell is not None and str(cell).strip() for cell in cells)]
    after = next((i for i, line in enumerate(table.lines) if blank and line > blank[0]), None)
    if after is not None and _header_like(table, after):
        found.append(DATA_TWO_TABLES.at(path, table.lines[after], "a second table starts "
                                        "here, after a blank row: one table to a file or "
                                        "sheet (L1-02)"))
    elif blank:
        found.append(DATA_BLANK_LINE.at(path, blank[0], "a blank row inside the table"
                                        + (f" (and {len(blank) - 1} more)" if len(blank) > 1
                                           else "") + ": rows follow one another (L1-03)"))
    empty = [name for c, name in enumerate(table.columns)
             if all(row[c] is None or str(row[c]).strip() == "" for row in table.rows)]
    if empty:
        found.append(DATA_BLANK_LINE.at(path, first, f"column '{empty[0]}' is empty: no blank "
                                        "columns for layout (L1-03)"))
    if options.layout.header_rows == 1 and not options.layout.names \
            and len(table.rows) > 2 and _header_like(table, 0):
        found.append(DATA_HEADER_ROWS.at(path, first, "the header goes on over this row: "
                                         "one header row, or declare header_rows: 2 in "
                                         "data/sources.yaml (L2-03, L3-01)"))
    return found


def _header_like(table: DataTable, index: int) -> bool:
    """Says whether a data row reads as a header: text (or nothing) in every column the
    other rows fill with numbers, and text in at least one of them."""
    others = [row for i, row in enumerate(table.rows) if i != index]
    numeric = [c for c in range(len(table.columns))
               if any(_is_number(row[c]) for row in others)
               and all(_is_number(row[c]) or row[c] is None or isinstance(row[c], Missing)
                       for row in others)]
    cells = [table.rows[index][c] for c in numeric]
    return bool(numeric) and any(isinstance(cell, str) and cell.strip() for cell in cells) \
        and all(cell is None or isinstance(cell, str) for cell in cells)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _wareki(path: Path, table: DataTable, data) -> list[Diagnostic]:
    """和暦 with no 西暦 beside it, in the header or the data (L3-05)."""
    if any(kind == YEAR for kind in table.kinds):
        return []
    header = [(None, name) for name in table.columns
              if _WAREKI.search(name) and not _SEIREKI.search(name)]
    cells = [(line, cell) for line, row in data for cell in row
             if isinstance(cell, str) and _WAREKI.search(cell)
             and not any(_SEIREKI.search(str(other)) for other in row if other is not None)]
    return _cells(path, DATA_WAREKI, header + cells, "a 和暦 date with no 西暦 beside it: "
                  "write the 西暦 (令和3年 → 2021年), or both (L3-05)")


def _cells(path: Path, rule, cells: list[tuple[int | None, str]], why: str) -> list:
    """One finding for a rule: its first cell, and how many more."""
    cells = [(line, cell) for line, cell in cells if str(cell).strip() not in MISSING_MARKS]
    if not cells:
        return []
    line, cell = cells[0]
    more = f" (and {len(cells) - 1} more)" if len(cells) > 1 else ""
    return [rule.at(path, line, f"「{str(cell)[:20]}」{more}: {why}")]
