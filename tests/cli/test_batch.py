"""`batch`: every row of tests/corpus/municipalities built on warm local workers,
skipped when unchanged, a bad row apart, a kill survived, and the same bytes as
`all --row` and as a Dask cluster of real `dask scheduler` and `dask worker`
processes on 127.0.0.1."""

import csv
import email
import email.policy
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import ROOT, cli_env, pdf_pages_text, run_cli, squeeze

CORPUS = ROOT / "tests" / "corpus" / "municipalities"
TOWNS = "data/municipalities.csv"


def _rows(content: Path) -> list[dict]:
    """The municipalities' rows, read here with the csv module, not the pipeline."""
    lines = (content / TOWNS).read_bytes().decode("cp932").splitlines()[1:]
    return [row for row in csv.DictReader(io.StringIO("\n".join(lines)))
            if row["団体コード"].isdigit()]


def _set_cell(content: Path, code: str, column: str, value: str) -> None:
    """Writes a new value into one row, as the office's spreadsheet would save it."""
    text = (content / TOWNS).read_bytes().decode("cp932")
    header = text.splitlines()[1].split(",")
    lines = text.split("\r\n")
    for n, line in enumerate(lines):
        if line.startswith(f'"{code}"'):
            cells = line.split('","')
            cells[header.index(f'"{column}"')] = value
            lines[n] = '","'.join(cells)
    (content / TOWNS).write_bytes("\r\n".join(lines).encode("cp932"))


def pdf_text(path: Path) -> str:
    """The PDF's text without white space: lines break where they must."""
    return squeeze("".join(pdf_pages_text(path)))


def _start_batch(content: Path, out: Path, *options: str,
                 output=subprocess.DEVNULL) -> subprocess.Popen:
    """Starts a batch in its own process group, for a test to kill it or its workers."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "batch", "--content",
                             str(content), "--out", str(out), *options], cwd=ROOT,
                            env=cli_env(), start_new_session=True, stdout=output,
                            stderr=output, text=True)


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CORPUS, tmp_path / "municipalities"))


def _summary(out: Path) -> dict:
    return json.loads((out / "batch.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The 30 reports, built once by two local workers, as PDF, .docx and web page."""
    base = tmp_path_factory.mktemp("batch")
    content, out = _copy(base), base / "out"
    done = run_cli("batch", "--content", str(content), "--out", str(out), "--workers", "2",
                   "--products", "pdf,docx,html")
    assert done.returncode == 0, done.stderr
    return content, out, done


def test_every_row_is_built_with_its_own_numbers(built):
    content, out, done = built
    rows = _rows(content)
    assert len(rows) == 30
    summary = _summary(out)
    assert summary["built"] == [f"dx-{r['団体コード']}" for r in rows]
    assert summary["failed"] == [] and summary["up_to_date"] == []
    assert "batch: 30 built, 0 up to date, 0 failed" in done.stdout
    for row in rows[::7]:
        report = out / f"dx-{row['団体コード']}"
        text = pdf_text(report / f"{report.name}.pdf")
        assert f"{row['市区町村名']}における行政手続のオンライン化" in text
        assert f"人口は{row['人口（人）']}人である" in text
        assert "全国の利用率と手続数の平均" in text  # the shared table
        assert "図1全国のオンライン利用率の推移" in text  # the shared chart
        assert (report / f"{report.name}.docx").stat().st_size > 0
        assert f"<h1 class=\"title\">{row['市区町村名']}における" in (report / f"{report.name}.html").read_text(
            encoding="utf-8")
    not_surveyed = [r for r in rows if r["2024年度利用率（％）"] == "-"]
    text = pdf_text(out / f"dx-{not_surveyed[0]['団体コード']}" /
                    f"dx-{not_surveyed[0]['団体コード']}.pdf")
    assert "2024年度は調査していない" in text


def test_a_batch_gives_the_bytes_of_all_on_that_row(built, tmp_path):
    content, out, _ = built
    row = f"dx-{_rows(content)[-1]['団体コード']}"  # built late, by a warm worker
    for command in ("all", "html"):
        done = run_cli(command, "--content", str(content), "--out", str(tmp_path), "--row", row)
        assert done.returncode == 0, done.stderr
    for kind in ("pdf", "docx", "html"):
        assert (tmp_path / f"{row}.{kind}").read_bytes() == \
            (out / row / f"{row}.{kind}").read_bytes(), kind


def test_unchanged_rows_are_skipped_and_a_changed_row_is_rebuilt_alone(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    rows = _rows(content)
    args = ("batch", "--content", str(content), "--out", str(out), "--products", "pdf")
    assert run_cli(*args).returncode == 0
    again = run_cli(*args)
    assert "0 built, 30 up to date" in again.stdout, again.stdout
    changed = rows[11]["団体コード"]
    _set_cell(content, changed, "人口（人）", "1,234,567")
    third = run_cli(*args)
    assert third.returncode == 0, third.stderr
    assert _summary(out)["built"] == [f"dx-{changed}"]
    assert len(_summary(out)["up_to_date"]) == 29
    assert "人口は1,234,567人である" in pdf_text(out / f"dx-{changed}" / f"dx-{changed}.pdf")
    # A shared file changed: every report is rebuilt (three of them, chosen by --only).
    section = content / "01-status.md"
    section.write_text(section.read_text(encoding="utf-8").replace("年々高まっている",
                                                                    "年ごとに高まっている"),
                       encoding="utf-8")
    chosen = [f"dx-{r['団体コード']}" for r in rows[:3]]
    fourth = run_cli(*args, "--only", *chosen)
    assert _summary(out)["built"] == chosen, fourth.stderr
    assert "年ごとに高まっている" in pdf_text(out / chosen[0] / f"{chosen[0]}.pdf")


def test_an_output_directory_inside_the_report_is_not_an_input(tmp_path):
    content = _copy(tmp_path)
    chosen = [f"dx-{r['団体コード']}" for r in _rows(content)[:2]]
    args = ("batch", "--content", str(content), "--out", str(content / "output"),
            "--products", "html", "--only", *chosen)
    assert run_cli(*args).returncode == 0
    again = run_cli(*args)
    assert "0 built, 2 up to date" in again.stdout, again.stdout


def test_a_bad_row_fails_alone(built, tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    shutil.copytree(built[1], out)
    rows = _rows(content)
    bad = rows[5]["団体コード"]
    before = (out / f"dx-{bad}" / f"dx-{bad}.pdf").read_bytes()
    _set_cell(content, bad, "対象手続数", "-")  # the text divides by it
    done = run_cli("batch", "--content", str(content), "--out", str(out), "--products", "pdf")
    assert done.returncode == 1
    line = next(n for n, text in enumerate((content / TOWNS).read_bytes().decode("cp932")
                                           .splitlines(), start=1) if text.startswith(f'"{bad}"'))
    first = (f"dx-{bad}: failed: {content}/01-status.md:3: error: template error: "
             f"data/municipalities.csv, line {line}, column '対象手続数' has no value ('-')")
    assert first in done.stderr
    summary = _summary(out)
    assert summary["failed"][0]["id"] == f"dx-{bad}"
    assert summary["failed"][0]["row"] == f"{TOWNS}:{line}"
    assert summary["failed"][0]["findings"][0]["path"] == f"{content}/01-status.md"
    assert len(summary["up_to_date"]) + len(summary["built"]) == 29
    assert (out / f"dx-{bad}" / f"dx-{bad}.pdf").read_bytes() == before  # kept as it was
    assert json.loads((out / f"dx-{bad}" / "check.json").read_text())["errors"] == 1
    again = run_cli("batch", "--content", str(content), "--out", str(out), "--products", "pdf")
    assert "0 built, 29 up to date, 1 failed" in again.stdout  # tried again, not skipped


def test_a_killed_batch_leaves_finished_reports_and_a_rerun_does_the_rest(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    batch = _start_batch(content, out, "--workers", "2")
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("*/.batch-state.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)  # the client and its workers, mid-batch
        batch.wait()
    finished = {p.parent.name for p in out.glob("*/.batch-state.json")}
    assert 4 <= len(finished) < 30
    assert _scratch(batch.pid)  # the killed run's unpacked inputs, which the next removes
    for pdf in out.glob("*/*.pdf"):
        assert len(PdfReader(pdf).pages) > 0  # whole: no half-written product
    for name in finished:
        assert (out / name / f"{name}.docx").is_file()
    done = run_cli("batch", "--content", str(content), "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = _summary(out)
    assert set(summary["up_to_date"]) == finished
    assert len(summary["built"]) == 30 - len(finished)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not _scratch(batch.pid)


def _scratch(pid: int) -> list[Path]:
    """The directories a batch of this pid unpacked its inputs into."""
    return list(Path(tempfile.gettempdir()).glob(f"pipeline-batch-{pid}-*"))


def test_workers_are_replaced_after_their_reports(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    before = set(Path(tempfile.gettempdir()).glob("pipeline-batch-*"))
    chosen = [f"dx-{r['団体コード']}" for r in _rows(content)[:5]]
    done = run_cli("batch", "--content", str(content), "--out", str(out), "--products", "pdf",
                   "--workers", "1", "--worker-reports", "2", "--only", *chosen)
    assert done.returncode == 0, done.stderr
    assert "5 built" in done.stdout and "3 worker process(es)" in done.stdout, done.stdout
    memory = run_cli("batch", "--content", str(content), "--out", str(tmp_path / "m"),
                     "--products", "pdf", "--workers", "1", "--worker-memory-mib", "1",
                     "--only", *chosen[:3])
    assert "3 built" in memory.stdout and "3 worker process(es)" in memory.stdout
    assert set(Path(tempfile.gettempdir()).glob("pipeline-batch-*")) <= before  # none left


def test_what_a_batch_cannot_start_with(tmp_path):
    content = _copy(tmp_path)
    done = run_cli("batch", "--content", str(content), "--out", str(tmp_path / "o"),
                   "--only", "dx-01100")
    assert done.returncode == 1
    assert "--only dx-01100: no row makes this report (did you mean 'dx-011002'?)" in done.stderr
    plain = run_cli("batch", "--content", "tests/corpus/statistics", "--out",
                    str(tmp_path / "o"))
    assert plain.returncode == 1 and "report.yaml has no each: field" in plain.stderr
    wrong = run_cli("batch", "--content", str(content), "--products", "pdf,odt")
    assert wrong.returncode == 2 and "a comma-separated list of pdf, docx, html" in wrong.stderr
    single = run_cli("pdf", "--content", str(content), "--out", str(tmp_path / "o"))
    assert single.returncode == 1 and "build them with `python -m pipeline batch`" in single.stderr
    nobody = run_cli("batch", "--content", str(content), "--out", str(tmp_path / "o"),
                     "--scheduler", f"tcp://127.0.0.1:{_free_port()}", "--scheduler-timeout", "1")
    assert nobody.returncode == 75 and "no Dask scheduler answered" in nobody.stderr
    assert "Traceback" not in nobody.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dask(*args: str) -> subprocess.Popen:
    dask = Path(sys.executable).with_name("dask")
    return subprocess.Popen([str(dask), *args], cwd=ROOT, env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def test_a_dask_cluster_gives_the_local_pool_bytes(built, tmp_path):
    content, local, _ = built
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    cluster = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--no-dashboard")]
    try:
        cluster += [_dask("worker", address, "--host", "127.0.0.1", "--nworkers", "1",
                          "--nthreads", "1", "--no-dashboard", "--name", f"w{n}")
                    for n in (1, 2)]
        _wait_for_workers(address, 2)
        chosen = [f"dx-{r['団体コード']}" for r in _rows(content)[::5]]
        out = tmp_path / "out"
        done = run_cli("batch", "--content", str(content), "--out", str(out), "--scheduler",
                       address, "--products", "pdf,docx,html", "--only", *chosen)
        assert done.returncode == 0, done.stderr
        assert f"{len(chosen)} built" in done.stdout and "2 worker process(es)" in done.stdout
    finally:
        for process in cluster:
            os.killpg(process.pid, signal.SIGTERM)
        for process in cluster:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    for report in chosen:
        for kind in ("pdf", "docx", "html"):
            assert (out / report / f"{report}.{kind}").read_bytes() == \
                (local / report / f"{report}.{kind}").read_bytes(), (report, kind)


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client
    with Client(address, timeout="30s", set_as_default=False) as client:
        client.wait_for_workers(count, timeout=60)


def test_a_bundle_per_report_as_dist_makes_it_and_sent_per_bundle(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    report = content / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "edition: auto\n", encoding="utf-8")
    rows = _rows(content)
    chosen = [f"dx-{r['団体コード']}" for r in rows[:2]]
    args = ("batch", "--content", str(content), "--out", str(out), "--dist", "--only", *chosen)
    assert run_cli(*args).returncode == 0
    alone = run_cli("dist", "--content", str(content), "--out", str(tmp_path / "alone"),
                    "--row", chosen[1])
    assert alone.returncode == 0, alone.stderr
    bundle = f"{chosen[1]}-v1.0-20261201"
    made = sorted(p.relative_to(out / chosen[1]) for p in (out / chosen[1] / "dist").rglob("*"))
    assert made == sorted(p.relative_to(tmp_path / "alone")
                          for p in (tmp_path / "alone" / "dist").rglob("*"))
    for path in (out / chosen[1] / "dist" / bundle).rglob("*"):
        if path.is_file():  # the same bundle, manifest and all, byte for byte
            assert path.read_bytes() == (tmp_path / "alone" / "dist" / bundle /
                                         path.relative_to(out / chosen[1] / "dist" / bundle)
                                         ).read_bytes(), path
    _set_cell(content, rows[0]["団体コード"], "人口（人）", "2,000,000")
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert _summary(out)["built"] == chosen[:1] and _summary(out)["up_to_date"] == chosen[1:]
    changes = (out / chosen[0] / "dist" / f"{chosen[0]}-v1.1-20261201" / "CHANGES.md").read_text(
        encoding="utf-8")
    assert f"data/municipalities.csv {rows[0]['団体コード']}・人口（人）" in changes
    assert rows[1]["団体コード"] not in changes  # another row's cells are not this report's
    sent = run_cli("send", "--content", str(content), "--row", chosen[0], "--out",
                   str(out / chosen[0]), "--dry-run")
    assert sent.returncode == 0, sent.stderr
    mails = list((out / chosen[0]).rglob("*.eml"))
    assert len(mails) == 1, sent.stdout
    mail = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    assert "第1.1版" in mail["Subject"] and mail["To"].addresses[0].addr_spec == \
        f"{chosen[0]}@example.jp"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_worker_killed_mid_report_fails_that_report_alone(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    batch = _start_batch(content, out, "--workers", "2", "--products", "pdf",
                         output=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("*/.batch-state.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = _children(batch.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
        stdout, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.wait()
    summary = _summary(out)
    assert len(summary["built"]) + len(summary["failed"]) == 30
    # The report it was building; none if the kill fell in the moment between two reports,
    # when its next report goes to a new worker (test_pool_gives_a_dead_workers_report_on).
    assert len(summary["failed"]) <= 1
    for failed in summary["failed"]:
        assert "died (killed by signal 9)" in failed["findings"][0]["message"]
        assert f"{failed['id']}: failed:" in stderr
    assert batch.returncode == (1 if summary["failed"] else 0)
    again = run_cli("batch", "--content", str(content), "--out", str(out), "--products", "pdf")
    assert again.returncode == 0 and "0 failed" in again.stdout


def test_a_progress_bar_on_a_terminal_and_none_with_quiet(tmp_path):
    import pty
    import threading
    content = _copy(tmp_path)
    chosen = [f"dx-{r['団体コード']}" for r in _rows(content)[:3]]
    shown = {}
    for quiet in ((), ("--quiet",)):
        controller, terminal = pty.openpty()
        chunks = []

        def read():  # while it runs: Linux drops what is unread when the terminal closes
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                chunks.append(chunk)
        reader = threading.Thread(target=read)
        reader.start()
        try:
            done = subprocess.run([sys.executable, "-m", "pipeline", "batch", "--content",
                                   str(content), "--out", str(tmp_path / f"out{len(quiet)}"),
                                   "--products", "pdf", "--only", *chosen, *quiet], cwd=ROOT,
                                  env=cli_env(), stdout=subprocess.DEVNULL, stderr=terminal,
                                  timeout=120)
        finally:
            os.close(terminal)
            reader.join(timeout=10)
            os.close(controller)
        assert done.returncode == 0
        shown[quiet] = b"".join(chunks).decode("utf-8", errors="replace")
    assert "3/3" in shown[()] and "report" in shown[()], shown
    assert shown[("--quiet",)] == ""


def test_pool_gives_a_dead_workers_report_on():
    """A worker killed between two reports: the report it would have had goes to a new
    worker, and no report fails."""
    from pipeline.build.batch_job import Job, pack_inputs, pipeline_fingerprint
    from pipeline.build.pool import PoolOptions, local_outcomes
    from pipeline.limits import Limits
    ids = [f"dx-{r['団体コード']}" for r in _rows(CORPUS)[:3]]
    jobs = [Job(i, n, ("html",), False, Limits(), pipeline_fingerprint())
            for n, i in enumerate(ids)]
    outcomes = local_outcomes(pack_inputs(CORPUS), jobs, PoolOptions(1))
    done = [next(outcomes)]
    idle = _children(os.getpid())  # waiting for its next report
    assert len(idle) == 1
    os.kill(idle[0], signal.SIGKILL)
    os.waitid(os.P_PID, idle[0], os.WEXITED | os.WNOWAIT)
    done += list(outcomes)
    assert sorted(o.id for o in done) == sorted(ids)
    assert not any(o.failed for o in done)
    assert len({o.worker for o in done}) == 2


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status  # exited, waiting to be reaped by whoever adopted it


def test_workers_stop_when_the_batch_is_killed_alone(tmp_path):
    content, out = _copy(tmp_path), tmp_path / "out"
    batch = _start_batch(content, out, "--products", "pdf")
    workers = []
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("*/.batch-state.json")) or len(workers) < 2:
            assert time.monotonic() < deadline
            workers = _children(batch.pid)
            time.sleep(0.01)
        os.kill(batch.pid, signal.SIGKILL)  # the client alone, not its process group
        batch.wait()
        deadline = time.monotonic() + 30  # each finishes the report it was building
        while not all(_gone(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_gone(w) for w in workers)
    finally:
        if not all(_gone(w) for w in workers):
            os.killpg(batch.pid, signal.SIGKILL)
        for directory in _scratch(batch.pid):  # what the next batch would remove
            shutil.rmtree(directory)
