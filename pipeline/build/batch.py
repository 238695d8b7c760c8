"""The recipe of `batch`: one report per row of a report over rows (`each:`), built
on warm local workers (pool.py) or on a Dask cluster (cluster.py).

The client lists the rows, skips each report whose inputs have the hash its
products were made from, sends the others to the workers, and writes what
comes back under <out>/<id>/ (ship/batch_record.py). A report that fails is
listed with its diagnostics; the others are built all the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError, did_you_mean, display_path
from ..limits import Limits
from ..read.data import DataFiles
from ..read.each import RowReport
from ..read.report import REPORT_FILE, load_rows
from ..rules import REPORT_FIELD
from ..ship.batch_record import (bundle_records, record_built, record_failed, up_to_date,
                                 write_summary)
from ..ship.bundle import source_revision
from .batch_job import Inputs, Job, Outcome, pack_inputs, pipeline_fingerprint, placed
from .pool import PoolOptions, local_outcomes


@dataclass(frozen=True)
class BatchOptions:
    content: Path
    out: Path
    products: tuple[str, ...] = ("pdf", "docx")
    only: tuple[str, ...] = ()
    strict: bool = False
    limits: Limits = Limits()
    pool: PoolOptions = PoolOptions(1)
    scheduler: str = ""  # tcp://HOST:8786: a Dask cluster instead of local workers
    scheduler_timeout: float = 20.0  # seconds to wait for it to answer
    dist: bool = False  # a bundle per report (as `dist` makes it) instead of products

    @property
    def made(self) -> tuple[str, ...]:
        """What each report's job makes: its products, or ('dist',), its bundle."""
        return ("dist",) if self.dist else self.products


@dataclass
class BatchResult:
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)  # per worker
    summary: Path | None = None


def run_batch(options: BatchOptions,
              progress: Callable[[int, Outcome | None], None] = lambda n, o: None) -> BatchResult:
    """Builds every row's report whose inputs changed; returns what happened.

    progress(n, None) is called once with the number of reports to build, then
    progress(0, outcome) as each is done. Raises PipelineError when the rows
    cannot be listed (report.yaml or the `each:` file is wrong).
    """
    each, rows = load_rows(options.content, DataFiles(options.content, options.limits))
    rows = _chosen(rows, options)
    inputs = pack_inputs(options.content, options.out)
    shared = _shared_hash(inputs, f"data/{each}", options)
    hashes = {row.id: hashlib.sha256(f"{shared}\0{row.cells}".encode()).hexdigest()
              for row in rows}
    result = BatchResult()
    source = source_revision(options.content) if options.dist else None
    todo = []
    for row in rows:
        report_dir = options.out / row.id
        if up_to_date(report_dir, hashes[row.id], options.made):
            result.up_to_date.append(row.id)
        else:
            todo.append(Job(row.id, row.index, options.made, options.strict, options.limits,
                            pipeline_fingerprint(),
                            bundle_records(report_dir) if options.dist else (), source))
    progress(len(todo), None)
    for outcome in _outcomes(inputs, todo, options):
        _record(outcome, hashes[outcome.id], options, result)
        progress(0, outcome)
    order = {row.id: n for n, row in enumerate(rows)}
    result.built.sort(key=order.get)
    result.failed = dict(sorted(result.failed.items(), key=lambda item: order[item[0]]))
    result.summary = write_summary(options.out, _summary(result, rows, options))
    return result


def _chosen(rows: list[RowReport], options: BatchOptions) -> list[RowReport]:
    """Returns the rows --only names (all without it); raises PipelineError for an id
    no row makes."""
    if not options.only:
        return rows
    ids = [row.id for row in rows]
    unknown = [i for i in options.only if i not in ids]
    if unknown:
        raise PipelineError([REPORT_FIELD.at(options.content / REPORT_FILE, None,
                                             f"--only {name}: no row makes this report"
                                             + did_you_mean(name, ids)) for name in unknown])
    return [row for row in rows if row.id in options.only]


def _outcomes(inputs: Inputs, jobs: list[Job], options: BatchOptions) -> Iterator[Outcome]:
    if not jobs:
        return iter(())
    if options.scheduler:
        from .cluster import cluster_outcomes  # Dask's client: for --scheduler alone
        return cluster_outcomes(options.scheduler, inputs, jobs, options.scheduler_timeout)
    return local_outcomes(inputs, jobs, options.pool)


def _record(outcome: Outcome, digest: str, options: BatchOptions, result: BatchResult) -> None:
    report_dir = options.out / outcome.id
    findings = placed(outcome.findings, options.content, report_dir)
    label = f"{display_path(options.content)} --row {outcome.id}"
    if outcome.worker:
        result.peak_mib[outcome.worker] = max(outcome.peak_mib,
                                              result.peak_mib.get(outcome.worker, 0.0))
    if outcome.failed:
        record_failed(report_dir, findings, label, options.strict)
        result.failed[outcome.id] = findings
        return
    record_built(report_dir, outcome.files, findings, digest, options.made, label,
                 options.strict)
    result.built.append(outcome.id)


def _shared_hash(inputs: Inputs, each: str, options: BatchOptions) -> str:
    """Returns the hash of what every row's report is made from: the report's files,
    the pipeline and how it is run. The `each:` file counts whole only when a section
    names it too (a table of every row, say): else a change to one row rebuilds that
    row's report alone, its row being hashed with it."""
    whole = any(name.endswith(".md") and Path(each).stem.encode() in data
                for name, data in inputs.files)
    digest = hashlib.sha256()
    for name, data in inputs.files:
        if name != each or whole:
            digest.update(f"{name}\0{hashlib.sha256(data).hexdigest()}\0".encode())
    digest.update(f"{pipeline_fingerprint()}\0{options.strict}\0{options.limits}".encode())
    return digest.hexdigest()


def _summary(result: BatchResult, rows: list[RowReport], options: BatchOptions) -> dict:
    where = {row.id: row.where for row in rows}
    return {
        "content": display_path(options.content),
        "products": list(options.made),
        "built": result.built,
        "up_to_date": result.up_to_date,
        "failed": [{"id": report_id, "row": where[report_id],
                    "findings": [f.as_json() for f in findings]}
                   for report_id, findings in result.failed.items()],
    }
