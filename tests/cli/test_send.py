"""`send`: each numbered copy mailed exactly once through a real SMTP server on
127.0.0.1 (aiosmtpd), read back as a mail client would, with the record kept."""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import io
import json
import socket
import sqlite3

import pytest
from aiosmtpd.controller import Controller
from helpers import write_report

from pipeline.cli import main

PEOPLE = ("recipients:\n  - {name: 総務課長, email: soumu@example.lg.jp}\n"
          "  - {name: 政策企画室, email: kikaku@example.lg.jp}\n  - 情報政策課\n")


class Office:
    """The office's server: takes mail, refuses (5xx) or defers (4xx) whom it is told."""

    def __init__(self):
        self.mails, self.refuse, self.defer = [], set(), {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such user"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.mails.append((envelope.rcpt_tos[0], envelope.content))
        return f"250 2.0.0 Ok: queued as Q{len(self.mails)}"


@pytest.fixture
def office(monkeypatch):
    """The SMTP server on 127.0.0.1 and a free port, started for the test, always stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Office()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(port)), ("TLS", "none"),
                        ("FROM", "dx-team@example.go.jp"), ("RETRY_SECONDS", "0")):
        monkeypatch.setenv(f"PIPELINE_SMTP_{name}", value)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def bundle(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である[@gamma]。\n"},
                        extra=PEOPLE + "summary: [要点である。]\nmarking: 取扱注意\n")
    out = tmp_path / "out"
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    return root, out


def _send(root, out, capsys, *options) -> tuple[int, str]:
    code = main(["send", "--content", str(root), "--out", str(out), *options])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def _read(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_each_recipient_gets_their_own_copy_once(bundle, office, capsys):
    root, out = bundle
    code, printed = _send(root, out, capsys)
    assert code == 0, printed
    assert [to for to, _ in office.mails] == ["soumu@example.lg.jp", "kikaku@example.lg.jp"]
    assert "情報政策課: no mail address" in printed
    first = _read(office.mails[0][1])
    assert first["Subject"] == "【送付】試験報告（第1.0版）" and first["To"].addresses[0].display_name == "総務課長"
    body = first.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("総務課長 様") and "・要点である。" in body and "取扱注意" in body
    attached, = list(first.iter_attachments())
    copy, = (out / "dist").glob("*/copies/*No01_総務課長.pdf")
    assert attached.get_filename() == copy.name
    assert attached.get_content() == copy.read_bytes()
    assert hashlib.sha256(copy.read_bytes()).hexdigest() in body
    assert b"=?utf-8?b?" in office.mails[0][1]  # RFC 2047, as Outlook reads Japanese headers
    again, printed = _send(root, out, capsys)
    assert again == 0 and len(office.mails) == 2 and printed.count("sent before") == 2


def test_the_record_names_whom_each_copy_went_to(bundle, office, capsys):
    root, out = bundle
    assert _send(root, out, capsys)[0] == 0
    state, = (p for p in (out / "dist" / ".state").iterdir() if p.is_dir())
    raw = (state / "配布記録.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["配布先", "メールアドレス", "番号"]
    assert [(r[0], r[1], r[2], r[6]) for r in rows[1:]] == [
        ("総務課長", "soumu@example.lg.jp", "1", "sent"),
        ("政策企画室", "kikaku@example.lg.jp", "2", "sent")]
    record = json.loads((state / "配布記録.json").read_text(encoding="utf-8"))
    assert record[0]["reply"].startswith("250 2.0.0 Ok: queued as Q1")
    assert record[0]["message_id"] == _read(office.mails[0][1])["Message-ID"]
    manifest = json.loads(next((out / "dist").glob("*/manifest.json")).read_text())
    assert record[0]["sha256"] == manifest["copies"][0]["sha256"]


def test_a_refused_address_is_recorded_and_the_others_go_on(bundle, office, capsys):
    root, out = bundle
    office.refuse.add("soumu@example.lg.jp")
    code, printed = _send(root, out, capsys)
    assert code == 1 and "failed: 550 5.1.1 no such user" in printed
    assert [to for to, _ in office.mails] == ["kikaku@example.lg.jp"]
    office.refuse.clear()
    assert _send(root, out, capsys)[0] == 0  # a rerun sends what was not sent
    assert [to for to, _ in office.mails] == ["kikaku@example.lg.jp", "soumu@example.lg.jp"]


def test_a_deferral_is_tried_again(bundle, office, capsys):
    root, out = bundle
    office.defer["soumu@example.lg.jp"] = 2  # twice 451, then taken
    assert _send(root, out, capsys)[0] == 0 and len(office.mails) == 2


def test_a_deferral_that_lasts_ends_the_run_to_be_tried_later(bundle, office, capsys):
    root, out = bundle
    office.defer["soumu@example.lg.jp"] = 99
    code, printed = _send(root, out, capsys)
    assert code == 75 and "not sent for now: 451" in printed and office.mails == []
    office.defer.clear()
    assert _send(root, out, capsys)[0] == 0 and len(office.mails) == 2


def test_a_run_stopped_inside_a_transaction_leaves_unknown_sent_only_when_asked(
        bundle, office, capsys):
    root, out = bundle
    assert _send(root, out, capsys, "--dry-run")[0] == 0
    bundle_name = next(p.name for p in (out / "dist").iterdir() if not p.name.startswith("."))
    ledger = out / "dist" / ".state" / "send.sqlite"
    assert _send(root, out, capsys)[0] == 0
    first_id = _read(office.mails[0][1])["Message-ID"]
    with sqlite3.connect(ledger) as db:  # the state a crash between the two writes leaves
        db.execute("UPDATE mails SET state = 'sending' WHERE bundle = ? AND number = 1",
                   (bundle_name,))
    code, printed = _send(root, out, capsys)
    assert code == 1 and "No.01 総務課長 <soumu@example.lg.jp>: unknown" in printed
    assert len(office.mails) == 2
    assert _send(root, out, capsys, "--resend-unknown")[0] == 0
    assert len(office.mails) == 3 and _read(office.mails[2][1])["Message-ID"] == first_id


@pytest.mark.parametrize("people, expected", [
    ("recipients:\n  - {name: 総務課長, email: soumu}\n", "is not one mail address"),
    ("recipients:\n  - {name: \"総務課長\\r\\nBcc: x@example.jp\", email: soumu@example.lg.jp}\n",
     "line break"),
    ("recipients:\n  - {name: 総務課長, email: soumu@example.lg.jp}\nmax_attachment_mib: 0.001\n",
     "max_attachment_mib"),
])
def test_a_wrong_mail_stops_the_run_before_anything_is_sent(tmp_path, office, capsys,
                                                            people, expected):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である[@gamma]。\n"},
                        extra=people)
    out = tmp_path / "out"
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    code, printed = _send(root, out, capsys)
    assert code == 1 and expected in printed and office.mails == []


def test_a_dry_run_writes_the_mails_and_sends_nothing(bundle, office, capsys):
    root, out = bundle
    code, printed = _send(root, out, capsys, "--dry-run")
    assert code == 0 and office.mails == [] and "would be sent" in printed
    emls = sorted((out / "dist" / ".outbox").glob("*/*.eml"))
    assert [p.name for p in emls] == ["01_総務課長.eml", "02_政策企画室.eml"]
    assert _read(emls[0].read_bytes())["To"].addresses[0].addr_spec == "soumu@example.lg.jp"
    assert not (out / "dist" / ".state" / "send.sqlite").exists()


def test_addresses_from_a_csv_as_offices_keep_them(bundle, office, capsys, tmp_path):
    root, out = bundle
    people = tmp_path / "people.csv"
    people.write_bytes("名前,メール\r\n総務課長,chief@example.lg.jp\r\n".encode("cp932"))
    assert _send(root, out, capsys, "--recipients", str(people))[0] == 0
    assert [to for to, _ in office.mails] == ["chief@example.lg.jp"]


def test_a_password_file_others_may_read_is_refused(bundle, office, capsys, tmp_path,
                                                    monkeypatch):
    root, out = bundle
    secret = tmp_path / "password"
    secret.write_text("hunter2\n", encoding="utf-8")
    secret.chmod(0o644)
    monkeypatch.setenv("PIPELINE_SMTP_USER", "dx-team")
    monkeypatch.setenv("PIPELINE_SMTP_PASSWORD_FILE", str(secret))
    code, printed = _send(root, out, capsys)
    assert code == 1 and "may be read by others" in printed and "hunter2" not in printed
    assert office.mails == []


def test_a_link_instead_of_an_attachment(tmp_path, office, capsys):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である[@gamma]。\n"},
                        extra="recipients:\n  - {name: 総務課長, email: soumu@example.lg.jp}\n"
                              "link_base: https://files.example.lg.jp/briefings\n")
    out = tmp_path / "out"
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    assert _send(root, out, capsys)[0] == 0
    mail = _read(office.mails[0][1])
    assert list(mail.iter_attachments()) == []
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "https://files.example.lg.jp/briefings/test-report-v1.0-20260401/copies/" in body


def test_starttls_with_a_verified_certificate(bundle, capsys, tmp_path, monkeypatch):
    """The default: STARTTLS, the server's certificate verified (here trusted through
    SSL_CERT_FILE, as an office's own CA would be)."""
    import ssl
    import subprocess
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Office()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True)
    controller.start()
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(port)), ("TLS", "starttls"),
                        ("FROM", "dx-team@example.go.jp"), ("RETRY_SECONDS", "0")):
        monkeypatch.setenv(f"PIPELINE_SMTP_{name}", value)
    try:
        root, out = bundle
        code, printed = _send(root, out, capsys)  # the certificate is not trusted yet
        assert code == 1 and "certificate is not trusted" in printed and not handler.mails
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))
        code, printed = _send(root, out, capsys)
        assert code == 0, printed
        assert len(handler.mails) == 2
    finally:
        controller.stop()


def test_the_next_editions_changes_name_who_holds_the_earlier_one(bundle, office, capsys):
    root, out = bundle
    assert _send(root, out, capsys)[0] == 0
    text = (root / "01.md").read_text(encoding="utf-8")
    (root / "01.md").write_text(text.replace("本文である", "改めた本文である"), encoding="utf-8")
    report = (root / "report.yaml").read_text(encoding="utf-8")
    (root / "report.yaml").write_text(report.replace('version: "1.0"', 'version: "1.1"'),
                                      encoding="utf-8")
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    changes, = (out / "dist").glob("*v1.1*/CHANGES.md")
    text = changes.read_text(encoding="utf-8")
    assert "## 前版の送付先" in text and "- No.01 総務課長（" in text and "- No.02 政策企画室（" in text
    assert "情報政策課" not in text.split("## 前版の送付先")[1]  # never mailed


@pytest.mark.parametrize("smtputf8", [True, False])
def test_an_address_that_is_not_ascii_goes_as_smtputf8_or_not_at_all(tmp_path, capsys,
                                                                     monkeypatch, smtputf8):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である[@gamma]。\n"},
                        extra="recipients:\n  - {name: 総務課長, email: 総務@例え.jp}\n")
    out = tmp_path / "out"
    assert main(["dist", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Office()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    controller.start()
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(port)), ("TLS", "none"),
                        ("FROM", "dx-team@example.go.jp"), ("RETRY_SECONDS", "0")):
        monkeypatch.setenv(f"PIPELINE_SMTP_{name}", value)
    try:
        code, printed = _send(root, out, capsys)
    finally:
        controller.stop()
    if smtputf8:  # RFC 6532: the address as written, the headers in UTF-8
        assert code == 0 and [to for to, _ in handler.mails] == ["総務@例え.jp"]
        assert "総務@例え.jp".encode() in handler.mails[0][1]
    else:
        assert code == 1 and "takes no SMTPUTF8" in printed and handler.mails == []
