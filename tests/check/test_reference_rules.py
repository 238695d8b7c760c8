"""The reference list's rules, on entries read from a small report."""

from pipeline.check.references import check_unique
from pipeline.read.references import load_references

from helpers import write_report


def test_duplicate_reference_id_is_an_error(tmp_path):
    root = write_report(tmp_path, {"01.md": "x\n"},
                        references="- id: a\n  title: A\n- id: a\n  title: B\n")
    refs, found = load_references(root / "references.yaml")
    assert found == []  # reading is fine; the rule is the check's
    found = check_unique(refs)
    assert [(d.severity, d.line, d.message) for d in found] == [
        ("error", 3, "duplicate reference id 'a' (first at line 1)")]
