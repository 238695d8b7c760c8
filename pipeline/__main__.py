"""Command line: `python -m pipeline check|pdf|all [--content DIR] [--out DIR] [--quiet]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import Product, build_docx, build_pdf, load_document
from .diagnostics import PipelineError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except PipelineError as exc:
        _print_diagnostics(exc.diagnostics)
        errors = sum(d.is_error for d in exc.diagnostics)
        print(f"{errors} error(s): nothing was written", file=sys.stderr)
        return EXIT_CONTENT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline",
                                     description="Build Japanese briefings from Markdown.")
    parser.add_argument("command", choices=["check", "pdf", "docx", "all"],
                        help="check: validate only; pdf: the PDF; docx: the Word file; "
                             "all: both, from one parse")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="report directory holding report.yaml (default: content/)")
    parser.add_argument("--out", type=Path, default=Path("output"),
                        help="directory for the products (default: output/)")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    return parser


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    doc, warnings = load_document(args.content)
    _print_diagnostics(warnings)
    if args.command == "check":
        if not args.quiet:
            print(f"{args.content}: ok: {len(doc.sections)} sections, "
                  f"{len(doc.references)} references, {time.perf_counter() - started:.2f} s")
        return EXIT_OK
    products = []
    if args.command in ("pdf", "all"):
        products.append(build_pdf(doc, args.out, args.content))
    if args.command in ("docx", "all"):
        products.append(build_docx(doc, args.out))
    if not args.quiet:
        for product in products:
            print(_summary(product))
    return EXIT_OK


def _summary(product: Product) -> str:
    size = f"{product.size / 1024:.0f} KiB"
    pages = f"  {product.pages} pages" if product.pages else ""  # Word paginates on opening
    return f"{product.path}{pages}  {size}  {product.seconds:.2f} s"


def _print_diagnostics(diagnostics) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
