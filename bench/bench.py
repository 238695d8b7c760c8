"""Benchmarks: wall time and peak memory of the pipeline's commands.

    make bench                # or: .venv/bin/python bench/bench.py [--runs N]

Each command runs in a fresh process, as a user or a scheduled job runs it
(interpreter start included); the first run is reported apart from the
median of the others, since it pays for cold caches. Peak memory is the
child's maximum resident set size, from wait4(). The check is also timed in
this process, which is the validation alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Timing:
    label: str
    first: float  # seconds
    median: float  # seconds, over the runs after the first
    peak_mib: float | None  # None when measured in this process


def run_once(command: list[str]) -> tuple[float, float]:
    """Returns the wall time and the peak memory (MiB) of one run of command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def time_command(label: str, command: list[str], runs: int) -> Timing:
    results = [run_once(command) for _ in range(runs)]
    times = [t for t, _ in results]
    return Timing(label, times[0], statistics.median(times[1:] or times),
                  max(m for _, m in results))


def time_validation(content: Path, runs: int) -> Timing:
    """Returns the time of load_document alone: read, expand, parse and every rule."""
    from pipeline.build import load_document
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load_document(content)
        times.append(time.perf_counter() - started)
    return Timing("validation (in process)", times[0], statistics.median(times[1:]), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    args = parser.parse_args()
    runs = max(2, args.runs)
    with tempfile.TemporaryDirectory() as out:
        cli = [sys.executable, "-m", "pipeline"]
        where = ["--content", str(args.content), "--out", out, "--quiet"]
        rows = [time_validation(args.content, runs * 4)]
        rows += [time_command(f"{name} (new process)", cli + [name] + where, runs)
                 for name in ("check", "pdf", "docx", "all")]
    print(f"{args.content.name}: {runs} runs per command, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs\n")
    print(f"| {'what':<24} | first (s) | median (s) | peak (MiB) |")
    print(f"|{'-' * 26}|----------:|-----------:|-----------:|")
    for row in rows:
        peak = f"{row.peak_mib:.0f}" if row.peak_mib is not None else "–"
        print(f"| {row.label:<24} | {row.first:9.3f} | {row.median:10.3f} | {peak:>10} |")


if __name__ == "__main__":
    main()
