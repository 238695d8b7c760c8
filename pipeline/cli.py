"""Command line: `python -m pipeline COMMAND [options]`, a command each of HELP:
check, lint, pdf, docx, html, all, dist, batch, send, preview, review, linkcheck,
refresh, rules.

Subcommands and their options, exit codes, and printing: the only place
that prints findings or chooses how the process ends.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .build import (Product, build_both, build_bundle, build_docx, build_html, build_pdf,
                    load_document)
from .diagnostics import (WARNING, Diagnostic, PipelineError, display_path, findings_json,
                          in_order, make_strict)
from .guards import signal_raises, time_limit
from .limits import REPORTS_PER_WORKER, WORKER_MEMORY_MIB, Limits
from .read.files import read_text
from .rules import IO_ERROR, RULES
from .ship.lock import OutputBusy, output_lock, report_lock
from .ship.output import remove_stale_temporaries, write_atomic

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_IO = 74  # EX_IOERR: the output could not be written; fix the machine, not the report
EXIT_BUSY = 75  # EX_TEMPFAIL: another build holds the output directory; try later
EXIT_TERMINATED = 128 + signal.SIGTERM
BUILDS = ("pdf", "docx", "html", "all", "dist")
CHECK_FILE = "check.json"
SHOWN_PER_RULE = 3  # warnings of one rule printed before "… and N more" (--verbose: all)


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    problem = _bad_numbers(args)
    if problem:
        parser.error(problem)
    if args.command == "rules":
        return _print_rules()
    _Terminated.received = False
    with signal_raises(signal.SIGTERM, _Terminated):
        return _command(_run_options(args), args)


@dataclass(frozen=True)
class Run:
    """What every command runs with, typed once from its options: the report, the
    output directory, how findings count and print, and the limits. A command's own
    options (--serial, --port, …) stay with its arguments."""

    command: str
    content: Path
    out: Path
    strict: bool = False
    quiet: bool = False
    verbose: bool = False
    limits: Limits = Limits()
    row: str | None = None  # of a report over rows (`each:`), the one to build


def _run_options(args: argparse.Namespace) -> Run:
    return Run(args.command, args.content, args.out, args.strict, args.quiet, args.verbose,
               _limits(args), getattr(args, "row", None))


def _command(run: Run, args: argparse.Namespace) -> int:
    try:
        if run.command == "linkcheck":
            return _linkcheck(run, args)
        if run.command == "review":
            with time_limit(run.limits.seconds, display_path(args.docx)):
                return _review(run, args)
        if run.command == "preview":
            return _preview(run, args)
        if run.command == "lint":
            with time_limit(run.limits.seconds, display_path(run.content)):
                return _lint(run, args)
        if run.command == "refresh":
            return _refresh(run, args)
        if run.command == "send":
            with output_lock(run.out):  # one send per output directory at a time
                return _send(run, args)
        if run.command == "batch":  # --time-limit holds each report, not the batch
            with output_lock(run.out):
                remove_stale_temporaries(run.out)
                return _batch(run, args)
        with time_limit(run.limits.seconds, display_path(run.content)):
            if run.command in BUILDS:
                with output_lock(run.out):
                    remove_stale_temporaries(run.out)
                    return _run(run, args)
            return _run(run, args)
    except OutputBusy as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_BUSY
    except PipelineError as exc:
        _print_findings(exc.diagnostics, run, run.out / CHECK_FILE)
        outcome = "check failed" if run.command == "check" else "nothing was built"
        if run.strict and any(_was_warning(d) for d in exc.diagnostics):
            outcome += " (--strict: warnings count as errors)"
        print(f"{_count(exc.diagnostics)}: {outcome}", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:  # a full disk, a read-only directory: the machine, not the report
        print(IO_ERROR.at(exc.filename or run.out, None, exc.strerror or str(exc)),
              file=sys.stderr)
        return EXIT_IO
    except _Terminated:
        return _terminated(run)
    except Exception:
        if _Terminated.received:  # it landed in C code (an import), which made it another error
            return _terminated(run)
        raise


def _terminated(run: Run) -> int:
    print(f"{display_path(run.out)}: error: terminated (SIGTERM); nothing half-written "
          "was left", file=sys.stderr)
    return EXIT_TERMINATED


class _Terminated(BaseException):
    """SIGTERM, as `timeout` and systemd send it: unwinds like an exception, so
    that every temporary and staged file is removed on the way out."""

    received = False  # set once the signal came, whatever became of the exception

    def __init__(self):
        super().__init__()
        _Terminated.received = True


def _was_warning(finding: Diagnostic) -> bool:
    rule = RULES.get(finding.code)
    return rule is not None and rule.severity == WARNING


def _bad_numbers(args: argparse.Namespace) -> str:
    """Returns what is wrong with the numeric options, or ''."""
    if args.command == "linkcheck" and (args.timeout <= 0 or args.jobs < 1 or args.max_age < 0):
        return "--timeout must be above 0, --jobs at least 1, --max-age at least 0"
    if args.command == "batch" and min(args.workers, args.worker_reports,
                                       args.worker_memory_mib, args.scheduler_timeout) <= 0:
        return "--workers, --worker-reports, --worker-memory-mib and --scheduler-timeout " \
               "must be above 0"
    if args.command == "refresh" and (args.timeout <= 0 or args.max_file_mib <= 0):
        return "--timeout and --max-file-mib must be above 0"
    if hasattr(args, "max_pages") and (min(args.max_file_mib, args.max_image_mib, args.max_pages,
                                           args.max_expanded_mib, args.max_paragraph_chars,
                                           args.max_data_columns, args.max_data_cells,
                                           args.max_chart_points) <= 0
                                       or args.time_limit < 0):
        return "the limits must be above 0 (--time-limit 0: none)"
    return ""


def _limits(args: argparse.Namespace) -> Limits:
    """Returns the bounds the command runs within (linkcheck has only its own)."""
    if not hasattr(args, "max_pages"):
        return Limits()
    return Limits(args.max_file_mib, args.max_image_mib, args.max_pages, args.time_limit,
                  args.max_expanded_mib, args.max_paragraph_chars, args.max_data_columns,
                  args.max_data_cells, args.max_chart_points)


HELP = {
    "check": "validate the report; writes only check.json",
    "pdf": "build the PDF",
    "html": "build the web edition: one accessible, self-contained HTML page",
    "docx": "build the Word file",
    "all": "build both, from one parse; neither is replaced unless both succeed",
    "dist": "a versioned bundle to send, when the inputs changed",
    "linkcheck": "ask every URL's server (online; never part of a build)",
    "rules": "list every rule id with its severity and stage",
    "lint": "check the Japanese against the rules of official writing (公用文作成の考え方)",
    "preview": "serve the web edition on 127.0.0.1 and rebuild it on every save",
    "review": "list a reviewed Word file's changes and comments at the source lines; "
              "--apply takes the accepted text back into the Markdown",
    "batch": "build one report per row of a report over rows (each: in report.yaml) on warm "
             "local workers or a Dask cluster, skipping those whose inputs are unchanged",
    "send": "mail each recipient's numbered copy of the latest bundle, exactly once, and "
            "keep the record",
    "refresh": "fetch data files again from their publishers (data/sources.yaml) when due, "
               "and keep each only if the report still builds with it",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline",
                                     description="Build Japanese briefings from Markdown.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = _report_options()
    limits = _limit_options()
    row = argparse.ArgumentParser(add_help=False)
    row.add_argument("--row", metavar="ID", help="of a report over rows (each: in report.yaml), "
                     "the one whose id is ID")
    for name in ("check", "pdf", "docx", "html"):
        commands.add_parser(name, parents=[report, limits, row], help=HELP[name],
                            description=HELP[name])
    both = commands.add_parser("all", parents=[report, limits, row], help=HELP["all"],
                               description=HELP["all"])
    both.add_argument("--serial", action="store_true",
                      help="write the two products one after the other, not side by side")
    dist = commands.add_parser("dist", parents=[report, limits, row], help=HELP["dist"],
                               description=HELP["dist"])
    dist.add_argument("--recipients", type=Path, metavar="FILE",
                      help="one recipient a line: a numbered PDF copy each "
                           "(instead of report.yaml's recipients)")
    dist.add_argument("--replace", action="store_true",
                      help="rebuild a bundle of the same version and date (one never sent)")
    batch = commands.add_parser("batch", parents=[report, limits], help=HELP["batch"],
                                description=HELP["batch"])
    batch.add_argument("--products", type=_products, default=("pdf", "docx"),
                       metavar="LIST", help="comma-separated, of pdf, docx, html "
                       "(default pdf,docx)")
    batch.add_argument("--dist", action="store_true",
                       help="a versioned bundle per report, as `dist` makes it, under "
                            "<out>/<id>/dist/ (instead of --products)")
    batch.add_argument("--only", nargs="+", default=(), metavar="ID",
                       help="build only these reports (by id)")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="local worker processes (default: one per core, %(default)s)")
    batch.add_argument("--scheduler", metavar="tcp://HOST:8786", type=_scheduler,
                       help="run on this Dask cluster instead of local workers")
    batch.add_argument("--scheduler-timeout", type=float, default=20.0, metavar="SECONDS",
                       help="how long to wait for the scheduler to answer (default %(default)s)")
    batch.add_argument("--worker-reports", type=int, default=REPORTS_PER_WORKER, metavar="N",
                       help="replace a local worker after N reports (default %(default)s)")
    batch.add_argument("--worker-memory-mib", type=float, default=WORKER_MEMORY_MIB,
                       metavar="MIB", help="replace a local worker whose memory is above "
                       "this (default %(default)s)")
    links = commands.add_parser("linkcheck", parents=[report], help=HELP["linkcheck"],
                                description=HELP["linkcheck"])
    links.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    links.add_argument("--jobs", type=int, default=8, help="requests at once")
    links.add_argument("--max-age", type=int, default=7, metavar="DAYS",
                       help="reuse a working link's cached result this many days")
    links.add_argument("--refresh", action="store_true", help="ignore the cache")
    lint = commands.add_parser("lint", parents=[report, limits, row], help=HELP["lint"],
                               description=HELP["lint"])
    lint.add_argument("--fix", action="store_true",
                      help="apply the safe fixes to the Markdown and print the diff")
    lint.add_argument("--rule", action="append", default=[], metavar="ID",
                      help="only this rule (may be given again)")
    lint.add_argument("--format", choices=["text", "json"], default="text",
                      help="findings as GCC-style lines (default) or as lint.json on stdout")
    preview = commands.add_parser("preview", parents=[report, limits, row],
                                  help=HELP["preview"],
                                  description=HELP["preview"])
    preview.add_argument("--port", type=int, default=8000, help="default %(default)s")
    preview.add_argument("--host", default="127.0.0.1",
                         help="the interface to listen on (default %(default)s: this machine only)")
    review = commands.add_parser("review", parents=[report, limits], help=HELP["review"],
                                 description=HELP["review"])
    review.add_argument("docx", type=Path, metavar="FILE.docx", help="the reviewed Word file")
    review.add_argument("--apply", action="store_true",
                        help="write the accepted changes into the Markdown, and print the diff")
    review.add_argument("--force", action="store_true",
                        help="--apply even over uncommitted changes to the sources")
    review.add_argument("--comments", type=Path, metavar="FILE",
                        help="write the comments as a Markdown checklist")
    fresh = commands.add_parser("refresh", parents=[report], help=HELP["refresh"],
                                description=HELP["refresh"])
    fresh.add_argument("--force", action="store_true",
                       help="fetch every file, due or not")
    fresh.add_argument("--max-file-mib", type=float, default=50.0,
                       help="largest file fetched (default %(default)s)")
    fresh.add_argument("--timeout", type=float, default=30.0,
                       help="seconds to wait for a server (default %(default)s)")
    send = commands.add_parser("send", parents=[report, row], help=HELP["send"],
                               description=HELP["send"])
    send.add_argument("--bundle", type=Path, metavar="DIR",
                      help="the bundle to send (default: the latest)")
    send.add_argument("--recipients", type=Path, metavar="FILE",
                      help="the addresses: a CSV of 名前,メール (instead of report.yaml's)")
    send.add_argument("--dry-run", action="store_true",
                      help="write the mails as .eml files and send nothing")
    send.add_argument("--resend-unknown", action="store_true",
                      help="send again the mails a stopped run left unknown (same Message-ID)")
    commands.add_parser("rules", help=HELP["rules"], description=HELP["rules"])
    return parser


_SCHEDULER = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+):\d{1,5}")


def _scheduler(text: str) -> str:
    if not _SCHEDULER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"'{text}': a Dask scheduler's address, "
                                         "tcp://HOST:PORT (or tls://)")
    return text


def _products(text: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    if not kinds or not set(kinds) <= {"pdf", "docx", "html"}:
        raise argparse.ArgumentTypeError(f"'{text}': a comma-separated list of pdf, docx, html")
    return kinds


def _report_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--content", type=Path, default=Path("content"),
                         help="report directory holding report.yaml (default: content/)")
    options.add_argument("--out", type=Path, default=Path("output"),
                         help="directory for the products and check.json (default: output/)")
    options.add_argument("--strict", action="store_true",
                         help="treat warnings as errors (for scheduled runs)")
    options.add_argument("--quiet", action="store_true", help="print nothing on success")
    options.add_argument("--verbose", action="store_true",
                         help=f"print every warning (by default, {SHOWN_PER_RULE} per rule)")
    return options


def _limit_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    bounds = options.add_argument_group("limits", "bounds that hostile input cannot cross")
    defaults = Limits()
    bounds.add_argument("--max-file-mib", type=float, default=defaults.max_file_mib,
                        help="largest Markdown or YAML file (default %(default)s)")
    bounds.add_argument("--max-image-mib", type=float, default=defaults.max_image_mib,
                        help="largest figure (default %(default)s)")
    bounds.add_argument("--max-expanded-mib", type=float, default=defaults.max_expanded_mib,
                        help="largest section after Jinja (default %(default)s)")
    bounds.add_argument("--max-paragraph-chars", type=int,
                        default=defaults.max_paragraph_chars,
                        help="longest paragraph, heading, caption or table cell "
                             "(default %(default)s)")
    bounds.add_argument("--max-data-columns", type=int, default=defaults.max_data_columns,
                        help="most columns of a data table (default %(default)s)")
    bounds.add_argument("--max-data-cells", type=int, default=defaults.max_data_cells,
                        help="most cells (rows times columns) of a data table "
                             "(default %(default)s)")
    bounds.add_argument("--max-chart-points", type=int, default=defaults.max_chart_points,
                        help="most points of a chart's series (default %(default)s)")
    bounds.add_argument("--max-pages", type=int, default=defaults.max_pages,
                        help="most pages of the PDF (default %(default)s)")
    bounds.add_argument("--time-limit", type=float, default=defaults.seconds,
                        metavar="SECONDS", help="longest run, 0 for none (default %(default)s)")
    return options


def _run(run: Run, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        doc, findings = load_document(run.content, run.strict, run.limits, run.row)
    except PipelineError as exc:
        _write_findings(exc.diagnostics, run)
        raise
    _write_findings(findings, run)
    if not run.quiet:  # warnings are in check.json; cron should mail only failures
        _print_findings(findings, run, run.out / CHECK_FILE)
    if run.command == "check":
        if not run.quiet:
            print(f"{display_path(run.content)}: ok: {len(doc.sections)} sections, "
                  f"{len(doc.references)} references, {_count(findings)}, "
                  f"{time.perf_counter() - started:.2f} s")
        return EXIT_OK
    if run.command == "dist":
        return _dist(doc, run, args)
    if run.command == "all":
        products, mismatch = build_both(doc, run.out, run.content, run.limits,
                                        not args.serial)
        if not run.quiet:
            _print_diagnostics(mismatch)
    elif run.command == "pdf":
        products = [build_pdf(doc, run.out, run.content, run.limits)]
    elif run.command == "html":
        products = [build_html(doc, run.out)]
    else:
        products = [build_docx(doc, run.out)]
    if not run.quiet:
        for product in products:
            print(_summary(product))
    return EXIT_OK


def _dist(doc, run: Run, args: argparse.Namespace) -> int:
    from .ship.bundle import DistOptions, read_recipients  # dist's own modules
    recipients, extra = doc.meta.recipients, ()
    if args.recipients:
        recipients, extra = read_recipients(args.recipients), (args.recipients,)
    result = build_bundle(doc, DistOptions(run.content, run.out, recipients, args.replace,
                                           extra, run.limits))
    if run.quiet:
        return EXIT_OK
    if not result.made:
        print(f"{display_path(result.path)}: up to date")
        return EXIT_OK
    if result.changes:
        print(result.changes)
    copies = f", {len(recipients)} numbered copies" if recipients else ""
    print(f"{display_path(result.path)}: {result.pages} pages{copies}, "
          f"{result.seconds:.2f} s")
    return EXIT_OK


def _preview(run: Run, args: argparse.Namespace) -> int:
    from .preview import Preview, serve, serve_until_stopped  # the server is this command's
    preview = Preview(run.content, run.limits, run.row)
    try:
        server = serve(preview, args.host, args.port)
    except OSError as exc:
        print(f"python -m pipeline preview: error: cannot listen on {args.host}:{args.port} "
              f"({exc.strerror}): is another preview running? Use --port", file=sys.stderr)
        return EXIT_USAGE

    def stop(signum, frame):
        preview.stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    if not run.quiet:
        print(f"preview: http://{args.host}:{server.server_address[1]}/ (the PDF at /pdf); "
              "Ctrl-C stops it", file=sys.stderr)
    try:
        serve_until_stopped(preview, server)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


LINT_FILE = "lint.json"
REVIEW_FILE = "review.json"


def _review(run: Run, args: argparse.Namespace) -> int:
    # Imported here: reading Word's XML is for this command alone.
    from .check.review import comments_checklist, review_findings
    from .read.review import read_review
    review = read_review(args.docx)
    findings = review_findings(review, run.content, args.docx)
    if args.comments:
        write_atomic(args.comments, comments_checklist(review, run.content).encode("utf-8"))
    if args.apply:
        with report_lock(run.content):  # one --apply at a time: none loses another's change
            findings += _apply_review(review, run, args.force)
    findings = in_order(make_strict(findings) if run.strict else findings)
    write_atomic(run.out / REVIEW_FILE,
                 findings_json(findings, display_path(args.docx), run.strict))
    if not run.quiet:
        _print_findings(findings, run, run.out / REVIEW_FILE)
    return EXIT_CONTENT if any(f.is_error for f in findings) else EXIT_OK


def _apply_review(review, run: Run, force: bool) -> list:
    """Writes the reviewers' accepted text into the sections; returns the findings of
    the blocks left to edit by hand. A section is written over only if it still holds
    the text the edits were planned on."""
    from .check.edits import encoded_like, uncommitted, unified_diff
    from .check.review import apply_edits, plan_edits
    from .rules import REVIEW_DIRTY, REVIEW_STALE
    plan = plan_edits(review, run.content, run.limits)
    changed = apply_edits(plan.edits, plan.texts)
    dirty = [] if force else uncommitted(sorted(changed))
    if dirty:
        raise PipelineError([REVIEW_DIRTY.at(p, None, "uncommitted changes: commit them "
                                             "first, or use --force") for p in dirty])
    findings = list(plan.manual)
    for path, (before, after) in changed.items():
        original = path.read_bytes()
        if read_text(path) != before:
            findings.append(REVIEW_STALE.at(path, None, "changed while review was reading it: "
                                            "nothing written; run review --apply again"))
            continue
        write_atomic(path, encoded_like(original, after))
        print(unified_diff(path, before, after), end="")
    return findings


def _lint(run: Run, args: argparse.Namespace) -> int:
    # Imported here: the rules and their patterns are for this command alone.
    from .check.lint import lint_report
    from .check.lint.fix import apply_fixes
    from .check.edits import encoded_like, unified_diff
    unknown = [r for r in args.rule if r not in RULES or RULES[r].stage != "lint"]
    if unknown:
        print(f"python -m pipeline lint: error: unknown lint rule {', '.join(unknown)} "
              "(python -m pipeline rules lists them)", file=sys.stderr)
        return EXIT_USAGE
    result = lint_report(run.content, run.limits, frozenset(args.rule), run.row)
    if args.fix:
        for path, (before, after) in apply_fixes(result.fixes).items():
            write_atomic(path, encoded_like(path.read_bytes(), after))  # its BOM, its CRLF
            print(unified_diff(path, before, after), end="")
        result = lint_report(run.content, run.limits, frozenset(args.rule), run.row)
    findings = in_order(make_strict(result.findings) if run.strict else result.findings)
    report = findings_json(findings, display_path(run.content), run.strict)
    write_atomic(run.out / LINT_FILE, report)
    failed = any(f.is_error for f in findings)
    if args.format == "json":
        sys.stdout.write(report.decode("utf-8"))
    elif not (run.quiet and not failed):
        _print_findings(findings, run, run.out / LINT_FILE)
        print(f"{display_path(run.content)}: {_count(findings)}, "
              f"{sum(f.severity == 'note' for f in findings)} note(s)", file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK


def _write_findings(findings, run: Run) -> None:
    write_atomic(run.out / CHECK_FILE,
                 findings_json(findings, display_path(run.content), run.strict))


def _linkcheck(run: Run, args: argparse.Namespace) -> int:
    # Imported here: the HTTP modules are for this command alone.
    from .check.links import (CACHE_FILE, LinkOptions, cache_json, check_links, link_findings,
                              link_sites, load_cache)
    doc, _ = load_document(run.content)
    sites = link_sites(doc)
    cache_path = run.out / CACHE_FILE
    cache = load_cache(cache_path)
    options = LinkOptions(args.timeout, args.jobs, args.max_age, args.refresh)
    # The one place the wall clock is read: the date a link was checked, kept
    # in the cache. It never reaches a product.
    results = check_links([s.url for s in sites], cache, options, datetime.date.today())
    write_atomic(cache_path, cache_json(results))
    findings = in_order(link_findings(sites, results))
    findings = make_strict(findings) if run.strict else findings
    failed = any(f.is_error for f in findings)
    if run.quiet and not failed:
        return EXIT_OK
    _print_findings(findings, run, cache_path)
    fresh = sum(results[url] is not cache.get(url) for url in results)
    print(f"{len(results)} links: {fresh} asked, {len(results) - fresh} from the cache; "
          f"{_count(findings)} (results in {display_path(cache_path)})")
    return EXIT_CONTENT if failed else EXIT_OK


def _refresh(run: Run, args: argparse.Namespace) -> int:
    # Imported here: HTTP and the fetch are for this command alone.
    from .build.refresh import refresh
    # The wall clock, read for the one thing it may decide: what is due, and the time a
    # file was fetched, which data/sources.lock records. No product reads it.
    now = datetime.datetime.now(datetime.timezone.utc)
    with report_lock(run.content):
        result = refresh(run.content, now, args.force, int(args.max_file_mib * 2**20),
                         args.timeout)
    if not run.quiet or result.findings or result.temporary:
        for line in result.updated + result.unchanged + (result.not_due if run.verbose else []):
            print(line)
        _print_diagnostics(result.findings + result.temporary)
    if result.findings:
        return EXIT_CONTENT
    return EXIT_BUSY if result.temporary else EXIT_OK


def _batch(run: Run, args: argparse.Namespace) -> int:
    from .build.batch import BatchOptions, run_batch
    from .build.cluster import SchedulerUnreachable
    from .build.pool import PoolOptions
    options = BatchOptions(run.content, run.out, args.products, tuple(args.only), run.strict,
                           run.limits, PoolOptions(args.workers, args.worker_reports,
                                                   args.worker_memory_mib), args.scheduler or "",
                           args.scheduler_timeout, args.dist)
    started = time.perf_counter()
    with _progress_bar(run.quiet) as progress:
        try:
            result = run_batch(options, progress)
        except SchedulerUnreachable as exc:
            print(f"python -m pipeline batch: error: {exc}", file=sys.stderr)
            return EXIT_BUSY
    for report_id, findings in result.failed.items():
        first = next((f for f in findings if f.is_error), findings[0] if findings else None)
        print(f"{report_id}: failed: {first}", file=sys.stderr)
    if not run.quiet or result.failed:
        where = f"on {args.scheduler}" if args.scheduler else f"{args.workers} at a time"
        peak = f", {len(result.peak_mib)} worker process(es), peak " \
            f"{max(result.peak_mib.values()):.0f} MiB each at most" if result.peak_mib else ""
        print(f"batch: {len(result.built)} built, {len(result.up_to_date)} up to date, "
              f"{len(result.failed)} failed, {time.perf_counter() - started:.1f} s {where}"
              f"{peak} ({display_path(result.summary)})")
    return EXIT_CONTENT if result.failed else EXIT_OK


@contextlib.contextmanager
def _progress_bar(quiet: bool):
    """Yields batch's progress callback: a bar on a terminal, nothing elsewhere."""
    if quiet or not sys.stderr.isatty():
        yield lambda total, outcome: None
        return
    from tqdm import tqdm
    tqdm.monitor_interval = 0  # no monitor thread: the pool forks its workers
    bar = None

    def progress(total, outcome):
        nonlocal bar
        if outcome is None:
            # A terminal that reports no size (0×0, as a bare pty does) would hide the
            # bar: shutil gives 80×24 then.
            size = shutil.get_terminal_size()
            bar = tqdm(total=total, unit="report", file=sys.stderr, leave=False,
                       ncols=min(100, size.columns), nrows=size.lines)
        else:
            bar.update()
    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def _send(run: Run, args: argparse.Namespace) -> int:
    # Imported here: mail and SQLite are this command's alone.
    from .build.send import send_bundle
    try:
        result = send_bundle(run.content, run.out, args.bundle, args.recipients, args.dry_run,
                             args.resend_unknown, run.row)
    except PipelineError as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_CONTENT
    if not run.quiet or result.findings or result.failed or result.temporary:
        for line in result.lines:
            print(line)
        _print_diagnostics(result.findings)
    if result.findings or result.failed:
        return EXIT_CONTENT
    return EXIT_BUSY if result.temporary else EXIT_OK


def _count(findings: list[Diagnostic] | tuple[Diagnostic, ...]) -> str:
    errors = sum(f.is_error for f in findings)
    warnings = sum(f.severity == WARNING and not f.acknowledged for f in findings)
    acknowledged = Counter(f.code for f in findings if f.acknowledged)
    known = f", {sum(acknowledged.values())} acknowledged ({', '.join(sorted(acknowledged))})" \
        if acknowledged else ""
    return f"{errors} error(s), {warnings} warning(s){known}"


def _summary(product: Product) -> str:
    size = f"{product.size / 1024:.0f} KiB"
    pages = f"  {product.pages} pages" if product.pages else ""  # Word paginates on opening
    return f"{product.path}{pages}  {size}  {product.seconds:.2f} s"


def _print_diagnostics(diagnostics) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def _print_findings(findings, run: Run, kept_in: Path) -> None:
    """Prints every error, and the first warnings of each rule unless --verbose.

    The flagship's seventeen warnings would otherwise bury the product line;
    all of them are in kept_in all the same.
    """
    shown: Counter = Counter()
    for finding in findings:
        if finding.acknowledged:
            continue  # counted in the summary line; each is in kept_in, with its reason
        shown[finding.code] += not finding.is_error
        if finding.is_error or run.verbose or shown[finding.code] <= SHOWN_PER_RULE:
            print(finding, file=sys.stderr)
    for rule, count in shown.items():
        if count > SHOWN_PER_RULE and not run.verbose:
            print(f"… and {count - SHOWN_PER_RULE} more [{rule}] (all in "
                  f"{display_path(kept_in)})", file=sys.stderr)


def _print_rules() -> int:
    for rule in RULES.values():
        print(f"{rule.id:<18} {rule.severity:<8} {rule.stage:<8} {rule.doc}")
    return EXIT_OK
