"""A batch's products and records under <out>/<id>/, and its summary, <out>/batch.json.

Each report's products are written whole (write_atomic), then its state: the
hash of the inputs it was built from. A kill between the two leaves products
without a state, which the next run builds again; a state is never ahead of
its products. A report that fails loses its state, so that the next run
tries it again, and keeps the products it had.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..atomic import TMP_SUFFIX, write_atomic
from ..diagnostics import Diagnostic, findings_json
from .bundle import DIST, STATE, move_into_place
from .output import remove_stale_temporaries

STATE_FILE = ".batch-state.json"
SUMMARY_FILE = "batch.json"
CHECK_FILE = "check.json"


def up_to_date(report_dir: Path, digest: str, products: tuple[str, ...]) -> bool:
    """Says whether the report's products were made from inputs of this hash, and
    each of those asked for is there (a bundle: its dist/ directory)."""
    try:
        state = json.loads((report_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    made = state.get("products", []) if isinstance(state, dict) else []
    return state.get("hash") == digest and all(
        kind in made and (report_dir / DIST if kind == "dist"
                          else report_dir / f"{report_dir.name}.{kind}").exists()
        for kind in products)


def bundle_records(report_dir: Path) -> tuple[tuple[str, bytes], ...]:
    """Returns what a worker needs to make the report's next bundle as `dist` would here:
    dist/.state/ (the hashes, the snapshots, send's record) and each bundle's
    manifest, by path under dist/. Not the products, nor send's SQLite ledger."""
    dist = report_dir / DIST
    files = [p for p in sorted(dist.glob(f"{STATE}/**/*")) if p.is_file()
             and ".sqlite" not in p.name and not p.name.endswith(TMP_SUFFIX)]
    files += sorted(dist.glob("*/manifest.json"))
    return tuple((p.relative_to(dist).as_posix(), p.read_bytes()) for p in files)


def place_bundle(report_dir: Path, files: tuple[tuple[str, bytes], ...]) -> None:
    """Writes what a worker's `dist` made under dist/: its records first, then the new
    bundle, renamed into place whole (as make_bundle orders them: a record may name a
    bundle not on disk yet, never the other way round)."""
    dist = report_dir / DIST
    for stale in dist.glob(f".*{TMP_SUFFIX}"):  # a killed batch's; the output lock is ours
        shutil.rmtree(stale, ignore_errors=True)
    bundles: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in files:
        top, _, rest = name.partition("/")
        if top == STATE:
            write_atomic(dist / name, data)
        else:
            bundles.setdefault(top, []).append((rest, data))
    for bundle, contents in bundles.items():
        tmp = dist / f".{bundle}.{os.getpid()}{TMP_SUFFIX}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            for name, data in contents:
                write_atomic(tmp / name, data)
            move_into_place(tmp, dist / bundle)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def record_built(report_dir: Path, files: tuple[tuple[str, bytes], ...],
                 findings: tuple[Diagnostic, ...], digest: str, products: tuple[str, ...],
                 label: str, strict: bool) -> None:
    """Writes the report's products and check.json (its findings, under label), then its
    state."""
    remove_stale_temporaries(report_dir)
    if "dist" in products:
        place_bundle(report_dir, files)
    else:
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
