"""Forked helpers, for the stages that use a second core: when a process may fork,
how a helper is reaped, work shared among them (Tickets, Claim), and a helper
that sends one answer back (Helper)."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass


def may_fork() -> bool:
    """Says whether this process may fork a helper: never one running threads (the
    preview's server), whose locks a fork would copy as they are."""
    return hasattr(os, "fork") and threading.active_count() == 1


_in_helper = False  # set in a forked helper: the helpers it forks stay in its group


def fork_helper() -> int:
    """Forks a helper; returns its pid, or 0 in the helper. The helper dies on SIGTERM
    and SIGINT, and at what is left of the parent's --time-limit (a fork drops
    timers): it never outlives the build it helps. It leads a process group, which
    the helpers it forks itself join, so that reap kills them with it."""
    global _in_helper
    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    child = os.fork()
    if child == 0:
        if not _in_helper:
            os.setpgid(0, 0)
            # Out of the terminal's foreground group: a warning it prints must not
            # stop it (SIGTTOU, under `stty tostop`) while the build waits for it.
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            _in_helper = True
        for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)
    elif not _in_helper:
        try:  # here too, so that the group is there before this process goes on
            os.setpgid(child, child)
        except OSError:
            pass  # the helper has made it already, or has exited
    return child


def reap(child: int, stopped_early: bool) -> None:
    """Waits for a helper; kills it first, with the helpers it forked, if the parent
    stopped early (an error, --time-limit, SIGTERM), so that none outlives the build."""
    if stopped_early:
        try:
            if os.getpgid(child) == child:
                os.killpg(child, signal.SIGKILL)
            else:  # a helper's helper, in its parent's group
                os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass  # exited, and reaped below
    os.waitpid(child, 0)


class Tickets:
    """Pieces of work 0…count-1 that a parent and its forked helpers share: each asks
    for the next, and each piece goes to one of them. Made before the fork: a pipe
    holding one record a piece, which one read takes (a pipe reads up to PIPE_BUF
    bytes at once). A pipe holds 64 KiB: pieces past the 16,384th are never handed
    out, and are left to the caller, as are those of a helper that failed."""

    RECORD = 4
    CAPACITY = 65536 // RECORD

    def __init__(self, count: int):
        self._read, write = os.pipe()
        os.set_blocking(write, False)
        try:
            os.write(write, b"".join(n.to_bytes(self.RECORD, "big")
                                     for n in range(min(count, self.CAPACITY))))
        finally:
            os.close(write)
        os.set_blocking(self._read, False)

    def take(self) -> int | None:
        """Returns the next piece of work for this process, or None when none is left."""
        try:
            record = os.read(self._read, self.RECORD)
        except (BlockingIOError, OSError):
            return None  # all taken, or closed
        return int.from_bytes(record, "big") if len(record) == self.RECORD else None

    def close(self) -> None:
        os.close(self._read)


class Claim:
    """One piece of work that whichever process asks for first gets: one ticket."""

    def __init__(self):
        self._ticket = Tickets(1)

    def take(self) -> bool:
        """Says whether this process got the work (never two processes)."""
        return self._ticket.take() == 0

    def close(self) -> None:
        self._ticket.close()


@dataclass(frozen=True)
class Answer:
    """What a Helper sent back: kind 'value' (work's return), 'findings' (the
    diagnostics of the PipelineError it raised), 'crash' (what else it raised), or
    'silent' (it died before answering: killed, or out of memory); and its status."""

    kind: str
    value: object
    status: int


class Helper:
    """A forked helper (fork_helper) that runs one piece of work and sends its answer
    back through a pipe, pickled: the one way a stage hands work to a second core.
    The caller reads the answer when it needs it, or stops the helper."""

    def __init__(self, work: Callable[[], object]):
        read_end, write_end = os.pipe()
        self.pid = fork_helper()
        if self.pid == 0:  # pragma: no cover -- the child's coverage is not collected
            os.close(read_end)
            _answer(write_end, work)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")

    def answer(self) -> Answer:
        """Waits for the helper to answer and exit; returns its answer."""
        with self._pipe:
            data = self._pipe.read()
        status = os.waitpid(self.pid, 0)[1]
        try:
            kind, value = pickle.loads(data) if data else ("silent", None)
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, TypeError):
            kind, value = "silent", None
        return Answer(kind, value, status)

    def stop(self) -> None:
        """Stops the helper (and the helpers it forked) when its work is no longer
        wanted: the caller failed, or was stopped."""
        self._pipe.close()
        reap(self.pid, stopped_early=True)


def _answer(fd: int, work: Callable[[], object]) -> None:
    """In the helper: runs work, sends what came of it, and exits, whatever happens."""
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(_outcome(work))
    finally:
        os._exit(0)  # no cleanup handlers: they belong to the parent


def _outcome(work: Callable[[], object]) -> bytes:
    """Returns what came of work, pickled: its value, its findings, or its crash."""
    from .diagnostics import PipelineError
    try:
        answer = ("value", work())
    except PipelineError as exc:
        answer = ("findings", list(exc.diagnostics))
    except BaseException as exc:  # noqa: BLE001 -- the caller reports it; the helper exits
        answer = ("crash", f"{type(exc).__name__}: {exc}"[:2000])
    try:
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 -- a value that cannot travel is a crash
        return pickle.dumps(("crash", f"{type(exc).__name__}: {exc}"[:2000]))
