"""A sheet as published → its header, its data rows and the notes under it.

Statistics files are laid out for people: a title or a unit line above the
header (「人口推計（単位：千人）」), a header over two rows (気象庁's 平均気温 /
品質情報 / 均質番号), and notes after the table (`注1)`, `※`, `資料：`). This
module finds the table in such a grid, as the file stands, so that nobody
edits what a publisher wrote:

- title lines (one filled cell, or metadata far narrower than the table) are
  skipped;
  `header_row:` names the header's line when the guess is not enough;
- `header_rows: 2` joins the names of a header over several rows;
  `names:` renames every column;
- trailing rows with one filled cell, or that start as a note does, are the
  table's notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NOTE_START = re.compile(r"(?:（注|\(注|注[\d０-９]*[）):：．.\s、]|注$|※|＊|\*|資料[：:]|出典[：:]|"
                         r"備考|[（(]?[\d０-９]{1,2}[）)]|[\d０-９]{1,2}[.．]\s)")


@dataclass(frozen=True)
class Layout:
    """How to find the table in a sheet: the reading options of data/sources.yaml."""

    header_row: int | None = None  # the header's line (CSV) or row (sheet); None: found
    header_rows: int = 1  # rows the header spans
    names: tuple[str, ...] = ()  # every column's name, in place of the header's


@dataclass(frozen=True)
class Grid:
    """The table found in a sheet: names, data rows with their lines, notes."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    lines: tuple[int, ...]
    notes: tuple[str, ...]


class LayoutError(ValueError):
    """A table that cannot be found; `line` is where (None: the file as a whole)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line


def find_table(records: list[tuple[int, list]], layout: Layout = Layout()) -> Grid:
    """Returns the table in records, (line, cells) in file order; raises LayoutError."""
    rows = [(line, _trim(cells)) for line, cells in records if any(map(_filled, cells))]
    if not rows:
        raise LayoutError(1, "the file has no header row")
    start = _header_index(rows, layout)
    header = rows[start:start + layout.header_rows]
    if len(header) < layout.header_rows:
        raise LayoutError(header[0][0], f"the header spans {layout.header_rows} rows "
                          "(header_rows), but the file ends first")
    columns = _names(header, layout)
    body, notes = _split_notes(rows[start + layout.header_rows:], len(columns))
    for line, cells in body:
        if len(cells) > len(columns):
            raise LayoutError(line, f"this row has {len(cells)} cells, the header "
                              f"{len(columns)}")
    return Grid(columns, tuple(tuple(cells) + (None,) * (len(columns) - len(cells))
                               for _, cells in body),
                tuple(line for line, _ in body), tuple(notes))


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _trim(cells: list) -> list:
    """Returns the cells without the empty ones at the end (Excel writes `a,b,,,`)."""
    end = len(cells)
    while end and not _filled(cells[end - 1]):
        end -= 1
    return list(cells[:end])


def _header_index(rows: list[tuple[int, list]], layout: Layout) -> int:
    if layout.header_row is not None:
        for index, (line, _) in enumerate(rows):
            if line == layout.header_row:
                return index
        raise LayoutError(layout.header_row, f"header_row: {layout.header_row} is empty or "
                          "past the end of the file")
    widest = max(_count(cells) for _, cells in rows)
    index = 0
    # Title, unit and metadata lines (「統計名：」「人口推計」): far narrower than the table.
    # The widest row is never narrower, so the walk stops there at the latest.
    while widest > 1 and _count(rows[index][1]) < max(2, widest / 2):
        index += 1
    return index


def _count(cells: list) -> int:
    return sum(1 for cell in cells if _filled(cell))


def _names(header: list[tuple[int, list]], layout: Layout) -> tuple[str, ...]:
    width = max(len(cells) for _, cells in header)
    if layout.names:
        if len(layout.names) < width:
            raise LayoutError(header[0][0], f"names: gives {len(layout.names)} names for "
                              f"{width} columns")
        return tuple(layout.names)
    last = len(header) - 1
    parts = [_filled_right(list(cells) + [None] * (width - len(cells)), n == last)
             for n, (_, cells) in enumerate(header)]
    names = []
    for index in range(width):
        words = [_one_line(str(row[index])) for row in parts if _filled(row[index])]
        name = " ".join(dict.fromkeys(words))
        if not name:
            raise LayoutError(header[-1][0], f"column {index + 1} has no name in the header "
                              "row: name the header's line with header_row: in "
                              "data/sources.yaml, or the columns with names:")
        names.append(name)
    return tuple(names)


def _one_line(name: str) -> str:
    """Returns a header cell written over lines in Excel as one name: 人口 / （人） →
    人口（人）; Latin words keep a space between them."""
    def join(match: re.Match) -> str:
        before, after = match.string[match.start() - 1], match.string[match.end()]
        return " " if before.isascii() and after.isascii() else ""
    return re.sub(r"\s*\n\s*", join, name.strip())


def _filled_right(cells: list, last: bool) -> list:
    """An upper row of a header spans the columns to its right until the next name, as
    a merged cell does; the last row names each column alone."""
    if last:
        return cells
    out, previous = [], None
    for cell in cells:
        previous = cell if _filled(cell) else previous
        out.append(previous)
    return out


def _split_notes(body: list[tuple[int, list]], width: int) -> tuple[list, list[str]]:
    """Returns the data rows and the notes: the trailing rows that are notes."""
    end = len(body)
    while end > 0 and _is_note(body[end - 1][1], width):
        end -= 1
    notes = [" ".join(str(c).strip() for c in cells if _filled(c)) for _, cells in body[end:]]
    return body[:end], notes


def _is_note(cells: list, width: int) -> bool:
    first = next(str(c).strip() for c in cells if _filled(c))  # a row has a filled cell
    return (width > 1 and _count(cells) == 1) or bool(_NOTE_START.match(first))
