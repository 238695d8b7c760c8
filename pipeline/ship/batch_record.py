"""A batch's products and records under <out>/<id>/, and its summary, <out>/batch.json.

Each report's products are written whole (write_atomic), then its state: the
hash of the inputs it was built from. A kill between the two leaves products
without a state, which the next run builds again; a state is never ahead of
its products. A report that fails loses its state, so that the next run
tries it again, and keeps the products it had.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_atomic
from ..diagnostics import Diagnostic, findings_json
from .output import remove_stale_temporaries

STATE_FILE = ".batch-state.json"
SUMMARY_FILE = "batch.json"
CHECK_FILE = "check.json"


def up_to_date(report_dir: Path, digest: str, products: tuple[str, ...]) -> bool:
    """Says whether the report's products were made from inputs of this hash, and
    each of those asked for is there."""
    try:
        state = json.loads((report_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    made = state.get("products", []) if isinstance(state, dict) else []
    return state.get("hash") == digest and all(
        kind in made and (report_dir / f"{report_dir.name}.{kind}").is_file()
        for kind in products)


def record_built(report_dir: Path, files: tuple[tuple[str, bytes], ...],
                 findings: tuple[Diagnostic, ...], digest: str, products: tuple[str, ...],
                 label: str, strict: bool) -> None:
    """Writes the report's products and check.json (its findings, under label), then its
    state."""
    remove_stale_temporaries(report_dir)
    for name, data in files:
        write_atomic(report_dir / name, data)
    write_atomic(report_dir / CHECK_FILE, findings_json(list(findings), label, strict))
    state = {"hash": digest, "products": list(products)}
    write_atomic(report_dir / STATE_FILE, json.dumps(state).encode("utf-8"))


def record_failed(report_dir: Path, findings: tuple[Diagnostic, ...], label: str,
                  strict: bool) -> None:
    """Forgets the report's state (the next run tries it again) and writes its findings
    to check.json; the products it had stay as they were."""
    (report_dir / STATE_FILE).unlink(missing_ok=True)
    write_atomic(report_dir / CHECK_FILE, findings_json(list(findings), label, strict))


def write_summary(out_dir: Path, summary: dict) -> Path:
    """Writes <out>/batch.json: what was built, what was up to date, what failed and why."""
    path = out_dir / SUMMARY_FILE
    write_atomic(path, json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return path
