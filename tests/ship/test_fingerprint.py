"""The content hash covers every module of the pipeline, in every subpackage."""

import shutil

import pipeline.ship.fingerprint as fingerprint_module
from pipeline.ship.fingerprint import fingerprint
from pipeline.write import TEMPLATES

from helpers import ROOT, load_doc

GOOD = {"01.md": "# 一\n\n本文[@alpha]。\n"}


def test_every_module_is_an_input(tmp_path):
    doc, _ = load_doc(tmp_path, GOOD)
    labels = {label for label, _ in fingerprint(doc, TEMPLATES).inputs}
    modules = {f"pipeline/{p.relative_to(ROOT / 'pipeline').as_posix()}"
               for p in (ROOT / "pipeline").rglob("*.py")}
    assert modules <= labels
    assert {"pipeline/read/convert.py", "pipeline/write/docx/blocks.py"} <= labels


def test_a_change_in_a_subpackage_changes_the_hash(tmp_path, monkeypatch):
    doc, _ = load_doc(tmp_path / "r", GOOD)
    copy = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint_module, "PACKAGE", copy)
    before = fingerprint(doc, TEMPLATES).digest
    with open(copy / "write" / "docx" / "blocks.py", "a", encoding="utf-8") as module:
        module.write("\n# a change two folders down\n")
    assert fingerprint(doc, TEMPLATES).digest != before
