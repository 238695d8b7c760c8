"""data/sources.yaml → how each data file is read, without editing what its
publisher wrote.

    census.csv:
      header_row: 3          # the header's line (a title above it)
      missing: ["-", "x"]    # the marks that mean "no value" (replaces the usual set)
    kishou.csv:
      encoding: shift_jis    # utf-8, shift_jis, cp932 or euc-jp (default: UTF-8, else Shift_JIS)
      header_row: 4
      header_rows: 2         # 平均気温(℃) over 品質情報 → '平均気温(℃) 品質情報'
    opendata.json:
      path: result.records   # where the records are inside the object
    old.csv:
      names: [年, 人口（人）]  # every column's name, in place of the header's

Every key is checked at its line: an unknown one names the nearest.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, did_you_mean
from ..rules import DATA
from .columns import MISSING_MARKS
from .layout import Layout
from .tables import ENCODINGS, ReadOptions
from .yamlfile import LineDict, load_yaml, shown

SOURCES_FILE = "sources.yaml"
KEYS = ("header_row", "header_rows", "names", "missing", "encoding", "path",
        # where the file comes from, for `refresh` (publishers.py reads them)
        "url", "publisher", "title", "license", "every")


def load_options(directory: Path) -> tuple[dict[str, ReadOptions], list[Diagnostic]]:
    """Returns {file name: options} from data/sources.yaml, and its mistakes."""
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}, []
    raw = load_yaml(path)
    if raw is None:
        return {}, []
    if not isinstance(raw, LineDict):
        return {}, [DATA.at(path, getattr(raw, "line", 1), "data/sources.yaml maps each data "
                            "file's name to how it is read (header_row:, missing:, …)")]
    options, findings = {}, []
    for name, entry in raw.items():
        line = raw.line_of(name)
        if not (directory / str(name)).is_file():
            findings.append(DATA.at(path, line, f"no data file data/{name}"))
            continue
        try:
            options[str(name)] = _options(entry if entry is not None else LineDict(), path, line)
        except _Mistake as exc:
            findings.append(DATA.at(path, exc.line, f"{name}: {exc}"))
    return options, findings


class _Mistake(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _options(entry, path: Path, line: int) -> ReadOptions:
    if not isinstance(entry, LineDict):
        raise _Mistake(line, "give its reading options as keys (header_row:, missing:, …)")
    for key in entry:
        if key not in KEYS:
            raise _Mistake(entry.line_of(key), f"unknown key '{key}'" + did_you_mean(
                str(key), KEYS) + f" (the keys: {', '.join(KEYS)})")
    at = entry.line_of
    header_row = _whole(entry, "header_row", None, at)
    layout = Layout(header_row, _whole(entry, "header_rows", 1, at),
                    tuple(_texts(entry, "names", (), at)))
    encoding = str(entry.get("encoding", "")).lower()
    if encoding and encoding not in ENCODINGS:
        raise _Mistake(at("encoding"), f"unknown encoding '{encoding}' (one of "
                       f"{', '.join(ENCODINGS)})")
    missing = tuple(_texts(entry, "missing", MISSING_MARKS, at))
    return ReadOptions(layout, missing, encoding, str(entry.get("path", "") or ""))


def _whole(entry: LineDict, key: str, default, at):
    value = entry.get(key, default)
    if value is default:
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Mistake(at(key), f"'{key}' is a line number from 1, not {shown(value)}")
    return value


def _texts(entry: LineDict, key: str, default, at) -> list[str]:
    value = entry.get(key)
    if value is None:
        return list(default)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float))
                                              and not isinstance(v, bool) for v in value):
        raise _Mistake(at(key), f"'{key}' is a list of texts, not {shown(value)}")
    return [str(v) for v in value]
