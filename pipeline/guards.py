"""Guards that hold a block of work to its limits (limits.py): a CPU budget, a
ceiling on memory, a time limit, by signals and rlimits. Signals reach the main
thread only, so elsewhere (the preview's threads) a guard lets the block run.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

from .diagnostics import PipelineError
from .rules import TIME_LIMIT


class OverBudget(BaseException):
    """Raised when a block exceeds its CPU budget; a BaseException, so that no
    `except Exception` in a library swallows it."""


def in_main_thread() -> bool:
    """Returns whether signals can be handled here: Python delivers them to the main
    thread only, so elsewhere no timer is set and no handler installed."""
    return threading.current_thread() is threading.main_thread()


@contextmanager
def signal_raises(signum: int, exception: type[BaseException]):
    """Makes signum raise exception for the duration of the block (main thread only:
    elsewhere the block runs as it is)."""
    if not in_main_thread():
        yield
        return

    def handler(signum, frame):
        raise exception()

    previous = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, previous)


@contextmanager
def cpu_budget(seconds: float):
    """Raises OverBudget when the block uses more than seconds of CPU time."""
    if not in_main_thread():
        yield
        return
    with _timer(signal.ITIMER_VIRTUAL, signal.SIGVTALRM, seconds, OverBudget):
        yield


@contextmanager
def _timer(which: int, signum: int, seconds: float, exception: type[BaseException]):
    """Raises exception when the interval timer `which` runs out within the block."""
    with signal_raises(signum, exception):
        signal.setitimer(which, seconds)
        try:
            yield
        finally:
            signal.setitimer(which, 0)


@contextmanager
def memory_ceiling(extra_bytes: int):
    """Lets the block take at most extra_bytes more address space: beyond it,
    allocations fail with MemoryError instead of exhausting the machine."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield  # already held lower, by the operator or a test
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    return _statm(0)


def resident_bytes() -> int:
    """Returns this process's resident memory now (not its peak)."""
    return _statm(1)


def _statm(field: int) -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")


class _Expired(BaseException):
    """Raised by the alarm; a BaseException, so no library's `except Exception` eats it."""


@contextmanager
def time_limit(seconds: float, what: str):
    """Raises PipelineError when the block runs longer than seconds (main thread only)."""
    if seconds <= 0 or not in_main_thread():
        yield
        return
    try:
        with _timer(signal.ITIMER_REAL, signal.SIGALRM, seconds, _Expired):
            yield
    except _Expired:
        raise PipelineError([TIME_LIMIT.at(what, None, f"stopped after {seconds:g} s "
                                           "(--time-limit): the input may be hostile, or "
                                           "the limit too low")]) from None
