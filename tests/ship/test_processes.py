"""Forked helpers (pipeline/processes.py): work shared between processes, and
helpers that never outlive or hang the build."""

import json
import os
import pty
import termios
import threading
import time

import pytest

from pipeline.processes import Claim, Helper, Tickets, fork_helper, reap


def test_tickets_hand_each_piece_of_work_to_one_process():
    tickets, claim = Tickets(40), Claim()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover -- the child's coverage is not collected
        taken = []
        while (n := tickets.take()) is not None:
            taken.append(n)
        os.write(write_end, json.dumps([taken, claim.take()]).encode())
        os._exit(0)
    os.close(write_end)
    ours = []
    while (n := tickets.take()) is not None:
        ours.append(n)
    ours_claimed = claim.take()
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        theirs, theirs_claimed = json.loads(pipe.read())
    assert sorted(ours + theirs) == list(range(40))
    assert [ours_claimed, theirs_claimed].count(True) == 1
    assert ours == sorted(ours) and theirs == sorted(theirs)  # each in order
    assert tickets.take() is None and claim.take() is False
    tickets.close()
    claim.close()


def test_a_helper_that_prints_under_stty_tostop_is_not_stopped():
    # A build on a terminal set to stop background writers: the helper, in a process
    # group of its own, prints (a library's warning, say) and must still finish.
    session, terminal = pty.fork()
    if session == 0:  # pragma: no cover -- the child's coverage is not collected
        attributes = termios.tcgetattr(0)
        attributes[3] |= termios.TOSTOP
        termios.tcsetattr(0, termios.TCSANOW, attributes)
        helper = fork_helper()
        if helper == 0:
            os.write(2, b"a warning\n")
            os._exit(0)
        deadline = time.monotonic() + 10
        while os.waitpid(helper, os.WNOHANG | os.WUNTRACED) == (0, 0):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        else:
            os._exit(0)
        reap(helper, stopped_early=True)
        os._exit(3)  # still there: stopped, or hung
    output = b""
    while True:
        try:
            output += os.read(terminal, 1024)
        except OSError:
            break  # the session has ended
    _, status = os.waitpid(session, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert b"a warning" in output


def _findings():
    from pipeline.diagnostics import PipelineError
    from pipeline.rules import WRITER
    raise PipelineError([WRITER.at("a.md", 3, "cannot")])


@pytest.mark.parametrize("work, kind, value", [
    (lambda: {"sections": (1, 2)}, "value", {"sections": (1, 2)}),
    (_findings, "findings", ["a.md:3: error: cannot [writer]"]),
    (lambda: 1 / 0, "crash", "ZeroDivisionError: division by zero"),
    (lambda: os._exit(3), "silent", None),
    (lambda: threading.Lock(), "crash", "TypeError: cannot pickle '_thread.lock' object"),
])
def test_a_helper_answers_once_with_its_value_its_findings_or_how_it_failed(work, kind, value):
    answer = Helper(work).answer()
    shown = [str(d) for d in answer.value] if kind == "findings" else answer.value
    assert (answer.kind, shown) == (kind, value)
