"""One report of a batch, as a worker builds it: the inputs come as bytes, the
products go back as bytes.

The same function runs in a local worker process and on a Dask worker on
another machine, which share no filesystem with the client: the report's files
travel once per worker (Inputs), are unpacked into a directory of the worker's
own, and each job names only its row. The worker keeps its imports (WeasyPrint,
python-docx) and its drawn charts from one report to the next: that is what a
batch saves over a cold `make all` per report.
"""

from __future__ import annotations

import functools
import hashlib
import os
import resource
import shutil
import socket
import tempfile
import traceback
from dataclasses import dataclass, replace
from multiprocessing.util import Finalize
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError, display_path
from ..guards import time_limit
from ..limits import Limits
from ..rules import INTERNAL
from ..write import TEMPLATES
from ..ship.bundle import DIST, DistOptions
from ..ship.fingerprint import environment_fingerprint
from ..ship.output import CACHE_DIR
from . import build_bundle, load_document
from .products import chart_cache, write_docx, write_pdf, write_web

PRODUCTS = ("pdf", "docx", "html")
ROOT = "\ue000report"  # stands for the report directory in a worker's diagnostics
SCRATCH_PREFIX = "pipeline-batch-"
OUT = "\ue000out"  # and for the report's output directory (<out>/<id>) in their messages


@dataclass(frozen=True)
class Inputs:
    """The report directory as bytes, by path relative to it; `key` names the set."""

    key: str
    files: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Job:
    """One row to build: the report's id, what to make of it, and the pipeline the
    client runs (a worker that runs another refuses)."""

    id: str
    index: int  # the row's, where the client found it: the worker need not search
    products: tuple[str, ...]  # of pdf, docx, html; or dist alone, a bundle
    strict: bool
    limits: Limits
    fingerprint: str
    # For a bundle: the client's records of the report's bundles (ship/batch_record.py),
    # and its sources' git commit.
    records: tuple[tuple[str, bytes], ...] = ()
    source: tuple[str | None, bool] | None = None


@dataclass(frozen=True)
class Outcome:
    """What came of one job: the products' bytes by file name, or the errors."""

    id: str
    files: tuple[tuple[str, bytes], ...]
    findings: tuple[Diagnostic, ...]  # warnings when built, the errors when it failed
    failed: bool
    worker: str = ""  # host and pid
    peak_mib: float = 0.0  # the worker's peak resident memory so far


def pack_inputs(content_dir: Path, out_dir: Path | None = None) -> Inputs:
    """Returns every file of the report directory as bytes: not dot files, nor what lies
    in the output directory when it is inside the report's (the products would change
    the inputs' hash on every run)."""
    out = out_dir.resolve() if out_dir is not None else None
    files = tuple((path.relative_to(content_dir).as_posix(), path.read_bytes())
                  for path in sorted(content_dir.rglob("*"))
                  if path.is_file() and not any(part.startswith(".") for part in
                                                path.relative_to(content_dir).parts)
                  and (out is None or out not in path.resolve().parents))
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return Inputs(digest.hexdigest(), files)


@functools.cache
def pipeline_fingerprint() -> str:
    """Returns the hash of this process's pipeline, templates, renderers and fonts: what
    makes the same inputs give the same bytes (once a process: a worker keeps the code
    it imported)."""
    return environment_fingerprint(TEMPLATES)


def build_job(inputs: Inputs, job: Job, under: Path | None = None) -> Outcome:
    """Builds one row's products in this worker, its files unpacked under `under` (a
    directory the local pool removes; by default the system's temporary directory);
    never raises for the report's faults."""
    if job.fingerprint != pipeline_fingerprint():
        return _failed(job, [INTERNAL.at(ROOT, None, "this worker's pipeline, templates, "
                                         "renderers or fonts differ from the client's: run "
                                         "`make setup` there from the same commit")])
    root, scratch = _unpacked(inputs, under)
    try:
        with time_limit(job.limits.seconds, job.id):
            doc, findings = load_document(root, job.strict, job.limits, job.id, job.index)
            if job.products == ("dist",):
                files = _bundle(doc, root, scratch, job)
            else:
                files = tuple(_product(doc, kind, root, scratch, job.limits)
                              for kind in job.products)
    except PipelineError as exc:
        return _failed(job, _relocated(exc.diagnostics, root, scratch))
    except Exception as exc:  # noqa: BLE001 -- one report's crash must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _failed(job, [INTERNAL.at(ROOT, None, f"{type(exc).__name__}: {exc} (in "
                                         f"{Path(where.filename).name}:{where.lineno})")])
    return Outcome(job.id, files, _relocated(findings, root, scratch), False, *_worker())


def _product(doc, kind: str, root: Path, scratch: Path, limits: Limits) -> tuple[str, bytes]:
    """Writes one product in the scratch directory and returns its name and bytes."""
    path = scratch / f"{doc.meta.id}.{kind}"
    cache = chart_cache(scratch)  # kept: the next report's shared charts are drawn already
    if kind == "pdf":
        write_pdf(doc, path, root, limits, cache=cache)
    elif kind == "docx":
        write_docx(doc, path, cache=cache)
    else:
        write_web(doc, path, cache=cache)
    data = path.read_bytes()
    path.unlink()
    return path.name, data


def _bundle(doc, root: Path, scratch: Path, job: Job) -> tuple[tuple[str, bytes], ...]:
    """Makes the report's bundle as `dist` would beside the client's records; returns
    what changed under dist/ (the new bundle and records), by path under it."""
    out = _bundle_out(scratch)
    shutil.rmtree(out, ignore_errors=True)
    dist = out / DIST
    out.mkdir(parents=True)
    for name, data in job.records:
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_bytes(data)
    (scratch / CACHE_DIR).mkdir(exist_ok=True)
    (out / CACHE_DIR).symlink_to(scratch / CACHE_DIR)  # charts drawn once per worker
    build_bundle(doc, DistOptions(root, out, doc.meta.recipients, limits=job.limits,
                                  source=job.source))
    sent = dict(job.records)
    return tuple((name, data) for name, data in (
        (p.relative_to(dist).as_posix(), p.read_bytes())
        for p in sorted(dist.rglob("*")) if p.is_file()) if sent.get(name) != data)


def _bundle_out(scratch: Path) -> Path:
    """Returns where a worker makes a bundle: its <out>/<id>, holding the client's records."""
    return scratch / "bundle"


def _failed(job: Job, findings) -> Outcome:
    return Outcome(job.id, (), tuple(findings), True, *_worker())


def _worker() -> tuple[str, float]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{socket.gethostname()}:{os.getpid()}", peak


def _relocated(findings, root: Path, scratch: Path) -> tuple[Diagnostic, ...]:
    """Returns the findings with the worker's directories written as ROOT and OUT, which
    the client turns back into its own paths (placed)."""
    places = {ROOT: sorted({str(root), display_path(root)}, key=len, reverse=True),
              OUT: sorted({str(_bundle_out(scratch)), display_path(_bundle_out(scratch))},
                          key=len, reverse=True)}
    out = []
    for finding in findings:
        path, message = finding.path, finding.message
        for marker, prefixes in places.items():
            for prefix in prefixes:
                message = message.replace(prefix, marker)
                if path == prefix or path.startswith(prefix + os.sep):
                    path = marker + path[len(prefix):]
        out.append(replace(finding, path=path, message=message))
    return tuple(out)


def placed(findings, content_dir: Path, report_dir: Path) -> tuple[Diagnostic, ...]:
    """Returns a worker's findings with ROOT and OUT made the client's paths again."""
    places = {ROOT: display_path(content_dir), OUT: display_path(report_dir)}

    def back(text: str) -> str:
        for marker, path in places.items():
            text = text.replace(marker, path)
        return text
    return tuple(replace(f, path=back(f.path), message=back(f.message)) for f in findings)


_UNPACKED: dict[str, tuple[Path, Path]] = {}  # in this worker: inputs key → (report, scratch)


def _unpacked(inputs: Inputs, under: Path | None) -> tuple[Path, Path]:
    """Returns the directory holding the inputs in this worker, written once, and a
    scratch directory for the products; both are removed when the worker exits."""
    if inputs.key not in _UNPACKED:
        if under is None and not _UNPACKED:  # a Dask worker's first: what killed ones left
            remove_abandoned(Path(tempfile.gettempdir()))
        base = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=under))
        # Run at exit by the main process and by multiprocessing's children alike
        # (which leave by os._exit, past atexit).
        Finalize(None, shutil.rmtree, args=(str(base), True), exitpriority=10)
        root, scratch = base / "report", base / "out"
        for name, data in inputs.files:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        scratch.mkdir()
        _UNPACKED[inputs.key] = root, scratch
    return _UNPACKED[inputs.key]


def remove_abandoned(directory: Path) -> None:
    """Removes the scratch directories in directory whose process is gone (killed)."""
    for found in directory.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = found.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(found, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True
