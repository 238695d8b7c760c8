"""One build at a time per output directory: an advisory lock on <out>/.lock.

flock() is released by the kernel when the process ends, however it ends,
so a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from ..diagnostics import PipelineError, display_path
from ..rules import BUSY

LOCK_FILE = ".lock"


class OutputBusy(PipelineError):
    """Another build holds the output directory (the CLI exits 75, EX_TEMPFAIL)."""


@contextmanager
def output_lock(out_dir: Path):
    """Holds the output directory's lock for the duration of the block."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise OutputBusy([BUSY.at(out_dir, None, f"another build of {display_path(out_dir)} "
                                      f"is running (pid {holder}); try again later")]) from None
        # Written, then cut to length: never empty for another build reading it.
        pid = f"{os.getpid()}\n".encode()
        os.pwrite(fd, pid, 0)
        os.ftruncate(fd, len(pid))
        yield
    finally:
        os.close(fd)


@contextmanager
def report_lock(content_dir: Path):
    """Holds a report's lock while its sources are rewritten (`review --apply`,
    `refresh`): an advisory lock on its report.yaml, so that no file is added to the
    author's tree."""
    fd = os.open(content_dir / "report.yaml", os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy([BUSY.at(content_dir / "report.yaml", None, "another "
                                      "`review --apply` or `refresh` is writing this "
                                      "report's sources; try again when it is done")]) from None
        yield
    finally:
        os.close(fd)
