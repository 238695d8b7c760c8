"""Benchmarks: wall time and peak memory of the pipeline, beside Pandoc.

    make bench                                   # or: .venv/bin/python bench/bench.py
    .venv/bin/python bench/bench.py --quick      # without the 300-page report
    .venv/bin/python bench/bench.py --write bench/RESULTS.md

Workloads: the flagship, and reports written by bench/generate.py of about
10, 100 and 300 A4 pages; then `batch` over 200 rows (bench/batch.py). Each command runs in a fresh process, as a user or
a scheduled job runs it (interpreter start included); the first run is
reported apart from the median of the others, since it pays for cold caches.
Peak memory is the command's maximum resident set size, from wait4() in a
small launcher (see run_once). With a peer (Pandoc from .venv-bench, which
`make bench` installs from bench/requirements.lock, else one on PATH), the same Markdown
goes through `pandoc --to docx`, `pandoc -s --toc --to html` (beside our web
edition), Pandoc → Typst (a reference: the other engine's floor, not a peer
doing our work), and `pandoc --toc --to html` followed by
WeasyPrint's command line making a tagged PDF/A-3u (the work ours does), run
in turn with our `pdf` and `docx` (see measure_in_turn), and the table gives
our time over theirs. Our package's bytecode is compiled first, as an
installed package's is. Nothing here asserts: the numbers are for people
(README, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from batch import bench_batch  # noqa: E402
from generate import add_charts, generate  # noqa: E402

SIZES = {"10 pages": 5, "100 pages": 56, "300 pages": 170}  # sections → about that many pages
COMMANDS = ("check", "lint", "pdf", "docx", "all", "all --serial")
BENCH_VENV = ROOT / ".venv-bench"  # the peers' own environment: Pandoc and Typst, pinned
# Our command → the peers run in turn with it (Typst: a reference, not a peer).
PEERS = {"pdf": ("pandoc html + weasyprint", "pandoc typst + typst"),
         "docx": ("pandoc docx",), "html": ("pandoc html",)}


def find_pandoc() -> str | None:
    """Returns the Pandoc to compare with: .venv-bench's (pypandoc-binary, pinned), else
    one on PATH."""
    python = BENCH_VENV / "bin" / "python"
    if python.exists():
        found = subprocess.run([str(python), "-c", "import pypandoc; "
                                "print(pypandoc.get_pandoc_path())"], capture_output=True,
                               text=True)
        if found.returncode == 0:
            return found.stdout.strip()
    return shutil.which("pandoc")


PANDOC = find_pandoc()
TYPST_COMPILE = ("import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
                 "font_paths=['/usr/share/fonts/truetype'])")


@dataclass(frozen=True)
class Timing:
    workload: str
    what: str
    first: float  # seconds
    median: float  # seconds, over the runs after the first
    peak_mib: float


# A process's peak memory, as wait4() reports it, is at least the size of the
# process that started it: Linux keeps the high-water mark across exec, and a
# vforked child runs in its parent's memory until then. This bench grows (it
# validates the 300-page report in process), so commands are started by a small
# launcher, which times them and reports their own peak.
LAUNCHER = """\
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - started, os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_once(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Returns the wall time and the peak memory (MiB) of one run of command."""
    launched = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, *command], cwd=cwd,
                              capture_output=True, text=True)
    if launched.returncode != 0 or launched.stdout.split()[1:2] != ["0"]:
        raise SystemExit(f"failed: {' '.join(command)}")
    elapsed, _, peak_kib = launched.stdout.split()
    return float(elapsed), int(peak_kib) / 1024  # Linux reports KiB


def measure(workload: str, what: str, command: list[str], runs: int) -> Timing:
    return _timing(workload, what, [run_once(command) for _ in range(runs)])


def measure_in_turn(workload: str, commands: dict[str, list[str]], runs: int) -> list[Timing]:
    """Returns the timings of commands run in turn, round after round: a drift of the
    machine's speed (a shared host's drifts by half within minutes) then slows each
    alike, and ours and the peer's are compared side by side."""
    results: dict[str, list[tuple[float, float]]] = {what: [] for what in commands}
    for _ in range(runs):
        for what, command in commands.items():
            results[what].append(run_once(command))
    return [_timing(workload, what, runs_of) for what, runs_of in results.items()]


def _timing(workload: str, what: str, results: list[tuple[float, float]]) -> Timing:
    times = [t for t, _ in results]
    return Timing(workload, what, times[0], statistics.median(times[1:] or times),
                  max(m for _, m in results))


def pages_of(pdf: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(pdf).pages)


def time_validation(name: str, content: Path, runs: int) -> Timing:
    """Returns the time of load_document alone, in this process: reading, expanding,
    parsing and every rule of `check` (issue 4 wants it well under 0.2 s)."""
    from pipeline.build import load_document
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load_document(content)
        times.append(time.perf_counter() - started)
    return Timing(name, "validation (in process)", times[0], statistics.median(times[1:]),
                  math.nan)


def bench_ours(name: str, content: Path, out: Path, runs: int,
               peer: dict[str, list[str]]) -> list[Timing]:
    """Returns our commands' timings; `pdf` and `docx` in turn with the peer's
    commands that do the same work, when there is a peer."""
    rows = [time_validation(name, content, 10)]
    beside = {ours: [t for t in theirs if t in peer] for ours, theirs in PEERS.items()}
    beside = {ours: theirs for ours, theirs in beside.items() if theirs}
    rows += [measure(name, command, _cli(command, content, out), runs)
             for command in COMMANDS if command not in beside]
    for ours, theirs in beside.items():  # ours and its peers in turn, round after round
        rows += measure_in_turn(name, {ours: _cli(ours, content, out),
                                       **{what: peer[what] for what in theirs}}, runs)
    # The same PDF without PDF/A and tags, to show what archiving costs.
    plain = out.parent / f"{out.name}-plain-source"
    shutil.copytree(content, plain, dirs_exist_ok=True)
    with open(plain / "report.yaml", "a", encoding="utf-8") as report:
        report.write("\narchival: false\n")
    rows.append(measure(name, "pdf (archival: false)", _cli("pdf", plain, out / "plain"), runs))
    return rows


def _cli(command: str, content: Path, out: Path) -> list[str]:
    words = command.split()
    return [sys.executable, "-m", "pipeline", words[0], "--content", str(content), "--out",
            str(out), "--quiet", "--time-limit", "0", *words[1:]]


def expanded_markdown(content: Path, into: Path) -> list[Path]:
    """Writes each section with its Jinja expanded (Pandoc reads no Jinja); returns them."""
    from pipeline.read import expand_sections
    from pipeline.read.data import DataFiles
    from pipeline.read.report import load_report
    report, _ = load_report(content)
    into.mkdir(parents=True, exist_ok=True)
    paths = []
    for section in expand_sections(report, DataFiles(content))[0]:
        path = into / section.path.name
        path.write_text(section.text, encoding="utf-8")
        paths.append(path)
    write_pandoc_bibliography(report.references, into / "references.yaml")
    if (content / "figures").is_dir():
        shutil.copytree(content / "figures", into / "figures", dirs_exist_ok=True)
    return paths


def write_pandoc_bibliography(source: Path, target: Path) -> None:
    """Writes our CSL YAML list as Pandoc wants it: under `references:`, dates as text."""
    import yaml
    entries = yaml.safe_load(source.read_text(encoding="utf-8")) or []
    for entry in entries:
        for field in ("issued", "accessed"):
            if entry.get(field) is None:
                entry.pop(field, None)
            else:
                entry[field] = str(entry[field])
    target.write_text(yaml.safe_dump({"references": entries}, allow_unicode=True),
                      encoding="utf-8")


def peer_commands(content: Path, work: Path) -> dict[str, list[str]]:
    """Returns Pandoc's commands for the report in content: its .docx, and its HTML
    made into a PDF by WeasyPrint's command line."""
    sections = [str(p) for p in expanded_markdown(content, work)]
    common = [PANDOC, *sections, "--citeproc", "--bibliography",
              str(work / "references.yaml"), "--resource-path", str(work)]
    # The peer does the work ours does: a table of contents, and an archival,
    # tagged PDF (issue 18).
    weasyprint = str(Path(sys.executable).parent / "weasyprint")
    to_pdf = " ".join(common + ["-s", "--toc", "--metadata", "title=bench", "--metadata",
                                "lang=ja", "-o", str(work / "p.html")])
    to_pdf += (f" && {weasyprint} {work / 'p.html'} {work / 'p.pdf'}"
               " --pdf-variant pdf/a-3u --pdf-tags")
    commands = {"pandoc docx": common + ["-o", str(work / "p.docx")],
                "pandoc html": common + ["-s", "--toc", "--metadata", "title=bench",
                                         "--metadata", "lang=ja", "-o", str(work / "w.html")],
                "pandoc html + weasyprint": ["sh", "-c", to_pdf]}
    python = BENCH_VENV / "bin" / "python"
    if python.exists():  # Pandoc → Typst: Quarto's PDF engine, with the same fonts
        to_typst = " ".join(common + ["-s", "--toc", "-V", "lang=ja", "-V", "region=JP",
                                      "-V", "'mainfont=BIZ UDMincho'", "-t", "typst", "-o",
                                      str(work / "t.typ")])
        commands["pandoc typst + typst"] = [
            "sh", "-c", f"{to_typst} && {python} -c \"{TYPST_COMPILE}\" {work / 't.typ'} "
            f"{work / 't.pdf'}"]
    return commands


def bench_make(content: Path, out: Path, runs: int) -> list[Timing]:
    """Returns `make all` after a source changed, and with nothing to do."""
    make = ["make", "--no-print-directory", "-s", "all", f"CONTENT={content}", f"OUT={out}"]
    touch = content / "report.yaml"
    changed = []
    for _ in range(runs):
        os.utime(touch)
        changed.append(run_once(make))
    noop = [run_once(make) for _ in range(runs)]
    # No peak memory: make's rusage from wait4 reports its children's, not its own.
    return [Timing("flagship", "make all (a source changed)", changed[0][0],
                   statistics.median(t for t, _ in changed[1:]), math.nan),
            Timing("flagship", "make all (nothing to do)", noop[0][0],
                   statistics.median(t for t, _ in noop[1:]), math.nan)]


def bench_charts(work: Path, runs: int) -> list[Timing]:
    """Returns `pdf` and `all` on a 10-page report, without charts and with ten (issue 13:
    at most 1.5 s more, cold), each run into a fresh output directory so no drawing is
    cached; and `all` with ten charts again into a directory where every drawing is.

    The cold runs of the two reports alternate, so that a machine whose speed drifts
    (a shared host's does, by half and more within minutes) slows both alike; each pair's
    difference is what ten charts added in that moment."""
    plain = generate(work / "charts-none", SIZES["10 pages"])
    charted = add_charts(generate(work / "charts-ten", SIZES["10 pages"]), 10)
    rows = []
    for command in ("pdf", "all"):
        pairs = [[run_once(_cli(command, content, work / "out" / f"{command}-{name}-{n}"))
                  for name, content in (("plain", plain), ("charted", charted))]
                 for n in range(runs)]
        rows += [Timing(name, f"{command} (cold: nothing cached)", pairs[0][i][0],
                        statistics.median(pair[i][0] for pair in pairs[1:]),
                        max(pair[i][1] for pair in pairs))
                 for i, name in enumerate(("10 pages, no chart", "10 pages, 10 charts"))]
        added = [charted_run[0] - plain_run[0] for plain_run, charted_run in pairs]
        rows.append(Timing("10 pages, 10 charts", f"{command}: added by the charts, cold",
                           added[0], statistics.median(added[1:]), math.nan))
    rows.append(measure("10 pages, 10 charts", "all (drawings cached)",
                        _cli("all", charted, work / "out" / "all-charted-0"), runs))
    return rows


def bench_preview(work: Path, runs: int) -> list[Timing]:
    """Returns the seconds from a save of the flagship to the reload event, and to a new
    PDF at /pdf, with `preview` running warm (issue 17: 0.5 s and about 1 s)."""
    import socket
    import urllib.request
    copy = work / "preview-copy"
    shutil.copytree(ROOT / "content", copy, dirs_exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "pipeline", "preview", "--content",
                               str(copy), "--out", str(work / "preview-out"), "--port",
                               str(port), "--quiet"], cwd=ROOT, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: urllib.request.urlopen(f"{base}/pdf", timeout=2).status == 200, 60)
        reloads, pdfs = [], []
        section = copy / "01-background.md"
        for n in range(runs):
            old_pdf = urllib.request.urlopen(f"{base}/pdf", timeout=5).read()
            with urllib.request.urlopen(f"{base}/events", timeout=10) as stream:
                time.sleep(0.3)
                started = time.perf_counter()
                section.write_text(section.read_text(encoding="utf-8") + f"\n追記{n}。\n",
                                   encoding="utf-8")
                for line in stream:
                    if line.startswith(b"event: reload"):
                        reloads.append(time.perf_counter() - started)
                        break
            _until(lambda: urllib.request.urlopen(f"{base}/pdf", timeout=5).read() != old_pdf, 30)
            pdfs.append(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return [Timing("flagship", "preview: save → reload event", reloads[0],
                   statistics.median(reloads), math.nan),
            Timing("flagship", "preview: save → new /pdf", pdfs[0], statistics.median(pdfs),
                   math.nan)]


MAILS = 200


def bench_send(work: Path, runs: int) -> list[Timing]:
    """`send` of a bundle with 200 numbered copies to an SMTP server on 127.0.0.1
    (aiosmtpd, which takes every mail): one connection for the run."""
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    content = work / "send-report"
    content.mkdir()
    (content / "01.md").write_text("# 送付の試験\n\n本文である。\n", encoding="utf-8")
    (content / "references.yaml").write_text("[]\n", encoding="utf-8")
    people = "".join(f"  - {{name: 配布先{n:03d}, email: r{n:03d}@example.lg.jp}}\n"
                     for n in range(1, MAILS + 1))
    (content / "report.yaml").write_text(
        "id: send-bench\ntitle: 送付の試験\norganisation: 試験庁\ndate: 2026-12-01\n"
        f"version: \"1.0\"\nsections: [01.md]\nreferences: references.yaml\n"
        f"recipients:\n{people}", encoding="utf-8")
    out = work / "out" / "send"
    subprocess.run([sys.executable, "-m", "pipeline", "dist", "--content", str(content),
                    "--out", str(out), "--quiet"], cwd=ROOT, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    environment = {"PIPELINE_SMTP_HOST": "127.0.0.1", "PIPELINE_SMTP_PORT": str(port),
                   "PIPELINE_SMTP_TLS": "none", "PIPELINE_SMTP_FROM": "bench@example.go.jp"}
    saved = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)
    results = []
    try:
        for _ in range(runs):
            (out / "dist" / ".state" / "send.sqlite").unlink(missing_ok=True)
            results.append(run_once([sys.executable, "-m", "pipeline", "send", "--content",
                                     str(content), "--out", str(out), "--quiet"]))
    finally:
        controller.stop()
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    return [_timing(f"{MAILS} mails", "send (one SMTP connection)", results)]


def _until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("preview did not answer in time")


def growth_exponent(points: list[tuple[int, float]]) -> float:
    """Returns b in time ≈ a·pages^b, fitted by least squares on the logs."""
    xs = [math.log(p) for p, _ in points]
    ys = [math.log(t) for _, t in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / \
        sum((x - mean_x) ** 2 for x in xs)


def table(rows: list[Timing], pages: dict[str, int]) -> list[str]:
    lines = ["| workload | pages | command | first (s) | median (s) | peak (MiB) |",
             "|---|--:|---|--:|--:|--:|"]
    lines += [f"| {r.workload} | {pages.get(r.workload, '')} | {r.what} | {r.first:.2f} | "
              f"{r.median:.2f} | {'–' if math.isnan(r.peak_mib) else f'{r.peak_mib:.0f}'} |"
              for r in rows]
    return lines


def ratios(rows: list[Timing]) -> list[str]:
    """Returns our medians over the peers' measured in turn with them, per workload."""
    by = {(r.workload, r.what): r.median for r in rows}
    lines = ["| workload | pdf: ours / (pandoc --toc + weasyprint, PDF/A-3u, tagged) | "
             "docx: ours / pandoc | web: ours / pandoc -s --toc | all / peer's pdf | "
             "pdf: ours / (pandoc → typst), a reference |", "|---|--:|--:|--:|--:|--:|"]
    for workload in dict.fromkeys(r.workload for r in rows):
        if (workload, "pandoc docx") not in by:
            continue

        def ratio(ours: str, peer: str) -> str:
            theirs = by.get((workload, peer))
            return f"{by[workload, ours] / theirs:.2f}" if theirs and (workload, ours) in by \
                else "–"
        pdf, typst = PEERS["pdf"]
        lines.append(f"| {workload} | {ratio('pdf', pdf)} | {ratio('docx', 'pandoc docx')} | "
                     f"{ratio('html', 'pandoc html')} | {ratio('all', pdf)} | "
                     f"{ratio('pdf', typst)} |")
    return lines


def exponents(rows: list[Timing], pages: dict[str, int]) -> list[str]:
    lines = []
    for what in ("check", "pdf", "docx", "all"):
        points = [(pages[r.workload], r.median) for r in rows
                  if r.what == what and r.workload in SIZES and r.workload in pages]
        if len(points) >= 2:
            lines.append(f"- {what}: time ∝ pages^{growth_exponent(points):.2f}")
    return lines


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    from importlib.metadata import version
    pandoc = subprocess.run([PANDOC, "--version"], capture_output=True, text=True).stdout \
        .splitlines()[0] if PANDOC else "pandoc not installed"
    return [f"- {os.cpu_count()} CPUs ({cpu}), {int(memory) / 2**20:.0f} GiB memory, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}, WeasyPrint {version('weasyprint')}, "
            f"python-docx {version('python-docx')}, {pandoc}",
            f"- measured {time.strftime('%Y-%m-%d')}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per command (default 3)")
    parser.add_argument("--quick", action="store_true", help="leave out the 300-page report")
    parser.add_argument("--write", type=Path, help="also write the results to this file")
    parser.add_argument("--charts", action="store_true",
                        help="only the charts' cost (issue 13), in --runs pairs of runs")
    args = parser.parse_args()
    runs = max(2, args.runs)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pipeline")],
                   check=True, stdout=subprocess.DEVNULL)
    if args.charts:
        with tempfile.TemporaryDirectory() as tmp:
            print("\n".join(["## Machine", "", *machine(), "", "## Charts", "",
                              *table(bench_charts(Path(tmp), runs), {})]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        workloads = {"flagship": ROOT / "content"}
        for name, sections in SIZES.items():
            if not (args.quick and name == "300 pages"):
                workloads[name] = generate(work / name.replace(" ", "-"), sections)
        rows, pages = [], {}
        for name, content in workloads.items():
            out = work / "out" / name.replace(" ", "-")
            big = name == "300 pages"
            print(f"… {name}", file=sys.stderr)
            peer = (peer_commands(content, work / "pandoc" / name.replace(" ", "-"))
                    if PANDOC else {})
            rows += bench_ours(name, content, out, 2 if big else runs, peer)
            pages[name] = pages_of(next(out.glob("*.pdf")))
        copy = work / "flagship-copy"
        shutil.copytree(ROOT / "content", copy)
        rows += bench_make(copy, work / "out" / "make", runs + 2)
        print("… charts", file=sys.stderr)
        rows += bench_charts(work, runs + 4)
        print("… preview", file=sys.stderr)
        rows += bench_preview(work, runs + 2)
        print("… send", file=sys.stderr)
        rows += bench_send(work, runs)
        print("… batch", file=sys.stderr)
        batch = bench_batch(work, runs=runs)
    report = ["## Machine", "", *machine(), "", "## Times", "", *table(rows, pages), "",
              "## Growth with the page count", "", *exponents(rows, pages), "",
              "## Batch (bench/batch.py)", "", *batch, ""]
    if PANDOC:
        report += ["## Against Pandoc (median times, each pair run in turn)", "",
                   *ratios(rows), ""]
    print("\n".join(report))
    if args.write:
        args.write.write_text("# Benchmark results\n\nWritten by `bench/bench.py --write`.\n\n"
                              + "\n".join(report), encoding="utf-8")


if __name__ == "__main__":
    main()
