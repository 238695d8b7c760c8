"""`preview`: a real server on a free port of 127.0.0.1, in a child process, over
a temporary copy of a report; always stopped."""

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from helpers import ROOT, cli_env, write_report

SECTION = "# 一\n\n最初の本文である[@alpha]。\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port, path="/", timeout=5.0):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture
def server(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": SECTION})
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "preview", "--content",
                                str(root), "--out", str(tmp_path / "o"), "--port", str(port)],
                               cwd=ROOT, env=cli_env(), stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: _get(port)[0] == 200, 30)
        time.sleep(0.5)  # the watcher settles (a save before it watches would be missed)
        yield root, port, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _wait(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out")


def _next_reload(port, timeout=5.0) -> float:
    """Returns the seconds until the event stream says reload."""
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/events", timeout=timeout) as stream:
        for line in stream:
            if line.startswith(b"event: reload"):
                return time.monotonic() - started
    raise AssertionError("no reload event")


def test_a_save_is_served_and_the_page_told_to_reload(server):
    root, port, _ = server
    import threading
    result = {}
    listener = threading.Thread(target=lambda: result.setdefault("t", _next_reload(port)))
    listener.start()
    time.sleep(0.3)
    (root / "01.md").write_text(SECTION.replace("最初の", "改めた"), encoding="utf-8")
    listener.join(5)
    assert "t" in result  # the reload came while the listener waited (5 s at most)
    _wait(lambda: "改めた本文".encode() in _get(port)[1], 2)


def test_a_broken_edit_shows_diagnostics_over_the_last_good_page(server):
    root, port, process = server
    (root / "01.md").write_text("# 一\n\n{{ nope }}\n", encoding="utf-8")
    _wait(lambda: b"role=\"alert\"" in _get(port)[1], 5)
    status, page = _get(port)
    assert status == 200 and "最初の本文".encode() in page and b"nope" in page
    assert process.poll() is None
    (root / "01.md").write_text(SECTION.replace("最初の", "直した"), encoding="utf-8")
    _wait(lambda: "直した本文".encode() in _get(port)[1], 5)
    assert b"role=\"alert\"" not in _get(port)[1]


def test_only_the_products_are_served(server):
    _, port, _ = server
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc%5cpasswd",
                 "/01.md", "/report.yaml", "/etc/passwd"):
        assert _get(port, path)[0] == 404
    _wait(lambda: _get(port, "/pdf")[0] == 200, 30)
    assert _get(port, "/pdf")[1].startswith(b"%PDF-")


def test_a_second_preview_on_the_port_exits_2_and_sigterm_stops_it(server, tmp_path):
    root, port, process = server
    second = subprocess.run([sys.executable, "-m", "pipeline", "preview", "--content",
                             str(root), "--port", str(port)], cwd=ROOT, env=cli_env(),
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 2 and "is another preview running" in second.stderr
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert not list(root.rglob("*.tmp"))


def _request(port, host_header: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host_header})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_requests_addressed_to_this_machine_are_answered(server):
    _, port, _ = server
    assert _request(port, f"127.0.0.1:{port}") == 200
    assert _request(port, f"localhost:{port}") == 200
    assert _request(port, "evil.example") == 421  # DNS rebinding: a page elsewhere
    assert _request(port, f"evil.example:{port}") == 421


def test_a_runaway_loop_is_stopped_and_shown_and_the_next_save_rebuilds(server):
    root, port, process = server
    (root / "01.md").write_text("# 一\n\n{% for i in range(10**9) %}{% endfor %}本文[@alpha]。\n",
                                encoding="utf-8")
    _wait(lambda: b'role="alert"' in _get(port)[1], 60)
    assert "最初の本文".encode() in _get(port)[1] and process.poll() is None
    (root / "01.md").write_text(SECTION.replace("最初の", "直した"), encoding="utf-8")
    _wait(lambda: "直した本文".encode() in _get(port)[1], 30)


def test_clients_that_leave_early_or_send_nothing_leave_no_trace(server):
    _, port, process = server
    for path in (b"/", b"/events", b"/pdf"):
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    with socket.create_connection(("127.0.0.1", port)) as idle:
        idle.settimeout(30)
        assert idle.recv(1) == b""  # closed by the server, its thread freed
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_any_failure_of_a_rebuild_is_a_banner_and_the_next_save_rebuilds(tmp_path, monkeypatch):
    import pipeline.preview as preview_module
    from pipeline.preview import Preview
    root = write_report(tmp_path / "r", {"01.md": SECTION})
    preview = Preview(root)
    preview.rebuild()
    good = preview.current_page()
    real = preview_module.web_page
    monkeypatch.setattr(preview_module, "web_page",
                        lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("描画の不具合")))
    preview.rebuild()
    page = preview.current_page().decode("utf-8")
    assert "[internal]" in page and "RuntimeError: 描画の不具合" in page and "最初の本文" in page
    monkeypatch.setattr(preview_module, "web_page", real)
    preview.rebuild()
    assert preview.current_page() == good


def test_a_report_over_rows_is_previewed_one_row_at_a_time():
    from pipeline.preview import Preview
    corpus = ROOT / "tests" / "corpus" / "municipalities"
    whole = Preview(corpus)
    whole.rebuild()
    assert "build them with `python -m pipeline batch`, or one with --row ID" in \
        whole.current_page().decode("utf-8")
    one = Preview(corpus, row="dx-131016")
    one.rebuild()
    assert "千代田区における行政手続のオンライン化" in one.current_page().decode("utf-8")
