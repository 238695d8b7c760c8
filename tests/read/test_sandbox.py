"""Hostile input: no file of the machine reaches a product, no script reaches a
reader, remote images only when allowed, and bounds that stop a runaway build."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.diagnostics import PipelineError
from pipeline.write.pdf import PdfOptions, render_pdf

from helpers import ROOT, listing, write_report
from helpers import respond, tiny_png

SECRET = Path("/etc/passwd")


def _secret_bytes() -> bytes:
    return SECRET.read_bytes()[:32]


def _run(command, root, out, *options):
    return main([command, "--content", str(root), "--out", str(out), *options])


def _products_hold_no_secret(out: Path) -> None:
    for path in out.rglob("*"):
        if path.is_file():
            assert _secret_bytes() not in path.read_bytes(), path


@pytest.mark.parametrize("markdown, message", [
    ('<img src="/etc/passwd">', 'raw HTML is not allowed in a briefing: <img src="/etc/passwd">'),
    ("![図](/etc/passwd)", "'/etc/passwd' is outside the report directory"),
    ("![図](../../../../../../etc/passwd)", "is outside the report directory"),
    ("![図](file:///etc/passwd)", "'file:///etc/passwd' is outside the report directory"),
    ('<link rel="attachment" href="file:///etc/passwd">',
     "raw HTML is not allowed in a briefing: <link"),
    ("<style>body { background: url(/etc/passwd) }</style>",
     "raw HTML is not allowed in a briefing: <style>"),
])
@pytest.mark.parametrize("command", ["pdf", "docx"])
def test_a_report_reaching_for_etc_passwd_fails_at_its_line(tmp_path, capsys, markdown,
                                                            message, command):
    root = write_report(tmp_path / "r", {"01.md": f"# 一\n\n本文。\n\n{markdown}\n"})
    assert _run(command, root, tmp_path / "out") == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"{root}/01.md:5: error: ")
    assert message in errors[0]
    assert listing(tmp_path / "out") == ["check.json"]
    _products_hold_no_secret(tmp_path / "out")


def test_a_symlink_out_of_the_report_directory_is_refused(tmp_path, capsys):
    (tmp_path / "elsewhere.png").write_bytes(tiny_png())
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n![図](chart.png)\n"})
    (root / "chart.png").symlink_to(tmp_path / "elsewhere.png")
    assert _run("docx", root, tmp_path / "out") == 1
    assert "'chart.png' is outside the report directory" in capsys.readouterr().err


HOSTILE_HTML = """<!DOCTYPE html><html lang="ja"><head>
<link rel="attachment" href="file:///etc/passwd">
<style>@import url(file:///etc/passwd); p { background: url(/etc/passwd) }</style>
</head><body><p>本文</p><img src="file:///etc/passwd"><img src="https://example.jp/x.png">
</body></html>"""


def test_the_pdf_writer_fetches_nothing_outside_its_sandbox(tmp_path):
    options = PdfOptions(tmp_path, (tmp_path, ROOT / "templates"))
    with pytest.raises(PipelineError) as caught:
        render_pdf(HOSTILE_HTML, options)
    refused = {d.message.split()[3].rstrip(":") for d in caught.value.diagnostics}
    assert refused == {"file:///etc/passwd", "https://example.jp/x.png"}
    assert {d.code for d in caught.value.diagnostics} == {"sandbox"}


def test_the_pdf_writer_reads_files_inside_its_roots(tmp_path):
    (tmp_path / "chart.png").write_bytes(tiny_png())
    html = f'<html><body><p>図</p><img src="{(tmp_path / "chart.png").as_uri()}"></body></html>'
    data, pages = render_pdf(html, PdfOptions(tmp_path, (tmp_path,)))
    assert data.startswith(b"%PDF") and pages == 1


class _Images(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/chart.png":
            body, status, headers = tiny_png(), 200, {"Content-Type": "image/png"}
        else:
            body, status, headers = b"", 302, {"Location": "/chart.png"}
        respond(self, status, body, headers)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_remote_images_only_when_allowed_and_never_through_a_redirect(tmp_path, image_server,
                                                                      capsys):
    section = {"01.md": f"# 一\n\n![図]({image_server}/chart.png)\n"}
    denied = write_report(tmp_path / "denied", section)
    assert _run("docx", denied, tmp_path / "o1") == 1
    assert "set remote_images: true" in capsys.readouterr().err
    allowed = write_report(tmp_path / "allowed", section, extra="remote_images: true\n")
    assert _run("all", allowed, tmp_path / "o2") == 0
    assert listing(tmp_path / "o2") == ["check.json", "test-report.docx", "test-report.pdf"]
    moved = write_report(tmp_path / "moved", {"01.md": f"# 一\n\n![図]({image_server}/old)\n"},
                         extra="remote_images: true\n")
    assert _run("docx", moved, tmp_path / "o3") == 1
    assert "redirects are not followed" in capsys.readouterr().err


def test_file_size_limit(tmp_path, capsys):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + "あ" * 2000 + "\n"})
    assert _run("check", root, tmp_path / "out", "--max-file-mib", "0.005") == 1
    assert f"{root}/01.md: error: file of 0.0 MiB is over the 0.005 MiB limit" in \
        capsys.readouterr().err


def test_page_limit_writes_nothing(tmp_path, capsys):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + "本文。\n\n" * 200})
    assert _run("pdf", root, tmp_path / "out", "--max-pages", "2") == 1
    assert "over the limit of 2 (--max-pages)" in capsys.readouterr().err
    assert listing(tmp_path / "out") == ["check.json"]


def test_time_limit_stops_a_runaway_parse(tmp_path, capsys):
    # Python-Markdown takes quadratic time over a run of '[' (its issue #798).
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + "[" * 30000 + "\n"})
    assert _run("pdf", root, tmp_path / "out", "--time-limit", "1") == 1
    assert "stopped after 1 s (--time-limit)" in capsys.readouterr().err
    assert listing(tmp_path / "out") == []
