"""Products on disk: staged beside their places, renamed into them together, and the
record of which PDF and .docx were made as a pair.

The recipe (pipeline/build/) decides what is written, by which process;
this module only stages, renames and records what it is given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..rules import MISMATCHED_PAIR
from .fingerprint import file_sha256
from .output import STAGED_SUFFIX, write_atomic


@dataclass(frozen=True)
class Product:
    """A written file, for the one-line summary the CLI prints."""

    path: Path
    pages: int
    size: int
    seconds: float


def staged_names(final: list[Path]) -> list[Path]:
    """Returns where each product is written before it replaces its place."""
    return [path.with_name(f".{path.name}.{os.getpid()}{STAGED_SUFFIX}") for path in final]


def replace_pair(out_dir: Path, report_id: str, final: list[Path], staged: list[Path]) -> None:
    """Renames the staged products into their places and records them as a pair."""
    pair = json.dumps({target.suffix.lstrip("."): file_sha256(written)
                       for target, written in zip(final, staged)}).encode("utf-8")
    for source, target in zip(staged, final):
        os.replace(source, target)
    write_atomic(pair_file(out_dir, report_id), pair)


def remove_staged(staged: list[Path]) -> None:
    """Removes what is left of staged products (none, once they are in place)."""
    for path in staged:
        path.unlink(missing_ok=True)


# `all` replaces the two products with two renames. A build killed between
# them would leave a new PDF beside an old .docx; the pair file, written
# after both, lets the next `all` say so (mismatched-pair) and replace both.
def pair_file(out_dir: Path, report_id: str) -> Path:
    return out_dir / f".{report_id}.pair.json"


def check_pair(out_dir: Path, report_id: str) -> list[Diagnostic]:
    """Returns a warning when the PDF and .docx on disk are not the pair `all` wrote."""
    try:
        record = json.loads(pair_file(out_dir, report_id).read_text(encoding="utf-8"))
        products = {kind: out_dir / f"{report_id}.{kind}" for kind in ("pdf", "docx")}
        same = {kind: file_sha256(path) == record[kind] for kind, path in products.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no pair written by `all`, or not both products
    if all(same.values()) or not any(same.values()):
        return []
    newer = next(kind for kind, matches in same.items() if not matches)
    return [MISMATCHED_PAIR.at(products[newer], None, f"{products['pdf'].name} and "
                               f"{products['docx'].name} are from different builds (one was "
                               "stopped between replacing them); this build replaces both")]


def forget_pair(out_dir: Path, report_id: str) -> None:
    """Drops the pair record: a product was built alone, so the two are no pair."""
    pair_file(out_dir, report_id).unlink(missing_ok=True)
