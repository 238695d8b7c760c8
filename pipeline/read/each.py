"""A report over rows: `each: municipalities.csv` in report.yaml makes one report per
row of that data file (`batch` builds them all, `--row ID` one).

The row is `row` in the Jinja of the sections and of the fields id, title,
subtitle and recipients (`id: "dx-{{ row['団体コード'] }}"`); the other data
files, the references and the templates are shared by every row. The rendered
id names the row: it must be a valid id, and no two rows may make the same one.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..diagnostics import Diagnostic, PipelineError, did_you_mean
from ..rules import DATA, REPORT_FIELD
from .data import DataFiles
from .expand import brief, make_environment, plain_message
from .rows import Row, as_rows, row_at
from .tables import DataTable
from .yamlfile import LineDict

TEMPLATED = ("id", "title", "subtitle", "recipients")
SHOWN_IDS = 3  # ids named when --row names none of them


@dataclass(frozen=True)
class RowReport:
    """One row's report, as a batch lists it: its id, and where its row is."""

    id: str
    index: int  # the row's position in the table, counted from 0
    where: str  # "line 5": for a message
    cells: str  # the row as written (JSON): what its content hash covers


def row_reports(path: Path, raw: LineDict, data: DataFiles) -> tuple[
        list[RowReport], list[Diagnostic]]:
    """Returns the report of each row of `each:` with its rendered id, and an error for
    each row whose id cannot be made, is no valid id, or repeats another row's."""
    table = each_table(path, raw, data)
    template = _compile(path, raw, "id", raw["id"])
    reports, findings, seen = [], [], {}
    for index, row in enumerate(as_rows(table)):
        where = f"data/{table.path.name}:{table.lines[index]}"
        try:
            report_id = _render(template, row).strip()
        except Exception as exc:  # noqa: BLE001 -- a template's error is the author's
            findings.append(_row_error(path, raw, "id", table, index, exc))
            continue
        if report_id in seen:
            findings.append(DATA.at(table.path, table.lines[index], f"this row's id "
                                    f"'{report_id}' is also {seen[report_id]}'s: the id in "
                                    "report.yaml must tell the rows apart"))
            continue
        seen[report_id] = table.where(index)
        reports.append(RowReport(report_id, index, where, _cells(table, index)))
    return reports, findings


def pick_row(path: Path, raw: LineDict, data: DataFiles, wanted: str | None,
             hint: int | None = None) -> tuple[Row, int]:
    """Returns the row whose report has the id `wanted`, and its index; raises
    PipelineError naming the ids there are, or saying that such a report is built by
    `batch` or with --row.

    `hint` is where a batch found the row when it listed them all (and checked that
    no two make one id): that row alone is rendered, when it still makes that id,
    instead of every row for every report.
    """
    table = each_table(path, raw, data)
    if hint is not None and 0 <= hint < len(table.rows) and wanted is not None:
        row = row_at(table, hint)
        try:
            if _render(_compile(path, raw, "id", raw["id"]), row).strip() == wanted:
                return row, hint
        except Exception:  # noqa: BLE001 -- the search below says what is wrong
            pass
    reports, findings = row_reports(path, raw, data)
    found = [r for r in reports if r.id == wanted]
    if found:
        return row_at(table, found[0].index), found[0].index
    if findings and wanted is not None:
        raise PipelineError(findings)
    ids = [r.id for r in reports]
    shown = ", ".join(ids[:SHOWN_IDS]) + (f", … ({len(ids)} in all)" if len(ids) > SHOWN_IDS
                                          else "")
    if wanted is None:
        message = (f"each: makes one report per row of data/{raw['each']} ({shown}): build "
                   "them with `python -m pipeline batch`, or one with --row ID")
    else:
        message = f"--row: no row makes the report '{wanted}'{did_you_mean(wanted, ids)}" \
                  f" (the rows make {shown})"
    raise PipelineError([REPORT_FIELD.at(path, raw.line_of("each"), message)])


def render_fields(path: Path, raw: LineDict, row: Row) -> list[Diagnostic]:
    """Renders the templated fields of raw with the row, in place; returns an error for
    each that cannot be rendered."""
    findings = []
    for name in TEMPLATED:
        if name not in raw:
            continue
        try:
            raw[name] = _rendered(path, raw, name, raw[name], row)
        except PipelineError as exc:
            findings += exc.diagnostics
    return findings


def each_table(path: Path, raw: LineDict, data: DataFiles) -> DataTable:
    """Returns the table of `each:`; raises PipelineError at its line when it cannot be read."""
    try:
        return data.table(raw["each"])
    except ValueError as exc:
        raise PipelineError([REPORT_FIELD.at(path, raw.line_of("each"), f"each: {exc}")]) \
            from None


def _rendered(path: Path, raw: LineDict, name: str, value, row: Row):
    """Returns the field's value with every text in it rendered with the row."""
    if isinstance(value, str):
        try:
            return _render(_compile(path, raw, name, value), row).strip()
        except PipelineError:
            raise
        except Exception as exc:  # noqa: BLE001 -- a template's error is the author's
            raise PipelineError([REPORT_FIELD.at(path, raw.line_of(name), f"field '{name}': "
                                                 f"{_message(exc)}")]) from None
    if isinstance(value, dict):
        return {key: _rendered(path, raw, name, v, row) for key, v in value.items()}
    if isinstance(value, list):
        return [_rendered(path, raw, name, v, row) for v in value]
    return value


def _compile(path: Path, raw: LineDict, name: str, text: str) -> jinja2.Template:
    try:
        return _environment().from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise PipelineError([REPORT_FIELD.at(path, raw.line_of(name), f"field '{name}': "
                                             f"template error: {exc.message}")]) from None


@functools.cache
def _environment() -> jinja2.Environment:
    """Returns the sections' sandbox, filters and all, made once."""
    return make_environment()


def _render(template: jinja2.Template, row: Row) -> str:
    return template.render(row=row)


def _row_error(path: Path, raw: LineDict, name: str, table: DataTable, index: int,
               exc: Exception) -> Diagnostic:
    return REPORT_FIELD.at(path, raw.line_of(name), f"field '{name}' for the row at "
                           f"data/{table.path.name} {table.where(index)}: {_message(exc)}")


def _message(exc: Exception) -> str:
    return plain_message(brief(exc))


def _cells(table: DataTable, index: int) -> str:
    return json.dumps([table.columns, [str(v) for v in table.rows[index]]], ensure_ascii=False)
