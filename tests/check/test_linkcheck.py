"""`linkcheck` against a local HTTP server the test starts: 200, 301, 404, a slow
endpoint, and a server that refuses HEAD."""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.cli import main

from helpers import write_report

SLOW_SECONDS = 2.0


class _Handler(BaseHTTPRequestHandler):
    asked: Counter = Counter()
    in_flight = most_in_flight = 0
    lock = threading.Lock()

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_GET(self):
        self._answer(send_body=True)

    def _answer(self, send_body: bool):
        # A request is in flight until its answer starts: counted down before the
        # answer is sent, so that a client which asks again as soon as it reads one
        # is never seen twice (the count measures the client, not this server's threads).
        cls = type(self)
        with cls.lock:
            cls.asked[(self.command, self.path)] += 1
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        try:
            if self.path.startswith("/slow"):
                time.sleep(SLOW_SECONDS)
            if self.path.startswith("/pause"):
                time.sleep(0.3)
        finally:
            with cls.lock:
                cls.in_flight -= 1
        self._respond(send_body)

    def _respond(self, send_body: bool):
        if self.path.startswith("/pause"):
            status, headers = 200, {}
        elif self.path == "/no-head" and self.command == "HEAD":
            status, headers = 405, {}
        else:
            status, headers = {"/ok": (200, {}), "/no-head": (200, {}),
                               "/moved": (301, {"Location": "/ok"}),
                               "/found": (302, {"Location": "/ok"}),
                               "/moved-away": (301, {"Location": "/gone"}),
                               "/busy": (503, {}),
                               }.get(self.path, (404, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if send_body:
            self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.block_on_close = False  # the slow handler may still sleep when the test ends
    _Handler.asked = Counter()
    _Handler.in_flight = _Handler.most_in_flight = 0
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", _Handler
    httpd.shutdown()
    httpd.server_close()


def _report(tmp_path, base, paths):
    entries = "".join(f"- id: r{n}\n  type: webpage\n  title: 資料{n}\n  publisher: 試験省\n"
                      f"  URL: {base}{path}\n  issued: 2021\n  accessed: 2026-03-01\n"
                      for n, path in enumerate(paths))
    cites = "; ".join(f"@r{n}" for n in range(len(paths)))
    return write_report(tmp_path / "r", {"01.md": f"# 一\n\n本文[{cites}]。\n"},
                        references=entries)


def _linkcheck(root, out, *options):
    return main(["linkcheck", "--content", str(root), "--out", str(out), "--timeout", "0.5",
                 *options])


def test_each_kind_of_answer_is_reported(tmp_path, server, capsys):
    base, _ = server
    root = _report(tmp_path, base, ["/ok", "/moved", "/gone", "/slow", "/no-head",
                                    "/moved-away"])
    assert _linkcheck(root, tmp_path / "out") == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"{root}/references.yaml:8: warning: '{base}/moved' redirects (301) to {base}/ok: "
        "update the URL [link-redirect]",
        f"{root}/references.yaml:15: error: dead link '{base}/gone': HTTP 404 [link-dead]",
        f"{root}/references.yaml:22: warning: '{base}/slow': no answer within 0.5 s "
        "[link-timeout]",
        f"{root}/references.yaml:36: error: dead link '{base}/moved-away' (redirected to "
        f"{base}/gone): HTTP 404 [link-dead]",
    ]


def test_head_refused_falls_back_to_get(tmp_path, server):
    base, handler = server
    assert _linkcheck(_report(tmp_path, base, ["/no-head"]), tmp_path / "out") == 0
    assert handler.asked == {("HEAD", "/no-head"): 1, ("GET", "/no-head"): 1}


def test_working_results_are_cached_with_their_date(tmp_path, server):
    base, handler = server
    root, out = _report(tmp_path, base, ["/ok", "/gone"]), tmp_path / "out"
    _linkcheck(root, out)
    _linkcheck(root, out)
    assert handler.asked[("HEAD", "/ok")] == 1  # the second run took it from the cache
    assert handler.asked[("HEAD", "/gone")] == 2  # failures are asked again
    rows = json.loads((out / "linkcheck.json").read_text())["links"]
    assert {row["url"]: row["outcome"] for row in rows} == {f"{base}/ok": "ok",
                                                             f"{base}/gone": "dead"}
    assert all(len(row["checked"]) == 10 for row in rows)  # an ISO date
    _linkcheck(root, out, "--refresh")
    assert handler.asked[("HEAD", "/ok")] == 2


def test_temporary_redirect_is_a_warning_and_strict_fails(tmp_path, server, capsys):
    base, _ = server
    root = _report(tmp_path, base, ["/found"])
    assert _linkcheck(root, tmp_path / "out") == 0
    assert "redirects (302) to" in capsys.readouterr().err
    assert _linkcheck(root, tmp_path / "out", "--strict") == 1


def test_requests_run_concurrently_within_the_bound(tmp_path, server):
    base, handler = server
    root = _report(tmp_path, base, [f"/pause?{n}" for n in range(6)])
    _linkcheck(root, tmp_path / "out", "--jobs", "3")
    assert handler.most_in_flight == 3


def test_links_in_sections_are_checked_at_their_line(tmp_path, server, capsys):
    base, _ = server
    root = write_report(tmp_path / "r", {"01.md": f"# 一\n\n本文\n\n[案内]({base}/gone)\n"},
                        references="")
    assert _linkcheck(root, tmp_path / "out") == 1
    assert f"{root}/01.md:5: error: dead link '{base}/gone'" in capsys.readouterr().err


def test_a_build_never_asks_the_network(tmp_path, server):
    base, handler = server
    root = _report(tmp_path, base, ["/ok"])
    assert main(["check", "--content", str(root), "--out", str(tmp_path / "out")]) == 0
    assert handler.asked == {}


def test_another_status_is_a_warning_that_names_it(tmp_path, server, capsys):
    base, _ = server
    root = _report(tmp_path, base, ["/ok", "/busy"])
    assert _linkcheck(root, tmp_path / "out") == 0  # a server's trouble is no dead link
    assert f"{root}/references.yaml:8: warning: '{base}/busy': the server answered HTTP 503 " \
        "[link-status]" in capsys.readouterr().err
