"""Document → its open data: the numbers behind each chart and data table as a CSV, and a
datapackage.json (Frictionless Data) that says what each file holds, where its numbers
come from and under which licence.

Each CSV meets the Digital Agency's rules for machine-readable tables
(../shared/source/data-rules): UTF-8 with a BOM, so that Excel opens it; one header
row, the unit in the header; one value per cell; numbers without separators; a
missing value left as its publisher marks it, the marks declared in the package
(blank is not zero). The descriptor is written here, by hand: a few fields of JSON,
which the frictionless library (and its dependencies) would only serialise.
"""

from __future__ import annotations

import csv
import io
import json
import re

from ..read.columns import MISSING_MARKS
from ..tree import Chart, Citation, Document, Table, plain_text, walk
from .labels import provenance_text

PACKAGE = "datapackage.json"
_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?$|-?\d+(\.\d+)?$")


def open_data(doc: Document) -> dict[str, bytes]:
    """Returns {file name: bytes}: a CSV per numbered chart and data table, and the
    package descriptor; empty when the report draws nothing from data."""
    nodes = data_nodes(doc)
    if not nodes:
        return {}
    files = {csv_name(node): node_csv(node) for node in nodes}
    files[PACKAGE] = _package(doc, nodes)
    return files


def data_nodes(doc: Document) -> list[Chart | Table]:
    """Returns the charts and the numbered data tables, in reading order."""
    return [node for section in doc.sections for node in walk(section.blocks)
            if isinstance(node, Chart) or isinstance(node, Table) and node.data and node.number]


def csv_name(node: Chart | Table) -> str:
    """Returns the file name of a node's data: figure-1.csv for 図1, table-2.csv for 表2."""
    return f"figure-{node.number}.csv" if isinstance(node, Chart) else f"table-{node.number}.csv"


def node_csv(node: Chart | Table) -> bytes:
    """Returns the CSV of a chart's or data table's numbers."""
    return _csv(_rows(node))


def _rows(node: Chart | Table) -> list[list[str]]:
    if isinstance(node, Chart):
        header = [node.category_name or "区分"] + [_with_unit(s.name, node.unit)
                                                   for s in node.series]
        body = [[category] + [_value(s.values[i], s.decimals) for s in node.series]
                for i, category in enumerate(node.categories)]
        return [header] + body
    header = [plain_text(cell) for cell in node.header[0]]
    numeric = [align == "right" for align in node.aligns]
    return [header] + [[_cell(plain_text(cell), numeric[i]) for i, cell in enumerate(row)]
                       for row in node.body]


def _with_unit(name: str, unit: str) -> str:
    """A chart's series name with its unit, unless it says it already: 現在（万人）."""
    return f"{name}（{unit}）" if unit and unit not in name else name


def _value(value, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}" if isinstance(value, float) else str(value)


def _cell(text: str, numeric: bool) -> str:
    """A table's cell as data: a number printed with separators loses them."""
    return text.replace(",", "") if numeric and _NUMBER.match(text) else text


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _package(doc: Document, nodes: list[Chart | Table]) -> bytes:
    entries = {entry.number: entry.source for entry in doc.references}
    package = {
        "profile": "tabular-data-package",
        "name": doc.meta.id, "title": doc.meta.title, "version": doc.meta.version,
        "created": doc.meta.date.isoformat(),
        "resources": [_resource(node, entries) for node in nodes],
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _resource(node: Chart | Table, entries: dict) -> dict:
    rows = _rows(node)
    label = ("図" if isinstance(node, Chart) else "表") + str(node.number)
    fields = [{"name": name, "type": _type(rows, i)} for i, name in enumerate(rows[0])]
    resource = {
        "name": csv_name(node)[:-4], "path": csv_name(node), "profile": "tabular-data-resource",
        "title": f"{label} {plain_text(node.caption)}", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8-sig",
        "schema": {"fields": fields, "missingValues": ["", *MISSING_MARKS]},
        "sources": _sources(node, entries),
    }
    if node.provenance is not None and node.provenance.license:
        resource["licenses"] = [{"title": node.provenance.license}]
    return resource


def _type(rows: list[list[str]], column: int) -> str:
    values = [row[column] for row in rows[1:] if row[column] not in ("", *MISSING_MARKS)]
    return "number" if values and all(_NUMBER.match(v) for v in values) else "string"


def _sources(node: Chart | Table, entries: dict) -> list[dict]:
    """Returns the node's sources: its data's publisher, then the entries it cites."""
    found = []
    if node.provenance is not None:
        found.append({"title": provenance_text(node.provenance), "path": node.provenance.url})
    for citation in (n for n in node.source if isinstance(n, Citation)):
        for number in citation.numbers:
            source = entries.get(number)
            if source is not None:
                title = "".join(p for p in (source.publisher, f"「{source.title}」") if p)
                found.append({"title": title, **({"path": source.url} if source.url else {})})
    return found
