"""WeasyPrint loaded and mended for speed (write/weasyprint_loader.py, weasyprint_fixes.py):
the same bytes as stock WeasyPrint, in less work."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from helpers import FLAGSHIP, ROOT

from pipeline.write import weasyprint_loader
from pipeline.write.weasyprint_fixes import COMPRESSION_LEVEL

# Renders argv[1] (HTML) with stock or mended WeasyPrint (argv[2]: stock, mended,
# mended-letter-by-letter, without the mend that draws SVG text in runs, mended-stock-drawing,
# without the two mends that change what is drawn, or mended-for-69,
# the loader asked for WeasyPrint while written for another release) and streams compressed
# at argv[4] (0: as installed); writes the PDF to stdout and, to stderr, how many pages were laid out
# again and which FFI served the text.
RENDER = """
import sys
html = open(sys.argv[1], encoding="utf-8").read()
if sys.argv[2].startswith("mended"):
    from pipeline.write import weasyprint_loader
    if sys.argv[2] == "mended-for-69":
        weasyprint_loader.WRITTEN_FOR["weasyprint"] = "69.0"
    weasyprint = weasyprint_loader.load_weasyprint()
    weasyprint = weasyprint_loader.load_weasyprint()  # twice: one warning
else:
    import weasyprint
if sys.argv[2] == "mended-letter-by-letter":  # the mends that keep the bytes, only
    import weasyprint.svg as svg
    one_run = svg.text
    svg.text = one_run.__wrapped__
    svg.TAGS.update((tag, svg.text) for tag, draw in list(svg.TAGS.items()) if draw is one_run)
if sys.argv[2] == "mended-stock-drawing":  # and lines justified in their spaces, as stock
    import weasyprint.svg as svg
    one_run = svg.text
    svg.text = one_run.__wrapped__
    svg.TAGS.update((tag, svg.text) for tag, draw in list(svg.TAGS.items()) if draw is one_run)
    import weasyprint.layout.inline as inline
    inline.justify_line = inline.justify_line.__wrapped__
if int(sys.argv[4]):  # else as installed: pydyf's own level, or ours when mended
    import pydyf
    from pipeline.write.weasyprint_fixes import _ZlibAtLevel
    pydyf.zlib = _ZlibAtLevel(int(sys.argv[4]))
import weasyprint.layout.page as page
import weasyprint.text.fonts as fonts
made = []
remake = page.remake_page
page.remake_page = lambda index, *args: (made.append(index), remake(index, *args))[1]
document = weasyprint.HTML(string=html, base_url=sys.argv[3]).render()
sys.stdout.buffer.write(document.write_pdf(pdf_variant="pdf/a-3u", pdf_tags=True))
print(len(made) - len(document.pages), type(fonts.ffi).__module__, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def flagship_html(tmp_path_factory):
    from pipeline.build import load_document
    from pipeline.write.html import HtmlOptions, render_html
    doc, _ = load_document(FLAGSHIP)
    path = tmp_path_factory.mktemp("html") / "flagship.html"
    path.write_text(render_html(doc, HtmlOptions()), encoding="utf-8")
    return path


def _render(html, how: str, level: int = COMPRESSION_LEVEL) -> tuple[bytes, int, str]:
    pdf, relayouts, ffi, _ = _render_warning(html, how, level)
    return pdf, relayouts, ffi


def _render_warning(html, how: str, level: int = COMPRESSION_LEVEL):
    """Returns _render's values and what else was printed to stderr."""
    done = subprocess.run([sys.executable, "-c", RENDER, str(html), how, str(FLAGSHIP),
                           str(level)],
                          cwd=ROOT, capture_output=True, timeout=180, check=True)
    *warnings, last = done.stderr.decode().splitlines()
    relayouts, ffi = last.split()
    return done.stdout, int(relayouts), ffi, warnings


def test_on_another_release_the_mends_stand_aside_with_one_warning(flagship_html):
    """The lock file pins the releases; an upgrade that skips it gets stock WeasyPrint,
    whole, rather than mends reaching into parts that may have moved."""
    stock, stock_relayouts, stock_ffi = _render(flagship_html, "stock", level=0)
    other, relayouts, ffi, warnings = _render_warning(flagship_html, "mended-for-69", level=0)
    assert (other, relayouts, ffi) == (stock, stock_relayouts, stock_ffi) == \
        (stock, stock_relayouts, "cffi.api")
    assert len(warnings) == 1 and "weasyprint 69.0" in warnings[0] \
        and "weasyprint 70.0 is installed" in warnings[0] and "stock WeasyPrint" in warnings[0]
    _, _, _, none = _render_warning(flagship_html, "mended")
    assert none == []


def test_the_releases_the_mends_were_written_for_are_those_the_lock_file_pins():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for name, release in weasyprint_loader.WRITTEN_FOR.items():
        assert re.search(rf"^{name}=={re.escape(release)} ", lock, re.M), name
    assert weasyprint_loader.other_releases() == {}  # and they are what is installed


def test_mended_weasyprint_writes_the_same_bytes_with_half_the_relayouts(flagship_html):
    stock, stock_relayouts, stock_ffi = _render(flagship_html, "stock")
    mended, mended_relayouts, mended_ffi = _render(flagship_html, "mended-stock-drawing")
    assert mended == stock  # at one compression level, nothing else differs
    # The table of contents is laid out again once its targets' pages are known:
    # once by the mended WeasyPrint, twice by the stock one.
    assert stock_relayouts == 2 * mended_relayouts > 0
    # The text is drawn through the compiled declarations, not cffi's parser.
    assert (stock_ffi, mended_ffi) == ("cffi.api", "_cffi_backend")


def test_an_svg_text_is_one_run_of_glyphs_drawn_where_its_letters_were(flagship_html,
                                                                        tmp_path):
    by_letter, _, _ = _render(flagship_html, "mended-letter-by-letter")
    in_runs, _, _ = _render(flagship_html, "mended")
    texts = [_text_runs(pdf) for pdf in (by_letter, in_runs)]
    # The charts' labels: many letters, drawn one by one, or one run each.
    assert texts[1] < texts[0] - 50
    pages = []
    for name, pdf in (("by-letter", by_letter), ("in-runs", in_runs)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "100", "-gray", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True, timeout=120)
        pages.append([path.read_bytes() for path in sorted(tmp_path.glob(f"{name}-*.pgm"))])
    assert len(pages[0]) > 3 and pages[0] == pages[1]  # the same pixels on every page


def _text_runs(pdf: bytes) -> int:
    """Returns how many runs of glyphs (TJ operators) the PDF's streams draw: its pages'
    and their groups' (WeasyPrint draws a centred SVG text in a group)."""
    import zlib
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
    return sum(zlib.decompress(data).count(b"TJ\n") for data in streams
               if data.startswith(b"x"))


def test_streams_are_compressed_at_zlibs_default_level_not_pydyfs_nine(flagship_html):
    stock, _, _ = _render(flagship_html, "stock", level=0)
    mended, _, _ = _render(flagship_html, "mended", level=0)
    # A zlib stream's second byte names its level: 0x9c the default, 0xda the best.
    assert stock.count(b"stream\nx\xda") > 10 and b"stream\nx\x9c" not in stock
    assert mended.count(b"stream\nx\x9c") > 10 and b"stream\nx\xda" not in mended
    assert len(mended) < 1.1 * len(stock)


DECLARATIONS = "int abs(int);"


def _use(tmp_path, monkeypatch, *directories):
    monkeypatch.setattr(weasyprint_loader, "_cache_directories",
                        lambda: [tmp_path / d for d in directories])


def test_compiled_declarations_are_written_once_then_loaded(tmp_path, monkeypatch):
    _use(tmp_path, monkeypatch, "cache")
    ffi = weasyprint_loader._compiled(DECLARATIONS)
    assert ffi.dlopen(None).abs(-3) == 3
    written = list((tmp_path / "cache").glob("weasyprint_ffi_*.py"))
    assert len(written) == 1 and not list((tmp_path / "cache").glob("*.tmp"))

    def no_parse(*_):
        raise AssertionError("parsed again")
    monkeypatch.setattr(weasyprint_loader, "_module_text", no_parse)
    assert weasyprint_loader._compiled(DECLARATIONS).dlopen(None).abs(-4) == 4
    # Other declarations are another file: a new WeasyPrint never meets an old one.
    with pytest.raises(AssertionError, match="parsed again"):
        weasyprint_loader._compiled("long labs(long);")


def test_a_damaged_cache_is_rewritten_and_an_unwritable_one_costs_only_time(
        tmp_path, monkeypatch):
    _use(tmp_path, monkeypatch, "cache")
    weasyprint_loader._compiled(DECLARATIONS)
    written, = (tmp_path / "cache").glob("weasyprint_ffi_*.py")
    written.write_text("raise ImportError('damaged')\n", encoding="utf-8")
    assert weasyprint_loader._compiled(DECLARATIONS).dlopen(None).abs(-5) == 5
    assert "damaged" not in written.read_text(encoding="utf-8")

    (tmp_path / "a-file").write_text("", encoding="utf-8")
    _use(tmp_path, monkeypatch, "a-file/cache")  # cannot be a directory
    # No cache: the FFI that parsed the declarations serves, as WeasyPrint's own would.
    assert weasyprint_loader._compiled(DECLARATIONS).dlopen(None).abs(-6) == 6
    assert not (tmp_path / "a-file").read_text(encoding="utf-8")


# Twelve paragraphs, the English phrase a character further along each time: on some
# line it meets a slack that stock WeasyPrint gives to its one space.
JUSTIFIED = "# 体制\n\n" + "".join(
    f"{'行政' * n}の枠組みとしてDDaT Professionを参照し、職員の役割と求められる技能を"
    "体系的に示した例がある。採用から配置、研修までを一貫した考え方で進めるとされる。\n\n"
    for n in range(12)) + "次の段落のDDaT Profession は行末で揃えない。\n"


def _lines_of(pdf: bytes, tmp_path, name: str):
    """Returns the printed lines of the paragraphs, as lists of words."""
    from helpers import pdf_line_words
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return [line for line in pdf_line_words(path)
            if line[0].text.startswith(("行政", "の枠組", "体系", "採用", "次の段落"))
            or any("DDaT" in word.text for word in line)]


def test_a_japanese_line_is_justified_between_its_characters_not_its_spaces(tmp_path):
    """Stock WeasyPrint gives a line's slack to its spaces: DDaT  Profession. Mended, the
    words keep the space of an unjustified line, and every full line of a paragraph ends
    at the same right edge, space or none."""
    from helpers import write_report

    from pipeline.build import load_document
    from pipeline.write.html import HtmlOptions, render_html
    doc, _ = load_document(write_report(tmp_path / "r", {"01.md": JUSTIFIED}))
    html = tmp_path / "justified.html"
    html.write_text(render_html(doc, HtmlOptions()), encoding="utf-8")
    gaps, edges = {}, {}
    for how in ("stock", "mended"):  # measured: stock 4.2 times the space at most, mended 1.13
        pdf, _, _ = _render(html, how)
        lines = _lines_of(pdf, tmp_path, how)
        gaps[how] = [line[i + 1].left - word.right for line in lines
                     for i, word in enumerate(line[:-1]) if word.text.endswith("DDaT")]
        full = [line for line in lines if not line[-1].text.endswith(("とされる。", "揃えない。"))]
        edges[how] = sorted(round(line[-1].right, 1) for line in full)
    natural = gaps["mended"][-1]  # the last paragraph's one line is not justified
    assert len(gaps["mended"]) >= 10 and max(gaps["mended"]) < 1.2 * natural
    assert max(gaps["stock"]) > 1.5 * natural  # what the mend is for
    assert edges["mended"][-1] - edges["mended"][0] < 1  # every full line ends at the edge
