"""How a number from a data file is printed: one rule for the text, the tables,
the charts and their text alternatives, in every product.

A count prints with thousands separators and the digits after the point that
the data file writes (`1,234,567`, `12.50`); a year or a code prints as the
file writes it (`2021`, `01`). Which a column holds is decided once, when the
file is read (read/columns.py); this module only prints.
"""

from __future__ import annotations


def format_number(value, decimals: int = 0) -> str:
    """Returns a count as printed: thousands separators, the decimals the data has."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and decimals == 0 and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return f"{int(value):,}"
