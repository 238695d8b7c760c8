"""Bounds a hostile or broken input cannot cross: file sizes, pages, and time.

They are the operator's settings (command-line options), not the report's:
a report must not be able to raise its own limits.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from .diagnostics import PipelineError
from .rules import TIME_LIMIT

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
        raise PipelineError([TIME_LIMIT.at(what, None, f"stopped after {seconds:g} s "
                                           "(--time-limit): the input may be hostile, or the "
                                           "limit too low")]) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
