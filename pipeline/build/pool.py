"""Warm local workers for `batch`: processes that import the writers once and build
report after report, each replaced after a number of reports or above a memory
limit, so that a long batch cannot grow without bound.

A worker is forked from the client (which has imported little) and is given
the inputs once; jobs go to it one at a time over a pipe and outcomes come
back. A worker that dies (killed, out of memory) fails its report alone, and
another takes its place. When the client dies, the workers find their pipe
closed and stop.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..guards import resident_bytes
from ..limits import REPORTS_PER_WORKER, WORKER_MEMORY_MIB
from ..rules import INTERNAL
from .batch_job import ROOT, SCRATCH_PREFIX, Inputs, Job, Outcome, build_job, remove_abandoned

STOP_GRACE = 5.0  # seconds an idle worker has to leave once its pipe is closed


@dataclass(frozen=True)
class PoolOptions:
    workers: int
    reports_per_worker: int = REPORTS_PER_WORKER
    memory_mib: float = WORKER_MEMORY_MIB
    scratch: Path | None = None  # where the workers unpack; set by local_outcomes


class _Worker:
    """One worker process, its end of the pipe and the job it is building."""

    # The client's ends of every worker's pipe: a worker forked later holds copies of
    # them all, and closes them, lest another worker miss the client's end.
    client_ends: set[Connection] = set()

    def __init__(self, inputs: Inputs, options: PoolOptions):
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        _Worker.client_ends.add(self.conn)
        self.process = context.Process(target=_serve, args=(child, inputs, options),
                                       daemon=True)
        self.process.start()
        child.close()
        self.job: Job | None = None

    def give(self, job: Job) -> bool:
        """Sends the worker a job; says False when it has died since its last one."""
        try:
            self.conn.send(job)
        except OSError:
            return False
        self.job = job
        return True

    def stop(self, grace: float = 0.0) -> None:
        """Stops the worker: given grace seconds, it leaves on its own once its pipe is
        closed; then it is killed."""
        self.conn.close()
        _Worker.client_ends.discard(self.conn)
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def local_outcomes(inputs: Inputs, jobs: Iterable[Job], options: PoolOptions) -> Iterator[Outcome]:
    """Yields the outcome of every job as workers finish them (in no set order). The
    workers unpack under one directory of this run's, removed at its end however they
    ended, and what a killed run left is removed at the next one's start."""
    remove_abandoned(Path(tempfile.gettempdir()))
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    try:
        yield from _run(inputs, deque(jobs), dataclasses.replace(options, scratch=scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(inputs: Inputs, pending: deque, options: PoolOptions) -> Iterator[Outcome]:
    workers = [_Worker(inputs, options) for _ in range(min(options.workers, len(pending)))]
    finished = False
    try:
        while pending or any(w.job for w in workers):
            for n, worker in enumerate(workers):
                if worker.job is None and pending:
                    if worker.give(pending[0]):
                        pending.popleft()
                    else:  # it died between two reports: the report goes to another
                        worker.stop()
                        workers[n] = _Worker(inputs, options)
            busy = [w for w in workers if w.job is not None]
            if not busy:  # a worker was replaced: give it its report first
                continue
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome, retired = _answer(worker)
                    yield outcome
                    if retired:  # replaced while there is work left for it
                        worker.stop()
                        workers.remove(worker)
                        if pending:
                            workers.append(_Worker(inputs, options))
        finished = True
    finally:  # idle at the end, a worker leaves on its own; else it is stopped at once
        for worker in workers:
            worker.stop(STOP_GRACE if finished else 0.0)


def _answer(worker: _Worker) -> tuple[Outcome, bool]:
    """Returns the worker's outcome and whether it has left; a worker that died
    answers with its report failed."""
    job, worker.job = worker.job, None
    try:
        if worker.conn.poll():
            return worker.conn.recv()
    except (EOFError, OSError):
        pass
    worker.process.join()
    code = worker.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
    return Outcome(job.id, (), (INTERNAL.at(ROOT, None, f"the worker building '{job.id}' "
                                            f"died ({how}): out of memory?"),), True), True


def _serve(conn: Connection, inputs: Inputs, options: PoolOptions) -> None:
    """A worker's life: builds the jobs it is given until its pipe closes, its number
    of reports is reached or its memory is above the limit."""
    for end in _Worker.client_ends:  # forked with it: held here, they would hide the
        end.close()  # client's death from this worker and the others
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the client's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle
    _warm()
    for done in range(1, options.reports_per_worker + 1):
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the client has gone
        outcome = build_job(inputs, job, options.scratch)
        retiring = (done == options.reports_per_worker
                    or resident_bytes() > options.memory_mib * 2**20)
        try:
            conn.send((outcome, retiring))
        except OSError:
            return
        if retiring:
            return


def _warm() -> None:
    """Imports the writers before the first job: once per worker, not per report."""
    from ..write import docx, pdf  # noqa: F401 -- WeasyPrint, python-docx, lxml
