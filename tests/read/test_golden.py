"""read/convert.py alone: each Markdown file under golden/ beside the tree it must give.

The trees are un-numbered (numbers are resolve.py's). After a deliberate
change, `UPDATE_GOLDEN=1 pytest tests/read/test_golden.py` rewrites them;
review the diff like code.
"""

import os
from pathlib import Path

import pytest

from pipeline.read.assets import ImageRules
from pipeline.read.convert import convert_sections
from pipeline.read.data import DataFiles
from pipeline.read.expand import expand_section, make_environment
from pipeline.tree import dump_tree

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))


def convert(path: Path) -> str:
    expanded = expand_section(path, {}, make_environment())
    sections, findings = convert_sections([expanded], ImageRules(path.parent),
                                          DataFiles(path.parent))
    dumped = "".join(dump_tree(s.blocks) + dump_tree(s.notes) for s in sections)
    return dumped + "".join(f"finding {d.code} @{d.line}: {d.message}\n" for d in findings)


@pytest.mark.parametrize("case", CASES)
def test_markdown_gives_its_golden_tree(case):
    got = convert(GOLDEN / f"{case}.md")
    expected = GOLDEN / f"{case}.tree"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")


def test_every_golden_input_has_its_tree():
    assert CASES and all((GOLDEN / f"{case}.tree").is_file() for case in CASES)


def test_identical_blocks_are_each_found_at_their_own_line(tmp_path):
    """Positions come from the parser, not from searching for a block's first words:
    the same bad link in three paragraphs, two list items, a quotation, two cells and
    a footnote is reported at each one's line."""
    from helpers import errors_of
    bad = "[悪い](javascript:a)"
    text = (f"# 一\n\n{bad}\n\n{bad}\n\n{bad}\n\n- {bad}\n- {bad}\n\n> {bad}\n\n"
            f"| {bad} | {bad} |\n|---|---|\n| {bad} | x |\n\n文[^a]。\n\n[^a]: {bad}\n")
    errors = errors_of(tmp_path, {"01.md": text})
    assert [int(e.split(":")[1]) for e in errors] == [3, 5, 7, 9, 10, 12, 14, 14, 16, 20]
