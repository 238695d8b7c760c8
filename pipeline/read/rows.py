"""A DataTable as the sections' Jinja sees it: rows found by position or by name,
and cells that print as the table prints them.

`{{ pref["13"]["人口（人）"] }}` prints `14,047,594`, as the data table does,
and stays a number for arithmetic, comparisons, `reduction()` and `comma`; a
year prints `2021`, a code `01`. A missing value prints the file's mark
(`-`), and computing with it is an error naming the cell. A lookup that finds
nothing says which columns it searched and the nearest names: never a
Python class name, which Jinja's own "undefined" messages would show.
"""

from __future__ import annotations

from ..diagnostics import did_you_mean
from ..numbers import format_number
from .columns import Missing, is_count
from .tables import DataTable


class DataLookupError(Exception):
    """A row or a column the data file does not have. Not a LookupError: Jinja turns
    those into an undefined value, whose message names Python classes."""


class Count(int):
    """A whole number from a data file that prints with thousands separators."""

    def __str__(self) -> str:
        return format_number(int(self))

    __format__ = int.__format__


class Measure(float):
    """A number with a decimal point that prints with the file's digits after it."""

    decimals = 0

    def __new__(cls, value: float, decimals: int):
        number = super().__new__(cls, value)
        number.decimals = decimals
        return number

    def __str__(self) -> str:
        return format_number(float(self), self.decimals)

    __format__ = float.__format__


class Absent:
    """A missing value: prints the file's mark; any computation with it is an error
    naming the cell."""

    def __init__(self, mark: str, where: str):
        self._mark, self._where = mark, where

    def __str__(self) -> str:
        return self._mark

    def __bool__(self) -> bool:
        return False

    def _refuse(self, *_args, **_kwargs):
        shown = f"'{self._mark}'" if self._mark else "an empty cell"
        raise DataLookupError(f"{self._where} has no value ({shown}): it cannot be computed "
                              "with (test it first: {% if value %})")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = __round__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __format__ = _refuse


class Row(dict):
    """One row: column → value; an unknown or repeated column is named in the error."""

    def __init__(self, items, table: DataTable):
        super().__init__(items)
        # Named with '_': the sandbox keeps templates from reaching the table's path.
        self._table = table

    def __getitem__(self, key):
        if isinstance(key, str) and self._table.columns.count(key) > 1:
            try:
                self._table.column(key)
            except ValueError as exc:
                raise DataLookupError(str(exc)) from None
        if key not in self:
            name = self._table.path.name
            raise DataLookupError(f"data/{name} has no column '{key}'"
                                  + nearest(str(key), self._table.columns)
                                  + f" (its columns: {_listed(self._table.columns)})")
        return super().__getitem__(key)


class Rows(list):
    """A data table: a list of rows (Row) that can also be indexed by a name or a code,
    `{{ staff["国家公務員"]["2021年度"] }}`, as well as by position, `staff[0]`."""

    def __init__(self, rows, table: DataTable):
        super().__init__(rows)
        self._table = table

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._named(key)
        try:
            return super().__getitem__(key)
        except IndexError:
            raise DataLookupError(f"data/{self._table.path.name} has {len(self)} rows: no "
                                  f"row {key} (rows count from 0)") from None
        except TypeError:
            raise DataLookupError(f"a row of data/{self._table.path.name} is found by its "
                                  f"name or its position, not by {key!r}") from None

    def _named(self, key: str):
        table = self._table
        for column in table.naming:
            for index, row in enumerate(table.rows):
                if row[column] == key:
                    return list.__getitem__(self, index)
        names = [str(row[c]) for c in table.naming for row in table.rows]
        searched = _listed([table.columns[c] for c in table.naming]) or "none: no column " \
            "holds a different name on every row"
        raise DataLookupError(f"data/{table.path.name} has no row '{key}' (searched the "
                              f"columns {searched})" + nearest(key, names))


def as_rows(table: DataTable) -> Rows:
    """Returns the table as the sections see it."""
    return Rows((row_at(table, index) for index in range(len(table.rows))), table)


def row_at(table: DataTable, index: int) -> Row:
    """Returns one row of the table as the sections see it."""
    return Row(zip(table.columns, _cells(table, index)), table)


def _cells(table: DataTable, index: int) -> list:
    row, decimals = table.rows[index], table.decimals[index] if table.decimals else ()
    out = []
    for column, value in enumerate(row):
        if value is None or isinstance(value, Missing):
            where = f"data/{table.path.name}, {table.where(index)}, column " \
                    f"'{table.columns[column]}'"
            out.append(Absent("" if value is None else value.mark, where))
        elif not is_count(value, table.kinds[column]):
            out.append(value)
        elif isinstance(value, float):
            out.append(Measure(value, decimals[column] if decimals else 0))
        else:
            out.append(Count(value))
    return out


def nearest(key: str, names) -> str:
    """Returns ` (did you mean 'x'?)`: a name that begins with the key or holds it
    (人口 → 人口（人）, 東京 → 東京都), else the closest by spelling."""
    names = list(dict.fromkeys(names))
    for found in ([n for n in names if n.startswith(key)], [n for n in names if key in n]):
        if key and found:
            return f" (did you mean '{found[0]}'?)"
    return did_you_mean(key, names)


def _listed(names) -> str:
    names = [f"'{n}'" for n in names]
    return ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")
