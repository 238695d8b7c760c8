"""The batch runner's cost: 200 reports of about four pages from a generated CSV, on one
and two local workers and on a Dask cluster of two workers on this machine, beside a
cold `all` of one of them.

    .venv/bin/python bench/batch.py [--rows 200]     # alone; `make bench` runs it too

The report is tests/corpus/municipalities, its rows generated in the shape the
municipalities' file has (Shift_JIS, a title line, notes under the table). Each
batch starts from an empty output directory; the cluster is started before its
clock starts, as a cluster runs before a batch is sent to it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "municipalities"
PREFECTURES = ("北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県")


def generate_rows(content: Path, rows: int) -> list[str]:
    """Writes data/municipalities.csv with `rows` made-up municipalities; returns their ids."""
    rng = random.Random(31)
    lines = ['"市区町村別 行政手続のオンライン化の状況（試験用）"',
             '"団体コード","都道府県名","市区町村名","人口（人）","対象手続数",'
             '"オンライン化手続数","2024年度利用率（％）","2025年度利用率（％）"']
    ids = []
    for n in range(rows):
        code = f"{n // 40 + 1:02d}{n % 40 * 10 + 100:03d}{n % 10}"
        total = rng.choice([26, 27, 28])
        r24 = rng.uniform(20, 60)
        lines.append(f'"{code}","{PREFECTURES[n % len(PREFECTURES)]}","試験市{n + 1:03d}",'
                     f'"{rng.randint(5_000, 900_000):,}","{total}","{rng.randint(10, total)}",'
                     f'"{"-" if n % 17 == 0 else f"{r24:.1f}"}","{r24 + rng.uniform(1, 9):.1f}"')
        ids.append(f"dx-{code}")
    lines += ['"注1：数値は試験用の架空の値である。"', '"注2：「-」は調査していないことを示す。"']
    (content / "data" / "municipalities.csv").write_bytes(("\r\n".join(lines) + "\r\n")
                                                          .encode("cp932"))
    return ids


def batch(content: Path, out: Path, *options: str) -> tuple[float, float]:
    """Returns the wall time of a batch into an empty out, and its workers' peak MiB."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", "batch", "--content", str(content),
                           "--out", str(out), *options], cwd=ROOT, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"batch failed: {done.stderr[-2000:]}")
    peak = re.search(r"peak (\d+) MiB", done.stdout)
    return elapsed, float(peak.group(1)) if peak else float("nan")


def cold_all(content: Path, out: Path, report_id: str, runs: int) -> float:
    """Returns the median wall time of `all --row` on one report in a fresh process."""
    times = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "all", "--content", str(content),
                        "--out", str(out), "--row", report_id, "--quiet"], cwd=ROOT,
                       check=True)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


class DaskCluster:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, stopped on exit."""

    def __init__(self, workers: int = 2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.workers = workers
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> DaskCluster:
        dask = str(Path(sys.executable).with_name("dask"))
        self._start(dask, "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                    "--no-dashboard")
        for n in range(self.workers):
            self._start(dask, "worker", self.address, "--host", "127.0.0.1", "--nworkers", "1",
                        "--nthreads", "1", "--no-dashboard", "--name", f"bench{n}")
        from distributed import Client
        with Client(self.address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(self.workers, timeout=60)
        return self

    def _start(self, *command: str) -> None:
        self.processes.append(subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def bench_batch(work: Path, rows: int = 200, runs: int = 3) -> list[str]:
    """Returns the batch table's lines (Markdown)."""
    content = Path(shutil.copytree(CORPUS, work / "batch-report"))
    ids = generate_rows(content, rows)
    out = work / "batch-out"
    results = {"1 local worker": batch(content, out, "--workers", "1"),
               "2 local workers": batch(content, out, "--workers", "2")}
    with DaskCluster(2) as cluster:
        results["Dask, 2 workers"] = batch(content, out, "--scheduler", cluster.address)
    cold = cold_all(content, work / "cold-out", ids[rows // 2], runs)
    one = results["1 local worker"][0]
    lines = [f"{rows} reports of 4 pages (PDF and .docx each); a cold `all --row` of one "
             f"takes {cold:.2f} s.", "",
             "| runner | wall (s) | reports per minute | s per report | speed-up | "
             "peak per worker (MiB) |", "|---|--:|--:|--:|--:|--:|"]
    for name, (seconds, peak) in results.items():
        lines.append(f"| {name} | {seconds:.1f} | {rows / seconds * 60:.0f} | "
                     f"{seconds / rows:.3f} | {one / seconds:.2f}× | {peak:.0f} |")
    lines += ["", f"A report on one warm worker costs {one / rows / cold:.2f} of a cold `all`."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(bench_batch(Path(tmp), args.rows)))


if __name__ == "__main__":
    main()
