"""Open data beside the briefing: every bundle carries the numbers behind each chart and
data table as a CSV the Digital Agency's rules accept, with a datapackage.json, and the
web edition links each chart and table to the same bytes."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest
from helpers import FLAGSHIP

from pipeline.build import load_document
from pipeline.cli import main
from pipeline.tree import Chart, Table, walk


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("opendata")
    assert main(["dist", "--content", str(FLAGSHIP), "--out", str(out), "--quiet"]) == 0
    assert main(["html", "--content", str(FLAGSHIP), "--out", str(out), "--quiet"]) == 0
    bundle, = (out / "dist").glob("gov-dx-briefing-*")
    return bundle, out / "gov-dx-briefing.html"


def _nodes():
    doc, _ = load_document(FLAGSHIP)
    return [n for s in doc.sections for n in walk(s.blocks)
            if isinstance(n, Chart) or isinstance(n, Table) and n.data]


def test_each_chart_and_data_table_has_its_csv_in_the_bundle(built):
    bundle, _ = built
    nodes = _nodes()
    names = sorted(p.name for p in (bundle / "data").iterdir())
    expected = sorted([f"figure-{n.number}.csv" for n in nodes if isinstance(n, Chart)]
                      + [f"table-{n.number}.csv" for n in nodes if isinstance(n, Table)])
    assert names == sorted(expected + ["datapackage.json"]) and len(expected) >= 3
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    sums = (bundle / "SHA256SUMS").read_text(encoding="utf-8")
    assert all(f"data/{name}" in sums for name in names)
    assert {f"data/{name}" for name in names} <= {f["name"] for f in manifest["files"]}


def test_a_csv_is_machine_readable_as_the_digital_agency_asks(built):
    bundle, _ = built
    chart = next(n for n in _nodes() if isinstance(n, Chart))
    data = (bundle / "data" / f"figure-{chart.number}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == chart.category_name and len(rows) == 1 + len(chart.categories)
    assert [row[0] for row in rows[1:]] == list(chart.categories)
    for column, series in enumerate(chart.series, start=1):
        assert chart.unit in rows[0][column] or not chart.unit
        assert [row[column] for row in rows[1:]] == [
            "" if v is None else str(v) for v in series.values]
    table = next(n for n in _nodes() if isinstance(n, Table))
    cells = list(csv.reader(io.StringIO(
        (bundle / "data" / f"table-{table.number}.csv").read_bytes().decode("utf-8-sig"))))
    assert len(cells) == 1 + len(table.body) and all("," not in c for r in cells for c in r)


def test_the_package_says_what_each_file_holds_and_where_it_comes_from(built):
    bundle, _ = built
    package = json.loads((bundle / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["name"] == "gov-dx-briefing"
    for resource in package["resources"]:
        rows = list(csv.reader(io.StringIO(
            (bundle / "data" / resource["path"]).read_bytes().decode("utf-8-sig"))))
        assert [f["name"] for f in resource["schema"]["fields"]] == rows[0]
        assert resource["encoding"] == "utf-8-sig" and "" in resource["schema"]["missingValues"]
        assert resource["sources"] and all(s["title"] for s in resource["sources"])
        assert re.match(r"[図表]\d+ \S", resource["title"])
    assert any(s.get("path", "").startswith("https://")
               for r in package["resources"] for s in r["sources"])


def test_the_web_edition_links_each_chart_and_table_to_the_same_csv(built):
    bundle, page = built
    html = page.read_text(encoding="utf-8")
    links = re.findall(r'<a href="data:text/csv;base64,([^"]+)" download="([^"]+)">'
                       r"データ（CSV）</a>", html)
    assert len(links) == len(_nodes())
    for encoded, name in links:
        assert base64.b64decode(encoded) == (bundle / "data" / name).read_bytes()
