"""Charts and tables from data files, in real products: the PDF's chart is vector
with real text, Word's a PNG with alt text, and both say the same numbers."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import docx
import pytest
from PIL import Image

import pipeline.build.products
import pipeline.write.pdf
from pipeline.build import load_document
from pipeline.cli import main
from pipeline.read.columns import parse_value
from pipeline.tree import Chart

from helpers import (FLAGSHIP, ROOT, cli_env, load_doc, nodes_of, pdf_pages_text, run_bounded,
                     run_cli, write_report)

CHART = """\
```chart
id: fig:staff
type: {kind}
data: {data}
{extra}caption: 職員数
source: [@alpha]
labels: true
```
"""


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    result = run_cli("all", "--content", str(FLAGSHIP), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_pdf_draws_charts_as_vector_with_real_text(flagship):
    pdf = flagship / "gov-dx-briefing.pdf"
    text = "".join(pdf_pages_text(pdf))
    for word in ("国家公務員", "地方公務員", "（万人）", "端末費用（1人当たり）", "15,000",
                 "図1", "図2", "出典：J-WAVE"):
        assert word in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert images == []  # no bitmap: every chart is vector, its words are text


def test_word_gets_a_png_of_at_least_200_dpi_with_alt_text(flagship):
    document = docx.Document(flagship / "gov-dx-briefing.docx")
    shapes = document.inline_shapes
    assert len(shapes) == 2
    with zipfile.ZipFile(flagship / "gov-dx-briefing.docx") as package:
        pngs = [n for n in package.namelist() if n.startswith("word/media/")]
        for shape, name in zip(shapes, pngs):
            with Image.open(package.open(name)) as image:
                assert image.format == "PNG" and image.mode == "RGB"  # on white: no alpha
                assert image.width / (shape.width.inches) >= 200
        body = package.read("word/document.xml").decode("utf-8")
    assert 'descr="国家公務員と地方公務員の数（単位：万人）。国家公務員：以前（万人） 113万人' in body
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "図1\u3000国家公務員と地方公務員の数" in captions
    sources = [p.text for p in document.paragraphs if p.style.name == "Source"]
    assert len(sources) == 3 and all(s.startswith("出典：") for s in sources)


def test_both_products_say_the_same_numbers(flagship):
    doc, _ = load_document(FLAGSHIP)
    pdf_text = re.sub(r"\s+", "", "".join(pdf_pages_text(flagship / "gov-dx-briefing.pdf")))
    document = docx.Document(flagship / "gov-dx-briefing.docx")
    word_cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    # As content/data/staff.csv and minami_costs.csv write them, not as the tree says.
    for cell in ("国家公務員", "113", "59", "2000", "2021", "地方公務員", "322", "274"):
        assert cell in word_cells and cell in pdf_text
    for label in ("15,000", "3,075", "1,000"):  # the chart's value labels, in the PDF's text
        assert label in pdf_text
    assert "15,000円から3,075円" in pdf_text


def test_a_shift_jis_csv_and_its_rows_in_the_text(tmp_path):
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    (root / "data" / "staff.csv").write_bytes("区分,人数\n国家公務員,５９\n地方公務員,\"2,740\"\n"
                                              .encode("cp932"))
    body = "# 一\n\n国は{{ staff['国家公務員']['人数'] }}万人[@alpha]。\n\n" + CHART.format(
        kind="barh", data="staff.csv", extra="unit: 万人\n")
    write_report(root, {"01.md": body})
    assert main(["pdf", "--content", str(root), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    text = "".join(pdf_pages_text(tmp_path / "o" / "test-report.pdf"))
    assert "国は59万人" in text and "2,740" in text and "地方公務員" in text


def test_an_xlsx_written_by_openpyxl(tmp_path):
    import openpyxl
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.title = "表紙"
    sheet = book.create_sheet("公務員数")
    for row in (["区分", "2000年度", "2021年度"], ["国家公務員", 113, 59.5], ["地方公務員", 322, None]):
        sheet.append(row)
    book.save(root / "data" / "staff.xlsx")
    doc, _ = load_doc(root, {"01.md": "# 一\n\n" + CHART.format(
        kind="line", data="staff.xlsx", extra="sheet: 公務員数\n")})
    (chart,) = nodes_of(doc, Chart)
    assert chart.categories == ("国家公務員", "地方公務員")
    assert [s.values for s in chart.series] == [(113, 322), (59.5, None)]
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "o"), "--quiet"]) == 0


def test_an_xlsx_formula_without_a_saved_value_names_its_cell(tmp_path):
    import openpyxl
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.append(["区分", "人数"])
    book.active.append(["国", "=1+1"])  # openpyxl saves no computed value
    book.save(root / "data" / "staff.xlsx")
    write_report(root, {"01.md": "# 一\n\n" + CHART.format(kind="bar", data="staff.xlsx",
                                                          extra="")})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "data/staff.xlsx: error: sheet 'Sheet', cell B2: the formula =1+1 has no saved " \
           "value (open and save the file in Excel) [data]" in result.stderr


@pytest.mark.parametrize("name, content, message", [
    ("staff.csv", "区分,人数\n国,59,1\n".encode(), "data/staff.csv:2: error: this row has 3 "
     "cells, the header 2 [data]"),
    ("staff.csv", b"ok\n\x82\n", "data/staff.csv:2: error: neither UTF-8 nor "
     "Shift_JIS (CP932) text"),
    ("staff.csv", "区分,人数\n".encode("utf-16"), "data/staff.csv:1: error: UTF-16 text is not "
     "supported: save the file as UTF-8 [data]"),
    ("staff.xlsx", b"PK\x03\x04 not really a workbook", "data/staff.xlsx: error: not an Excel "
     "workbook"),
    ("staff.csv", "区分,人数\n".encode() + b"x,1\n" * 2_000_000, "data/staff.csv: error: file "
     "of 7.6 MiB is over the 5 MiB limit (--max-file-mib) [too-large]"),
])
def test_broken_data_files_are_diagnostics(tmp_path, name, content, message):
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    (root / "data" / name).write_bytes(content)
    write_report(root, {"01.md": "# 一\n\n" + CHART.format(kind="bar", data=name, extra="")})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_zip_bomb_disguised_as_xlsx_is_refused(tmp_path):
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    with zipfile.ZipFile(root / "data" / "staff.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 2**20))  # 120 MiB of zeros
    assert (root / "data" / "staff.xlsx").stat().st_size < 1_000_000
    write_report(root, {"01.md": "# 一\n\n" + CHART.format(kind="bar", data="staff.xlsx",
                                                          extra="")})
    result = run_bounded("check", "--content", str(root), "--out", str(tmp_path / "o"),
                         memory_mib=1024)
    assert result["code"] == 1 and "unpacks to 120 MiB" in result["stderr"]


def test_a_symlink_out_of_data_is_refused(tmp_path):
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    (tmp_path / "secret.csv").write_text("区分,人数\n秘密,1\n", encoding="utf-8")
    (root / "data" / "staff.csv").symlink_to(tmp_path / "secret.csv")
    write_report(root, {"01.md": "# 一\n\n" + CHART.format(kind="bar", data="staff.csv",
                                                          extra="")})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"))
    assert result.returncode == 1 and "leads outside data/ [" in result.stderr


def test_an_entry_cited_only_by_a_chart_is_cited(tmp_path):
    references = "- id: only-chart\n  type: report\n  title: 白書\n  publisher: 庁\n  issued: 2022\n"
    root = tmp_path / "r"
    (root / "data").mkdir(parents=True)
    (root / "data" / "staff.csv").write_text("区分,人数\n国,59\n", encoding="utf-8")
    write_report(root, {"01.md": "# 一\n\n" + CHART.format(kind="bar", data="staff.csv",
                                                          extra="").replace("alpha", "only-chart")},
                 references=references)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "o"), "--strict")
    assert result.returncode == 0, result.stderr


def test_rebuilds_are_byte_identical_and_draw_nothing(tmp_path, monkeypatch):
    out = tmp_path / "o"
    assert main(["all", "--content", str(FLAGSHIP), "--out", str(out), "--quiet"]) == 0
    first = {p: (out / p).read_bytes() for p in ("gov-dx-briefing.pdf", "gov-dx-briefing.docx")}
    cached = sorted(p.name for p in (out / ".cache" / "charts").iterdir())
    assert len(cached) == 4  # two charts, SVG and PNG

    def no_drawing(chart, kind):
        raise AssertionError("a cached chart was drawn again")
    monkeypatch.setattr(pipeline.build.products, "draw_chart", no_drawing)
    assert main(["all", "--content", str(FLAGSHIP), "--out", str(out), "--quiet",
                 "--serial"]) == 0
    monkeypatch.undo()
    shutil.rmtree(out / ".cache")  # drawn afresh, the same bytes
    assert main(["all", "--content", str(FLAGSHIP), "--out", str(out), "--quiet"]) == 0
    assert {p: (out / p).read_bytes() for p in first} == first


@pytest.mark.parametrize("text, value", [("1,234", (1234, 0)), ("１２．５", (12.5, 1)),
                                         ("", (None, 0)), ("約59", ("約59", 0)),
                                         ("-3", (-3, 0)), ("2021年度", ("2021年度", 0))])
def test_cell_values(text, value):
    assert parse_value(text) == value


def test_check_of_a_report_with_charts_imports_no_charting(tmp_path):
    script = ("import json, sys\nfrom pipeline.cli import main\n"
              f"main(['check', '--content', {str(FLAGSHIP)!r}, '--out', {str(tmp_path)!r}, "
              "'--quiet'])\nprint(json.dumps(sorted(m for m in sys.modules "
              "if m.split('.')[0] in {'matplotlib', 'openpyxl', 'numpy'})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env=cli_env())
    assert json.loads(done.stdout) == []


@pytest.fixture(scope="module")
def raw_and_tidy_svgs():
    """A line chart's SVG (markers and ticks) as matplotlib writes it, and as we ship it."""
    import dataclasses

    from pipeline.write import chart as charting
    doc, _ = load_document(FLAGSHIP)
    chart = dataclasses.replace(nodes_of(doc, Chart)[0], kind="line")
    ours = charting.draw_chart(chart, "svg")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charting, "tidy_svg", lambda svg: svg)
        raw = charting.draw_chart(chart, "svg")
    return raw, ours


def test_the_shipped_svg_draws_what_matplotlib_drew_in_half_the_elements(raw_and_tidy_svgs,
                                                                         tmp_path):
    import base64
    import xml.dom.minidom
    raw, ours = raw_and_tidy_svgs
    xml.dom.minidom.parseString(ours)  # well formed
    elements = [len(re.findall(rb"<[a-zA-Z]", svg)) for svg in (raw, ours)]
    assert elements[1] < 0.5 * elements[0]
    assert raw.count(b' style="') > 30 and b' style="' not in ours and b"<style" not in ours
    assert raw.count(b"<use ") > 10 and b"<use " not in ours  # drawn in place
    assert b"<metadata" not in ours and b"rotate(" not in ours
    assert not re.search(rb'<g(?: id="[^"]*")?>', ours)
    assert ours.count(b"<path ") == raw.count(b"<path ") + raw.count(b"<use ")
    assert ours.count(b"<text ") == raw.count(b"<text ")
    # Drawn by WeasyPrint and rasterised, the two are the same pixels.
    pages = []
    for name, svg in (("raw", raw), ("ours", ours)):
        html = tmp_path / f"{name}.html"
        html.write_text('<img style="width: 150mm" src="data:image/svg+xml;base64,'
                        f'{base64.b64encode(svg).decode()}">', encoding="utf-8")
        subprocess.run([sys.executable, "-c", "import sys; from pipeline.write.weasyprint_loader "
                        "import load_weasyprint; load_weasyprint().HTML(sys.argv[1]).write_pdf("
                        "sys.argv[2])", str(html), str(tmp_path / f"{name}.pdf")],
                       cwd=ROOT, check=True, timeout=120)
        subprocess.run(["pdftoppm", "-r", "150", "-singlefile", "-gray",
                        str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
        pages.append(Image.open(tmp_path / f"{name}.pgm"))
    assert pages[0].tobytes() == pages[1].tobytes()


@pytest.mark.parametrize("svg", [
    # a style with more than presentation properties, or naming an attribute the element has
    b'<svg>\n<text style="font: 9px x; fill: red"/>\n<rect fill="none" style="fill: #fff"/>\n</svg>',
    b'<svg>\n<g id="a">\n<path/>\n</svg>',  # groups not closed: not matplotlib's shape
    # a marker with an arc, whose numbers are not all points
    b'<svg>\n<defs>\n<path id="m" d="M 0 0 A 1 1 0 0 1 2 2" style="font: 9px x"/>\n</defs>\n'
    b'<use xlink:href="#m" x="1" y="2" style="fill: red; font: 9px x"/>\n</svg>',
    # a marker whose own style cannot be read: its properties would be lost
    b'<svg>\n<defs>\n<path id="m" d="M 0 0 L 1 1" style="fill red"/>\n</defs>\n'
    b'<use xlink:href="#m" x="1" y="2" style="fill: red; font: 9px x"/>\n</svg>',
    # a style sheet that says more than inherited defaults: styles stay styles
    b'<svg>\n <defs>\n  <style type="text/css">*{opacity: 0.5}</style>\n </defs>\n'
    b'<path d="M 0 0" style="fill: red"/>\n</svg>',
])
def test_what_is_not_shaped_as_matplotlib_writes_it_is_left_as_it_was(svg):
    from pipeline.write.chart_svg import tidy_svg
    assert tidy_svg(svg) == svg


@pytest.fixture(scope="module")
def four_charts(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import add_charts, generate
    return add_charts(generate(tmp_path_factory.mktemp("charts4"), 2), 4)


def _no_children_left() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) is None  # pragma: no cover -- a child is left
    except ChildProcessError:
        return True


def test_alls_parent_never_imports_matplotlib_and_nothing_does_when_all_is_drawn(tmp_path):
    # Each build in a fresh interpreter, logging the processes that import matplotlib.
    log = tmp_path / "imports.log"
    script = ("import json, os, sys\nfrom pipeline.cli import main\n"
              "from pipeline.write import chart\nload = chart.load_matplotlib\n"
              "def logged():\n"
              "    if not chart.matplotlib_loaded():\n"
              f"        with open({str(log)!r}, 'a') as out: out.write(f'{{os.getpid()}}\\n')\n"
              "    load()\n"
              "chart.load_matplotlib = logged\n"
              f"main(['all', '--content', {str(FLAGSHIP)!r}, '--out', {str(tmp_path)!r}, "
              "'--quiet'])\nparent = chart.matplotlib_loaded()\nload()\n"
              "import matplotlib.artist\nprint(json.dumps([os.getpid(), parent, "
              "matplotlib.artist.kwdoc(matplotlib.artist.Artist)]))\n")
    runs = []
    for _ in range(2):
        log.write_text("")
        pid, parent, kwdoc = json.loads(subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
            env=cli_env(), timeout=300).stdout)
        runs.append((parent, log.read_text().split(), str(pid)))
    (parent, importers, pid), (parent_again, importers_again, _) = runs
    # Drawing, the child imports it (once, shared with its helper); the PDF's process never.
    assert parent is False and len(importers) == 1 and importers != [pid]
    assert (parent_again, importers_again) == (False, [])  # every drawing cached
    assert kwdoc == ""  # imported without the help texts of its setters


def test_words_pictures_are_drawn_on_two_cores_each_once_from_the_pdfs_figures(
        four_charts, tmp_path, monkeypatch):
    import time
    from pipeline.build.products import ChartCache, _draw_on_two_cores
    charts = nodes_of(load_document(four_charts)[0], Chart)
    log = tmp_path / "saved.log"

    def save_slowly(figure, kind):  # slow enough for both processes to take some
        time.sleep(0.2)
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {figure}\n")
        return f"{figure} {kind}".encode()
    monkeypatch.setattr(pipeline.build.products, "save_chart", save_slowly)
    monkeypatch.setattr(pipeline.build.products, "figure_of", lambda chart: pytest.fail(
        "laid out again"))
    figures = {id(chart): f"figure-{n}" for n, chart in enumerate(charts)}
    drawn = ChartCache(tmp_path / "cache")
    drawn.draw(charts[1], "png")  # drawn before: left as it is
    _draw_on_two_cores(charts, drawn, "png", figures)
    assert _no_children_left()
    saved = [line.split() for line in log.read_text().splitlines()]
    assert sorted(figure for _, figure in saved) == ["figure-0", "figure-2", "figure-3"]
    assert len({pid for pid, _ in saved}) == 2
    assert [drawn.path(chart, "png").read_bytes() for chart in charts[::2]] == \
        [f"figure-{n} png".encode() for n in (0, 2)]


@pytest.mark.parametrize("failing", ["child", "its helper"])
def test_a_child_that_fails_to_help_draw_costs_nothing_but_time(failing, four_charts, tmp_path,
                                                                monkeypatch):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert main(["all", "--content", str(four_charts), "--out", str(serial), "--quiet",
                 "--serial"]) == 0
    us = os.getpid()

    def broken(draw):
        def failing_there(*args, **kwargs):
            if os.getppid() == us if failing == "child" else os.getpid() != us != os.getppid():
                raise RuntimeError(f"matplotlib broke in the {failing}")
            return draw(*args, **kwargs)
        return failing_there
    for method in ("draw_all", "draw_taken"):
        monkeypatch.setattr(pipeline.build.products.ChartCache, method,
                            broken(getattr(pipeline.build.products.ChartCache, method)))
    assert main(["all", "--content", str(four_charts), "--out", str(parallel), "--quiet"]) == 0
    assert _no_children_left()
    for suffix in ("pdf", "docx"):
        assert next(parallel.glob(f"*.{suffix}")).read_bytes() == \
            next(serial.glob(f"*.{suffix}")).read_bytes()


def test_pdf_is_laid_out_around_placeholders_while_a_helper_draws_with_the_same_bytes(
        four_charts, tmp_path, monkeypatch):
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    helped, alone = tmp_path / "helped", tmp_path / "alone"
    assert main(["pdf", "--content", str(four_charts), "--out", str(helped), "--quiet"]) == 0
    assert forks == [1] and _no_children_left()
    assert len(list((helped / ".cache" / "charts").glob("*.svg"))) == 4
    monkeypatch.setattr(pipeline.build.products, "may_fork", lambda: False)
    assert main(["pdf", "--content", str(four_charts), "--out", str(alone), "--quiet"]) == 0
    assert forks == [1]
    assert next(helped.glob("*.pdf")).read_bytes() == next(alone.glob("*.pdf")).read_bytes()


def test_a_placeholder_is_laid_out_as_the_drawing_it_stands_for():
    from pipeline.write.chart import draw_chart, placeholder_svg
    doc, _ = load_document(FLAGSHIP)
    for chart in nodes_of(doc, Chart):
        size = re.compile(rb'<svg [^>]*?(width="[^"]*" height="[^"]*" viewBox="[^"]*")')
        assert size.search(placeholder_svg(chart)).group(1) == \
            size.search(draw_chart(chart, "svg")).group(1)
    first, second = nodes_of(doc, Chart)[:2]
    assert placeholder_svg(first) != placeholder_svg(second)  # one image each, by URL


@pytest.mark.parametrize("failure", ["helper", "weasyprint"])
def test_pdf_around_placeholders_gives_the_same_bytes_when_a_part_fails(failure, four_charts,
                                                                        tmp_path, monkeypatch):
    alone = tmp_path / "alone"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.build.products, "may_fork", lambda: False)
        assert main(["pdf", "--content", str(four_charts), "--out", str(alone), "--quiet"]) == 0
    if failure == "helper":  # it draws nothing: the PDF's process draws every chart
        parent, draw = os.getpid(), pipeline.build.products.ChartCache.draw

        def draw_in_parent_only(cache, chart, kind):
            if os.getpid() != parent:
                raise RuntimeError("matplotlib broke in the helper")
            return draw(cache, chart, kind)
        monkeypatch.setattr(pipeline.build.products.ChartCache, "draw", draw_in_parent_only)
    else:  # a WeasyPrint whose images cannot be repainted: laid out again with the drawings
        monkeypatch.setattr(pipeline.write.pdf, "_paint_late", lambda images, late: False)
    helped = tmp_path / "helped"
    assert main(["pdf", "--content", str(four_charts), "--out", str(helped), "--quiet"]) == 0
    assert _no_children_left()
    assert next(helped.glob("*.pdf")).read_bytes() == next(alone.glob("*.pdf")).read_bytes()


def test_a_failing_pdf_takes_its_drawing_helper_with_it(four_charts, tmp_path, monkeypatch):
    real_render = pipeline.build.products.render_html

    def render_then_fail(doc, options):
        real_render(doc, options)
        raise KeyboardInterrupt
    monkeypatch.setattr(pipeline.build.products, "render_html", render_then_fail)
    with pytest.raises(KeyboardInterrupt):
        main(["pdf", "--content", str(four_charts), "--out", str(tmp_path / "o"), "--quiet"])
    assert _no_children_left()
    assert not list((tmp_path / "o").rglob("*.tmp"))


def test_a_failing_all_takes_its_child_and_the_childs_helper_with_it(four_charts, tmp_path,
                                                                     monkeypatch):
    import time
    from pipeline import processes
    out, pids = tmp_path / "o", tmp_path / "helpers.log"
    real_fork, real_save, real_render = (processes.fork_helper, pipeline.build.products.save_chart,
                                         pipeline.build.products.render_pdf)

    def logged_fork():
        child = real_fork()
        if child == 0:
            with open(pids, "a") as log:
                log.write(f"{os.getpid()}\n")
        return child

    def save_slowly(figure, kind):  # Word's pictures: slow, so the helpers are at work
        time.sleep(0.5 if kind == "png" else 0)
        return real_save(figure, kind)

    def fail_once_pictures_are_drawn(html, options, late=None):
        deadline = time.monotonic() + 60
        while not list(out.rglob("*.png")) and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt
    monkeypatch.setattr(pipeline.build.products, "fork_helper", logged_fork)
    monkeypatch.setattr(processes, "fork_helper", logged_fork)  # Helper's fork
    monkeypatch.setattr(pipeline.build.products, "save_chart", save_slowly)
    monkeypatch.setattr(pipeline.build.products, "render_pdf", fail_once_pictures_are_drawn)
    with pytest.raises(KeyboardInterrupt):
        main(["all", "--content", str(four_charts), "--out", str(out), "--quiet"])
    assert _no_children_left()
    helpers = pids.read_text().split()
    assert len(helpers) == 2  # the child, and its helper for Word's pictures
    # Killed, it is gone within a moment; left alone, it would draw on (0.5 s a picture).
    deadline = time.monotonic() + 0.25
    while any(_alive(int(pid)) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not [pid for pid in helpers if _alive(int(pid))]
    assert not list(out.rglob("*.tmp")) and not list(out.glob("*.docx"))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_a_second_legend_row_moves_the_plot_down_not_over_the_legend():
    import dataclasses

    from pipeline.write import chart as charting
    from pipeline.write.chart_plan import LEGEND_ROW
    doc, _ = load_document(FLAGSHIP)
    two = nodes_of(doc, Chart)[0]
    five = dataclasses.replace(two, series=(two.series * 3)[:5])

    def plot_top(chart) -> float:  # the plot area's clip rectangle, in points
        svg = charting.draw_chart(chart, "svg")
        return float(re.search(rb'<clipPath id="[^"]+">\s*<rect x="[^"]+" y="([^"]+)"', svg)[1])
    assert plot_top(five) - plot_top(two) == pytest.approx(LEGEND_ROW * 72, abs=0.5)
