"""Property: any Markdown a section can hold gives both products or a diagnostic,
never an uncaught exception.

Hypothesis writes the sections: headings, paragraphs with emphasis, code,
links and citations, nested lists, tables, quotations and code blocks, in
mixed Japanese and ASCII with the characters Markdown and Jinja treat
specially. In CI the examples are fixed (derandomize), so a red build is
reproducible; locally each run explores new ones (HYPOTHESIS_PROFILE=deep for
many more).
"""

import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.cli import main

from helpers import listing, write_report

settings.register_profile("ci", max_examples=25, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                     else "dev"))

TEXT = "あいうえおかきくけこ漢字行政手続省庁デジタル化ＡＢＣ１２３、。・「」（）〜abcXYZ0123456789 .,;:!?%&'\"()*_#-+=~/"
WILD = TEXT + "[]{}<>`|\\^$@"  # what Markdown, Jinja and HTML read specially
text = st.one_of(st.text(alphabet=TEXT, min_size=1, max_size=30),
                 st.text(alphabet=WILD, min_size=1, max_size=30))
plain = st.text(alphabet="あいう漢字行政abcXYZ0123 、。", min_size=1, max_size=20)

inline = st.one_of(
    text,
    plain.map(lambda t: f"**{t}**"),
    plain.map(lambda t: f"*{t}*"),
    plain.map(lambda t: f"`{t}`"),
    plain.map(lambda t: f"[{t}](https://example.jp/{len(t)})"),
    st.sampled_from(["[@alpha]", "[@beta; @gamma]", "[@alpha][@beta]", "{{ report.title }}",
                     "{{ 3 * 4 }}", "https://example.jp/a_b", "<b>", "[@nokey]"]),
)
line = st.lists(inline, min_size=1, max_size=5).map(" ".join)
heading = st.tuples(st.integers(1, 2), plain).map(lambda t: "#" * t[0] + " " + t[1])
paragraph = st.lists(line, min_size=1, max_size=3).map("\n".join)


@st.composite
def nested_list(draw, depth=0):
    marker = draw(st.sampled_from(["-", "*", "1."]))
    items = []
    for _ in range(draw(st.integers(1, 3))):
        items.append("    " * depth + f"{marker} {draw(line)}")
        if depth < 4 and draw(st.booleans()):
            items.append(draw(nested_list(depth + 1)))
    return "\n".join(items)


@st.composite
def table(draw):
    columns = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(plain, min_size=columns, max_size=columns), min_size=1,
                         max_size=4))
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "--|" * columns]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    caption = draw(st.sampled_from(["", "Table: 表の題[@alpha]\n\n", "表: 題\n\n"]))
    return caption + "\n".join(lines)


block = st.one_of(heading, paragraph, nested_list(), table(),
                  paragraph.map(lambda p: "> " + p.replace("\n", "\n> ")),
                  text.map(lambda t: f"```\n{t}\n```"), st.just("---"))
sections = st.lists(block, min_size=1, max_size=8).map("\n\n".join)


@given(first=sections, second=sections)
def test_any_sections_give_both_products_or_a_diagnostic(tmp_path_factory, first, second):
    base = tmp_path_factory.mktemp("prop")
    root = write_report(base / "r", {"01.md": "# 一\n\n" + first + "\n", "02.md": second + "\n"})
    code = main(["all", "--content", str(root), "--out", str(base / "out"), "--quiet"])
    products = [name for name in listing(base / "out") if name != "check.json"]
    event("built" if code == 0 else "diagnostic")  # --hypothesis-show-statistics
    if code == 0:
        assert products == ["test-report.docx", "test-report.pdf"]
        assert (base / "out" / "test-report.pdf").read_bytes().startswith(b"%PDF-")
    else:
        assert code == 1 and products == []
