"""`preview`: the web edition served while the author writes, rebuilt on every save.

One warm process: the report is read and the page rendered again after a
save (watchfiles), the open page is told to reload by server-sent events,
and the PDF is rebuilt in the background by the same process, WeasyPrint
imported once. A broken edit does not stop the server or blank the page: the
diagnostics are shown over the last good version until the source is fixed.
Only three things are served, `/`, `/events` and `/pdf`; every other path,
`/../../etc/passwd` among them, is a 404, since no file is ever served by
name. The server listens on 127.0.0.1 unless told otherwise, and answers
only requests addressed to it by that name (a page elsewhere cannot reach it
through DNS rebinding).

Every rebuild runs on the main thread, where the time and CPU limits (which
are signals) hold: a runaway loop in a section ends with a diagnostic. Any
failure, a bug of ours included, is a banner on the page, and the next save
rebuilds.
"""

from __future__ import annotations

import html
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import ChartCache, draft_pdf, load_document, web_page
from .diagnostics import Diagnostic, PipelineError, display_path
from .guards import time_limit
from .limits import Limits
from .rules import INTERNAL
from .write import TEMPLATES

RELOAD = ("<script>new EventSource('/events').addEventListener('reload',"
          " function () { location.reload(); });</script>")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream
IDLE_SECONDS = 10.0  # a connection that sends no request in this time is closed


class Preview:
    """The current page and PDF of one report, rebuilt when its files change."""

    def __init__(self, content: Path, limits: Limits = Limits(), row: str | None = None):
        self.content, self.limits, self.row = content, limits, row  # row: of `each:`
        self.page = b""  # the last good page
        self.pdf = b""
        self.errors: list[Diagnostic] = []
        self.document = None  # the last good tree, which the PDF is made from
        self.generation = 0
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.pdf_wanted = threading.Event()
        self.saved = threading.Event()  # a file changed: the main thread rebuilds
        self.charts = ChartCache(None, memory={})  # drawn once while the data is the same

    def rebuild(self) -> None:
        """Reads the report and renders the page, within the time limit; on any failure
        keeps the last good page and shows why."""
        try:
            with time_limit(self.limits.seconds, display_path(self.content)):
                doc, _ = load_document(self.content, limits=self.limits, row=self.row)
                page = web_page(doc, self.charts, head_extra=RELOAD)
            errors = []
        except PipelineError as exc:
            page, errors, doc = self.page, list(exc.diagnostics), None
        except Exception as exc:  # a bug of ours: shown, and the next save tries again
            page, doc = self.page, None
            errors = [INTERNAL.at(self.content, None, f"{type(exc).__name__}: {exc}")]
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
            except Exception:  # noqa: BLE001 - the page shows the build's errors; the PDF waits
                continue

    def watch(self) -> None:
        """Notes each save for the main thread (it runs in its own thread)."""
        from watchfiles import watch  # imported here: only the preview watches files
        for _ in watch(self.content, TEMPLATES, stop_event=self.stopping, debounce=50,
                       step=20, rust_timeout=500):
            self.saved.set()

    def rebuild_on_saves(self) -> None:
        """Rebuilds after each save, here on the main thread, until stopped."""
        while not self.stopping.is_set():
            if self.saved.wait(0.2):
                self.saved.clear()
                self.rebuild()


def make_handler(preview: Preview, hosts: frozenset[str]):
    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS  # a connection that sends nothing is closed, its thread freed

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if _host_name(self.headers.get("Host", "")) not in hosts:
                self.send(b"unknown host\n", "text/plain; charset=utf-8",
                          HTTPStatus.MISDIRECTED_REQUEST)
            elif self.path in ("/", "/index.html"):
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

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass  # the client left early, or sent nothing: nothing to tell the author

        def log_message(self, format, *args) -> None:
            pass  # the author's terminal shows diagnostics, not a request log

    return Handler


def _host_name(header: str) -> str:
    """Returns the host a request was addressed to, without its port: [::1]:8000 → ::1."""
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def serve(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """Returns the server, bound (raises OSError when the port is taken)."""
    hosts = frozenset({"127.0.0.1", "localhost", host})
    server = ThreadingHTTPServer((host, port), make_handler(preview, hosts))
    server.daemon_threads = True
    return server


def serve_until_stopped(preview: Preview, server: ThreadingHTTPServer) -> None:
    """Builds once, then serves and watches until preview.stopping is set; builds run
    here, on the main thread."""
    threading.Thread(target=preview.watch, daemon=True).start()  # first: no save is missed
    preview.rebuild()
    threading.Thread(target=preview.build_pdfs, daemon=True).start()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    try:
        preview.rebuild_on_saves()
    finally:
        with preview.changed:
            preview.changed.notify_all()
        server.shutdown()
        server.server_close()
        time.sleep(0.05)
