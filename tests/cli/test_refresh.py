"""`refresh`: data fetched again from its publisher over real HTTPS (a server on
127.0.0.1 with its own certificate, trusted through SSL_CERT_FILE), kept only when the
report still builds with it, with the fetch recorded beside the data."""

from __future__ import annotations

import hashlib
import http.server
import ssl
import subprocess
import threading
import time

import pytest
import yaml
from helpers import respond, write_report

from pipeline.cli import main

OLD = "区分,現在（万人）\n国家公務員,59\n地方公務員,274\n"
NEW = "区分,現在（万人）\n国家公務員,58\n地方公務員,280\n"
SECTION = "# 職員\n\n国家公務員は{{ staff['国家公務員']['現在（万人）'] }}万人である[@gamma]。\n"


class Publisher(http.server.BaseHTTPRequestHandler):
    """Serves `files` {path: (status, body, headers)}, answering If-None-Match with 304;
    remembers every request's path and headers."""

    files: dict = {}
    seen: list = []
    delay = 0.0

    def do_GET(self):  # noqa: N802 -- http.server's name
        type(self).seen.append((self.path, dict(self.headers)))
        time.sleep(type(self).delay)
        answer = type(self).files.get(self.path, (404, b"", {}))
        if isinstance(answer, list):  # answers in turn, the last one kept
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        status, body, headers = answer
        if status == 200 and headers.get("ETag") and \
                self.headers.get("If-None-Match") == headers["ETag"]:
            status, body = 304, b""
        respond(self, status, body, headers)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    return folder


@pytest.fixture
def server(certificate, monkeypatch):
    """The publisher on 127.0.0.1 and a free port, started for the test and always stopped."""
    Publisher.files, Publisher.seen, Publisher.delay = {}, [], 0.0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Publisher)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    monkeypatch.setenv("PIPELINE_ALLOW_HOSTS", "127.0.0.1")
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def _report(tmp_path, base: str, every: str = "month", extra: str = ""):
    root = write_report(tmp_path / "r", {"01.md": SECTION}, data={"staff.csv": OLD})
    (root / "data" / "sources.yaml").write_text(
        f"staff.csv:\n  url: {base}/staff.csv\n  publisher: 内閣人事局\n"
        f"  title: 国家公務員の数\n  license: CC BY 4.0\n  every: {every}\n{extra}",
        encoding="utf-8")
    return root


def _refresh(root, capsys, *options) -> tuple[int, str]:
    code = main(["refresh", "--content", str(root), *options])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_new_data_that_fits_replaces_the_old_and_is_recorded(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {
        "ETag": '"v2"', "Last-Modified": "Tue, 01 Dec 2026 00:00:00 GMT"})
    code, printed = _refresh(root, capsys)
    assert code == 0, printed
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == NEW
    assert f"data/staff.csv: updated from {server}/staff.csv" in printed
    record = yaml.safe_load((root / "data" / "sources.lock").read_text(encoding="utf-8"))
    assert record["staff.csv"]["url"] == f"{server}/staff.csv"
    assert record["staff.csv"]["etag"] == '"v2"'
    assert record["staff.csv"]["sha256"] == hashlib.sha256(NEW.encode()).hexdigest()
    assert record["staff.csv"]["fetched"].endswith("Z")


def test_a_file_not_due_is_not_asked_for_and_an_unchanged_one_costs_a_304(tmp_path, server,
                                                                          capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {"ETag": '"v2"'})
    assert _refresh(root, capsys)[0] == 0
    lock = (root / "data" / "sources.lock").read_bytes()
    assert _refresh(root, capsys)[0] == 0 and len(Publisher.seen) == 1  # a month: not due
    code, printed = _refresh(root, capsys, "--force")
    assert code == 0 and "unchanged (HTTP 304" in printed
    assert Publisher.seen[-1][1].get("If-None-Match") == '"v2"'
    assert (root / "data" / "sources.lock").read_bytes() == lock  # nothing changed


def test_new_data_without_a_cell_the_text_uses_leaves_the_old_file(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    broken = "区分,職員数\n国家公務員,58\n".encode()
    Publisher.files["/staff.csv"] = (200, broken, {})
    code, printed = _refresh(root, capsys)
    assert code == 1
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == OLD
    assert not (root / "data" / "sources.lock").exists()
    assert f"the new file from {server}/staff.csv does not fit the report" in printed
    assert "現在（万人）" in printed and "01.md:3" in printed  # the cell, and where it is used
    assert str(tmp_path / "r") in printed and "refresh-" not in printed  # the report's paths


@pytest.mark.parametrize("answer, code, message", [
    ((500, b"", {}), 75, "HTTP 500"),
    ((503, b"", {}), 75, "HTTP 503"),
    ((404, b"", {}), 1, "HTTP 404"),
    ((301, b"", {"Location": "http://127.0.0.1/staff.csv"}), 1, "only https is followed"),
])
def test_a_failed_fetch_keeps_the_old_file_and_says_whether_to_try_again(
        tmp_path, server, capsys, answer, code, message):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = answer
    got, printed = _refresh(root, capsys)
    assert got == code and message in printed and "the old file stays" in printed
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == OLD


def test_a_redirect_to_https_is_followed(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (302, b"", {"Location": "/v2/staff.csv"})
    Publisher.files["/v2/staff.csv"] = (200, NEW.encode(), {})
    assert _refresh(root, capsys)[0] == 0
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == NEW


def test_a_slow_server_is_a_timeout_to_try_again(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {})
    Publisher.delay = 2.0
    code, printed = _refresh(root, capsys, "--timeout", "0.5")
    assert code == 75 and "cannot fetch it" in printed


def test_a_file_over_the_limit_is_refused(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode() + b"x" * 2**20, {})
    code, printed = _refresh(root, capsys, "--max-file-mib", "1")
    assert code == 1 and "larger than 1 MiB" in printed


def test_this_machines_addresses_are_refused_unless_allowed(tmp_path, server, capsys,
                                                           monkeypatch):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {})
    monkeypatch.delenv("PIPELINE_ALLOW_HOSTS")
    code, printed = _refresh(root, capsys)
    assert code == 1 and "not fetched unless PIPELINE_ALLOW_HOSTS names it" in printed
    assert Publisher.seen == []  # refused before any connection


def test_an_untrusted_certificate_is_refused(tmp_path, server, capsys, monkeypatch):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {})
    monkeypatch.delenv("SSL_CERT_FILE")
    code, printed = _refresh(root, capsys)
    assert code == 1 and "certificate is not trusted" in printed


@pytest.mark.parametrize("entry, message", [
    ("  url: http://example.jp/a.csv\n", "must be an https:// address"),
    ("  every: fortnight\n", "must be one of day, week, month, year"),
])
def test_a_wrong_source_is_an_error_at_its_line(tmp_path, capsys, entry, message):
    root = write_report(tmp_path / "r", {"01.md": SECTION}, data={"staff.csv": OLD})
    fields = {"url": "https://example.jp/a.csv", "publisher": "内閣人事局", "title": "数",
              "every": "month"}
    key = entry.split(":")[0].strip()
    lines = "".join(f"  {k}: {v}\n" for k, v in fields.items() if k != key) + entry
    (root / "data" / "sources.yaml").write_text("staff.csv:\n" + lines, encoding="utf-8")
    code, printed = _refresh(root, capsys)
    assert code == 1 and message in printed and "sources.yaml:" in printed


CHARTED = SECTION + """
```chart
type: bar
data: staff.csv
x: 区分
y: [現在（万人）]
caption: 職員数
```

```table
data: staff.csv
caption: 職員数の表
```
"""


def test_the_source_line_names_the_publisher_and_the_day_of_the_fetch(tmp_path, server,
                                                                      capsys):
    """A chart and a table from a fetched file need no `source:`; their 出典 line is the
    publisher's, dated by data/sources.lock in Japan's calendar, the same in all three
    products and in every build (the recorded time, not the clock)."""
    import docx

    from helpers import pdf_lines
    root = _report(tmp_path, server)
    (root / "01.md").write_text(CHARTED, encoding="utf-8")
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {})
    assert _refresh(root, capsys)[0] == 0
    lock = root / "data" / "sources.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace(
        yaml.safe_load(lock.read_text(encoding="utf-8"))["staff.csv"]["fetched"],
        "2026-11-30T20:00:00Z"), encoding="utf-8")  # 5 a.m. on 1 December in Japan
    line = "出典：内閣人事局「国家公務員の数」（2026年12月1日取得、CC BY 4.0）を加工して作成"
    out = tmp_path / "out"
    for command in ("all", "html"):
        assert main([command, "--content", str(root), "--out", str(out), "--quiet"]) == 0
    assert [t for t in pdf_lines(out / "test-report.pdf") if t.startswith("出典")] == \
        [line.replace(" ", "")] * 2
    assert [p.text for p in docx.Document(out / "test-report.docx").paragraphs
            if p.text.startswith("出典")] == [line] * 2
    assert (out / "test-report.html").read_text(encoding="utf-8").count(
        f'<p class="source">{line}</p>') == 2
    first = (out / "test-report.pdf").read_bytes()
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    assert (out / "test-report.pdf").read_bytes() == first
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    import json
    manifest, = (out / "dist").glob("*/manifest.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["data_sources"] == [{
        "file": "data/staff.csv", "url": f"{server}/staff.csv", "publisher": "内閣人事局",
        "title": "国家公務員の数", "license": "CC BY 4.0", "fetched": "2026-11-30T20:00:00Z",
        "sha256": hashlib.sha256(NEW.encode()).hexdigest()}]
    package = json.loads((manifest.parent / "data" / "datapackage.json").read_text(
        encoding="utf-8"))
    for resource in package["resources"]:  # the chart's and the table's numbers
        assert resource["sources"][0] == {"title": line[3:], "path": f"{server}/staff.csv"}
        assert resource["licenses"] == [{"title": "CC BY 4.0"}]


def test_a_chart_from_a_file_without_a_publisher_still_needs_its_source(tmp_path, capsys):
    root = write_report(tmp_path / "r", {"01.md": CHARTED}, data={"staff.csv": OLD})
    assert main(["check", "--content", str(root), "--out", str(tmp_path / "o")]) == 1
    assert "a chart block needs 'source'" in capsys.readouterr().err


def test_a_redirect_to_a_private_address_is_refused(tmp_path, server, capsys):
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (302, b"", {"Location": "https://10.255.255.1/staff.csv"})
    code, printed = _refresh(root, capsys)
    assert code == 1 and "'10.255.255.1' is 10.255.255.1" in printed
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == OLD


def test_a_refresh_killed_midway_leaves_the_old_data_whole(tmp_path, server):
    import os
    import signal
    import sys

    from helpers import cli_env
    root = _report(tmp_path, server)
    Publisher.files["/staff.csv"] = (200, NEW.encode(), {})
    Publisher.delay = 5.0
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "refresh", "--content", str(root)],
                           env={**cli_env(), "SSL_CERT_FILE": os.environ["SSL_CERT_FILE"],
                                "PIPELINE_ALLOW_HOSTS": "127.0.0.1"})
    try:
        deadline = time.monotonic() + 30
        while not Publisher.seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Publisher.seen  # it was fetching when it was killed
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        run.kill()
    assert (root / "data" / "staff.csv").read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in (root / "data").iterdir()) == ["sources.yaml", "staff.csv"]


def test_the_scheduled_run_makes_edition_1_1_from_new_data_and_retries_a_503(tmp_path, server):
    """docs/scheduled-run.sh as cron runs it: refresh, lint, dist; the publisher's new
    release, after a 503 that the run tries again, becomes the next edition."""
    import os
    import sys

    from helpers import ROOT, cli_env
    root = _report(tmp_path, server)
    (root / "report.yaml").write_text((root / "report.yaml").read_text(encoding="utf-8")
                                      + "edition: auto\n", encoding="utf-8")
    out = tmp_path / "out"
    env = {**cli_env(), "SSL_CERT_FILE": os.environ["SSL_CERT_FILE"],
           "PIPELINE_ALLOW_HOSTS": "127.0.0.1", "PIPELINE_PYTHON": sys.executable,
           "PIPELINE_OPTIONS": f"--content {root} --out {out}", "RETRY_SECONDS": "0"}

    def scheduled():
        return subprocess.run(["sh", str(ROOT / "docs" / "scheduled-run.sh")], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=300)

    Publisher.files["/staff.csv"] = (200, OLD.encode(), {"ETag": '"v1"'})
    first = scheduled()
    assert first.returncode == 0, first.stdout + first.stderr
    Publisher.files["/staff.csv"] = [(503, b"", {}), (200, NEW.encode(), {"ETag": '"v2"'})]
    lock = root / "data" / "sources.lock"
    record = yaml.safe_load(lock.read_text(encoding="utf-8"))
    record["staff.csv"]["fetched"] = "2026-01-01T00:00:00Z"  # a month has passed long since
    lock.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    second = scheduled()
    assert second.returncode == 0, second.stdout + second.stderr
    assert [path for path, _ in Publisher.seen] == ["/staff.csv"] * 3  # 200; 503, then 200
    bundles = sorted(p.name for p in (out / "dist").iterdir() if not p.name.startswith("."))
    assert len(bundles) == 2 and "-v1.1-" in bundles[1]
    changes = (out / "dist" / bundles[1] / "CHANGES.md").read_text(encoding="utf-8")
    assert "- data/staff.csv 国家公務員・現在（万人）: 59 → 58" in changes
    assert "- data/staff.csv 地方公務員・現在（万人）: 274 → 280" in changes
