"""Editions made from data (`edition: auto` in report.yaml): when the data a report
draws on has changed since its last bundle, `dist` makes the next edition without a
hand edit. The minor version goes up (1.0 → 1.1), and the edition is dated the day
its newest data was fetched (data/sources.lock), or the report's date if later.
CHANGES.md then lists the cells that changed and, in the sections' diff, the
sentences whose text changed with them.

Without it (the default), a data change under the same version is refused, as any
change is: an official raises the version by hand.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from ..diagnostics import PipelineError
from ..read.data import DATA_DIR, DataFiles, data_files
from ..read.data_options import SOURCES_FILE
from ..read.publishers import JST, load_lock
from ..read.yamlfile import load_yaml
from ..tree import Document

AUTO = "auto"
MAX_CELLS = 100_000  # cells kept of one file, to compare: those past it are not compared


def data_edition(doc: Document, content_dir: Path, previous: dict | None) -> Document:
    """Returns doc as the next edition when its report asks for `edition: auto` and
    its data changed since the bundle `previous` (a state with its snapshot)."""
    if doc.meta.edition != AUTO or previous is None or "data" not in previous["snapshot"]:
        return doc
    before = previous["snapshot"]
    if before["data"] == data_cells(content_dir, doc.each_row):  # that edition has this data
        if _parts(before["meta"]["version"]) <= _parts(doc.meta.version):
            return doc
        return _edition(doc, before["meta"]["version"],
                        datetime.date.fromisoformat(before["meta"]["date"]))
    version = next_version(before["meta"]["version"], doc.meta.version)
    date = max(filter(None, (fetch_day(content_dir), doc.meta.date,
                             datetime.date.fromisoformat(before["meta"]["date"]))))
    return _edition(doc, version, date)


def _edition(doc: Document, version: str, date: datetime.date) -> Document:
    return dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, version=version,
                                                               date=date))


def next_version(previous: str, current: str) -> str:
    """Returns the version of the next edition: the report's own when it is already
    past the previous bundle's, else the previous one's minor raised (1.9 → 1.10)."""
    if _parts(current) > _parts(previous):
        return current
    major, *minor = _parts(previous)
    return f"{major}.{(minor[0] if minor else 0) + 1}"


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit()) or (0,)


def fetch_day(content_dir: Path) -> datetime.date | None:
    """Returns the day, in Japan, its newest data file was fetched, if any was."""
    fetches = load_lock(content_dir / DATA_DIR)
    return max((f.fetched.astimezone(JST).date() for f in fetches.values()), default=None)


def data_cells(content_dir: Path, each_row: tuple[str, int] | None = None) -> dict[
        str, dict[str, str]]:
    """Returns every data file's cells as text, by file and `row・column`: what CHANGES.md
    compares between editions ('国家公務員・現在（万人）': '59'). Of a report over rows,
    the `each:` file's own row alone: another row's change is not this report's."""
    data = DataFiles(content_dir)
    cells = {}
    for path in data_files(content_dir):
        if path.name == SOURCES_FILE:
            continue
        try:
            cells[path.name] = (_yaml_cells(load_yaml(path)) if path.suffix in (".yaml", ".yml")
                                else _table_cells(data.table(path.name), _only(path, each_row)))
        except (ValueError, OSError, PipelineError):  # the build says why
            cells[path.name] = {}
    return cells


def _only(path: Path, each_row: tuple[str, int] | None) -> int | None:
    return each_row[1] if each_row is not None and each_row[0] == path.name else None


def _table_cells(table, only: int | None = None) -> dict[str, str]:
    name = table.naming[0] if table.naming else 0
    found = {}
    for row in table.rows if only is None else table.rows[only:only + 1]:
        for column, value in enumerate(row):
            if column != name and len(found) < MAX_CELLS:
                found[f"{row[name]}・{table.columns[column]}"] = "" if value is None else str(value)
    return found


def _yaml_cells(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items()
                for k, v in _yaml_cells(item, f"{prefix}{key}・").items()}
    if isinstance(value, list):
        return {k: v for index, item in enumerate(value, start=1)
                for k, v in _yaml_cells(item, f"{prefix}{index}・").items()}
    return {prefix.rstrip("・"): "" if value is None else str(value)}


def data_changes(before: dict, after: dict, limit: int = 50) -> list[str]:
    """Returns CHANGES.md's lines for the cells that changed between two snapshots:
    `data/staff.csv` 国家公務員・現在（万人）: 59 → 58."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        for key in [k for k in new if old.get(k) != new[k]] + [k for k in old if k not in new]:
            lines.append(f"- data/{name} {key}: {old.get(key, '（なし）')} → "
                         f"{new.get(key, '（なし）')}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"- ほか{len(lines) - limit}件"]
    return ["## データ", "", *lines, ""] if lines else []
