"""Bounds a hostile or broken input cannot cross: file sizes, pages, and time.

They are the operator's settings (command-line options), not the report's:
a report must not be able to raise its own limits.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import PipelineError, error

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    max_file_mib: float = 5  # any text file of the report
    max_image_mib: float = 20  # any figure
    max_pages: int = 500  # the PDF
    seconds: float = 300  # the whole command: loading and rendering

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mib * MIB)

    @property
    def max_image_bytes(self) -> int:
        return int(self.max_image_mib * MIB)


def check_file_sizes(paths, limits: Limits) -> None:
    """Raises PipelineError for every text file over the size limit, before any is read."""
    sizes = {Path(p): Path(p).stat().st_size for p in paths if Path(p).is_file()}
    found = [error(path, None, f"file of {size / MIB:.1f} MiB is over the "
                   f"{limits.max_file_mib:g} MiB limit (--max-file-mib)", code="too-large")
             for path, size in sizes.items() if size > limits.max_file_bytes]
    if found:
        raise PipelineError(found)


class _Expired(BaseException):
    """Raised by the alarm; a BaseException, so no library's `except Exception` eats it."""


@contextmanager
def time_limit(seconds: float, what: str):
    """Raises PipelineError when the block runs longer than seconds (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise PipelineError([error(what, None, f"stopped after {seconds:g} s (--time-limit): "
                                   "the input may be hostile, or the limit too low",
                                   code="time-limit")]) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
