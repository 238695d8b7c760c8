"""Forked helpers, for the stages that use a second core: when a process may fork,
and how a helper is reaped."""

from __future__ import annotations

import os
import signal
import threading


def may_fork() -> bool:
    """Says whether this process may fork a helper: never one running threads (the
    preview's server), whose locks a fork would copy as they are."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fork_helper() -> int:
    """Forks a helper; returns its pid, or 0 in the helper. The helper dies on SIGTERM
    and SIGINT, and at what is left of the parent's --time-limit (a fork drops
    timers): it never outlives the build it helps."""
    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    child = os.fork()
    if child == 0:
        for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)
    return child


def reap(child: int, stopped_early: bool) -> None:
    """Waits for a helper; kills it first if the parent stopped early (an error,
    --time-limit, SIGTERM), so that it never outlives the build."""
    if stopped_early:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
