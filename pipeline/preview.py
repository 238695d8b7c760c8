"""`preview`: the web edition served while the author writes, rebuilt on every save.

One warm process: the report is read and the page rendered again after a
save (watchfiles), the open page is told to reload by server-sent events,
and the PDF is rebuilt in the background by the same process, WeasyPrint
imported once. A broken edit does not stop the server or blank the page: the
diagnostics are shown over the last good version until the source is fixed.
Only three things are served, `/`, `/events` and `/pdf`; every other path,
`/../../etc/passwd` among them, is a 404, since no file is ever served by
name. The server listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import html
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import ChartCache, draft_pdf, load_document, web_page
from .diagnostics import Diagnostic, PipelineError
from .limits import Limits
from .write import TEMPLATES

RELOAD = ("<script>new EventSource('/events').addEventListener('reload',"
          " function () { location.reload(); });</script>")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream


class Preview:
    """The current page and PDF of one report, rebuilt when its files change."""

    def __init__(self, content: Path, limits: Limits = Limits()):
        self.content, self.limits = content, limits
        self.page = b""  # the last good page
        self.pdf = b""
        self.errors: list[Diagnostic] = []
        self.document = None  # the last good tree, which the PDF is made from
        self.generation = 0
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.pdf_wanted = threading.Event()
        self.charts = ChartCache(None, memory={})  # drawn once while the data is the same

    def rebuild(self) -> None:
        """Reads the report and renders the page; on an error keeps the last good one."""
        try:
            doc, _ = load_document(self.content, limits=self.limits)
            page = web_page(doc, self.charts, head_extra=RELOAD)
            errors = []
        except PipelineError as exc:
            page, errors, doc = self.page, list(exc.diagnostics), None
        with self.changed:
            self.page, self.errors, self.generation = page, errors, self.generation + 1
            self.document = doc
            self.changed.notify_all()
        if doc is not None:
            self.pdf_wanted.set()

    def current_page(self) -> bytes:
        with self.changed:
            page, errors = self.page, self.errors
        if not errors:
            return page
        banner = ('<div class="preview-errors" role="alert"><p>ソースに誤りがある。直すまで前回の版を'
                  "表示している。</p><pre>" + html.escape("\n".join(map(str, errors)))
                  + "</pre></div>")
        if not page:
            return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>preview'
                    f"</title>{RELOAD}</head><body>{banner}</body></html>").encode("utf-8")
        return page.replace(b'<a class="skip"', banner.encode("utf-8") + b'<a class="skip"', 1)

    def wait_for_change(self, generation: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation or self.stopping.is_set(),
                                  timeout)
            return self.generation

    def build_pdfs(self) -> None:
        """Renders the PDF after each good build, in this warm process."""
        while not self.stopping.is_set():
            if not self.pdf_wanted.wait(0.5):
                continue
            self.pdf_wanted.clear()
            try:
                self.pdf = draft_pdf(self.document, self.content, self.charts, self.limits)
            except PipelineError:
                continue

    def watch(self) -> None:
        from watchfiles import watch  # imported here: only the preview watches files
        for _ in watch(self.content, TEMPLATES, stop_event=self.stopping, debounce=50,
                       step=20, rust_timeout=500):
            self.rebuild()


def make_handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path in ("/", "/index.html"):
                self.send(preview.current_page(), "text/html; charset=utf-8")
            elif self.path == "/pdf" and preview.pdf:
                self.send(preview.pdf, "application/pdf")
            elif self.path == "/events":
                self.events()
            else:
                self.send(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

        def send(self, body: bytes, kind: str, status=HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = preview.generation
            try:
                while not preview.stopping.is_set():
                    now = preview.wait_for_change(seen, KEEPALIVE)
                    message = f"event: reload\ndata: {now}\n\n" if now != seen else ": idle\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
                    seen = now
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page went away

        def log_message(self, format, *args) -> None:
            pass  # the author's terminal shows diagnostics, not a request log

    return Handler


def serve(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """Returns the server, bound (raises OSError when the port is taken)."""
    server = ThreadingHTTPServer((host, port), make_handler(preview))
    server.daemon_threads = True
    return server


def serve_until_stopped(preview: Preview, server: ThreadingHTTPServer) -> None:
    """Builds once, then serves and watches until preview.stopping is set."""
    threading.Thread(target=preview.watch, daemon=True).start()  # first: no save is missed
    preview.rebuild()
    threading.Thread(target=preview.build_pdfs, daemon=True).start()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    try:
        while not preview.stopping.wait(0.2):
            pass
    finally:
        with preview.changed:
            preview.changed.notify_all()
        server.shutdown()
        server.server_close()
        time.sleep(0.05)
