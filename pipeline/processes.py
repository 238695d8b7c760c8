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


def reap(child: int, stopped_early: bool) -> None:
    """Waits for a helper; kills it first if the parent stopped early (an error,
    --time-limit, SIGTERM), so that it never outlives the build."""
    if stopped_early:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
