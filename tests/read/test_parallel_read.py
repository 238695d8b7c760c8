"""A long report's sections are converted on two cores (read/convert.py): the same
trees and findings as one process gives, and nothing left behind when it fails."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from helpers import ROOT

from pipeline import processes
from pipeline.read import convert, read_report

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402  -- the benchmark's reports: prose, tables, figures


@pytest.fixture(scope="module")
def long_report(tmp_path_factory):
    content = generate(tmp_path_factory.mktemp("long"), convert.PARALLEL_SECTIONS + 3)
    # A mistake in the second half: its finding must come back from the child.
    last = sorted(content.glob("*.md"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\n本文[^nowhere]。\n", encoding="utf-8")
    return content


def _read_in_one_process(content, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(convert, "PARALLEL_SECTIONS", 10**9)
        return read_report(content)


def _no_children_left() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) is None  # pragma: no cover -- a child is left
    except ChildProcessError:
        return True


def test_two_processes_read_what_one_reads(long_report, monkeypatch):
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(processes.os, "fork", lambda: forks.append(1) or real_fork())
    both = read_report(long_report)
    one = _read_in_one_process(long_report, monkeypatch)
    assert forks == [1]
    assert both.sections == one.sections and both.findings == one.findings
    last = sorted(long_report.glob("*.md"))[-1].name
    assert any(f.code == "footnote" and str(f.path).endswith(last) for f in both.findings)
    assert _no_children_left()


def test_a_failing_child_costs_only_time(long_report, monkeypatch):
    one = _read_in_one_process(long_report, monkeypatch)

    def broken(*_, **__):
        raise MemoryError("no room to send the trees")
    monkeypatch.setattr(processes.pickle, "dumps", broken)  # in the child: it sends nothing
    assert read_report(long_report).sections == one.sections
    assert _no_children_left()


def test_a_parent_that_stops_takes_its_child_with_it(long_report, monkeypatch):
    halves = []
    real_convert = convert._convert

    def first_half_fails(sections, *args):
        halves.append(len(sections))
        if len(halves) == 1:  # the parent's half; the child got its copy before
            raise KeyboardInterrupt
        return real_convert(sections, *args)
    monkeypatch.setattr(convert, "_convert", first_half_fails)
    with pytest.raises(KeyboardInterrupt):
        read_report(long_report)
    assert _no_children_left()


def test_a_process_running_threads_reads_in_one(long_report, monkeypatch):
    def no_fork():
        raise AssertionError("forked beside a thread")
    monkeypatch.setattr(processes.os, "fork", no_fork)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert read_report(long_report).sections
    finally:
        stop.set()
        thread.join()
