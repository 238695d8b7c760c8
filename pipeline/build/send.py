"""`send`: each recipient's numbered copy of a bundle, mailed exactly once, and the
record kept (docs/send.md).

The bundle is the latest (or --bundle DIR); its manifest names the copies, and
report.yaml (or --recipients FILE) the addresses. Everything is checked before the
first mail goes: addresses with a domain and no line break, attachments within
max_attachment_mib. Then one SMTP session sends what the ledger does not hold as
sent; a permanent failure is recorded for its recipient while the others go on, a
temporary one is tried again with a pause, then ends the run to be tried later.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import jinja2

from ..diagnostics import Diagnostic, PipelineError
from ..read.report import load_report
from ..rules import RECIPIENTS, SEND
from ..ship.bundle import DIST, STATE, latest_state, read_addresses, safe_filename
from ..ship.ledger import (DEFERRED, FAILED, LEDGER, SENT, UNKNOWN, Entry, Ledger,
                           write_record)
from ..ship.mail import (Permanent, Session, SmtpSetupError, Temporary, address_problem,
                         compose, message_id, smtp_from_environment)
from ..write import TEMPLATES
from ..write.labels import edition, wareki

MAIL_TEMPLATE = "mail.txt.j2"
RETRIES = 3  # a temporary failure is tried again this many times, after 1, 2, 4 pauses
PAUSE = "PIPELINE_SMTP_RETRY_SECONDS"  # the first pause (default 2 s); the tests set 0
OUTBOX = ".outbox"


@dataclass(frozen=True)
class Delivery:
    """One mail to send: a copy, its recipient, what goes with it."""

    number: int
    name: str
    address: str
    copy: Path
    sha256: str
    attachments: tuple[tuple[str, bytes, str], ...]
    link: str
    mid: str


@dataclass
class SendResult:
    bundle: Path
    lines: list[str] = field(default_factory=list)  # the table printed
    findings: list[Diagnostic] = field(default_factory=list)
    failed: int = 0
    temporary: bool = False


def send_bundle(content_dir: Path, out_dir: Path, bundle: Path | None,
                recipients: Path | None, dry_run: bool, resend_unknown: bool,
                row: str | None = None) -> SendResult:
    """Sends (or, dry, writes as .eml) the bundle's mails; returns what happened. Of a
    report over rows, the bundle of the report whose id is `row` (`batch --dist` puts
    it under <out>/<id>/)."""
    report, _ = load_report(content_dir, row=row)
    meta = report.meta
    bundle = bundle or _latest(out_dir, meta.id)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    try:
        smtp = smtp_from_environment() if not dry_run else None
    except SmtpSetupError as exc:
        raise PipelineError([SEND.at(bundle, None, str(exc))]) from None
    sender = smtp.sender if smtp else os.environ.get("PIPELINE_SMTP_FROM", "sender@invalid.jp")
    deliveries, result = _deliveries(meta, manifest, bundle, recipients, sender)
    if any(f.is_error for f in result.findings):
        return result  # nothing is sent while any mail is wrong
    if dry_run:
        return _dry_run(deliveries, meta, manifest, sender, out_dir, result)
    ledger = Ledger(out_dir / DIST / STATE / LEDGER)
    try:
        _send(deliveries, meta, manifest, smtp, ledger, resend_unknown, result)
        write_record(out_dir / DIST / STATE / bundle.name, ledger.entries(bundle.name))
    finally:
        ledger.close()
    return result


def _latest(out_dir: Path, report_id: str) -> Path:
    state = latest_state(out_dir, report_id)
    if state is None:
        raise PipelineError([SEND.at(out_dir / DIST, None, "no bundle to send: make one "
                                     "with `make dist`, or name it with --bundle")])
    return out_dir / DIST / state["snapshot"]["bundle"]


def _deliveries(meta, manifest: dict, bundle: Path, recipients: Path | None,
                sender: str) -> tuple[list[Delivery], SendResult]:
    """Returns the mails to send, and a result holding what is wrong with any of them."""
    result = SendResult(bundle)
    pairs = read_addresses(recipients) if recipients else tuple(zip(meta.recipients,
                                                                    meta.addresses))
    addresses = {name: address for name, address in pairs}
    docx = next((f["name"] for f in manifest["files"] if f["name"].endswith(".docx")
                 and "/" not in f["name"]), None)
    limit = meta.max_attachment_mib * 2**20
    deliveries = []
    for copy in manifest["copies"]:
        number, name = copy["number"], copy["recipient"]
        address = addresses.get(name, "")
        if not address:
            result.lines.append(f"No.{number:02d} {name}: no mail address (the copy is not "
                                "mailed)")
            continue
        problem = address_problem(address) or ("the name holds a line break"
                                               if "\r" in name or "\n" in name else "")
        if problem:
            result.findings.append(RECIPIENTS.at(recipients or bundle / "manifest.json", None,
                                                 f"{name}: {problem}"))
            continue
        files = [(bundle / copy["name"], "pdf")] + ([(bundle / docx, "vnd.openxmlformats-"
                                                      "officedocument.wordprocessingml.document")]
                                                    if "docx" in meta.attach and docx else [])
        link = (f"{meta.link_base.rstrip('/')}/{quote(bundle.name)}/{quote(copy['name'])}"
                if meta.link_base else "")
        attachments = () if link else tuple((path.name, path.read_bytes(), subtype)
                                            for path, subtype in files)
        if sum(len(data) for _, data, _ in attachments) > limit:
            result.findings.append(SEND.at(bundle / copy["name"], None, f"{name}: the "
                                           f"attachments weigh more than max_attachment_mib "
                                           f"({meta.max_attachment_mib:g} MiB): send a link "
                                           "with link_base, or raise it"))
            continue
        deliveries.append(Delivery(number, name, address, bundle / copy["name"], copy["sha256"],
                                   attachments, link,
                                   message_id(bundle.name, number, address, sender)))
    return deliveries, result


def _mail(delivery: Delivery, meta, manifest: dict, sender: str, date: str):
    # Each attachment's SHA-256 as the bundle's manifest (and SHA256SUMS) gives it.
    hashes = {Path(f["name"]).name: f["sha256"] for f in manifest["files"]}
    files = [{"name": name, "sha256": hashes[name]} for name, _, _ in delivery.attachments]
    version = manifest["version"]
    body = _template().render(name=delivery.name, title=manifest["title"],
                              edition=edition(version), date=wareki(
                                  datetime.date.fromisoformat(manifest["date"])),
                              summary=meta.summary, marking=meta.marking, files=files,
                              link=delivery.link, copy=delivery.copy.name,
                              copy_sha256=delivery.sha256, number=delivery.number,
                              organisation=meta.organisation, author=meta.author)
    subject = f"【送付】{manifest['title']}（{edition(version)}）"
    sender_name = " ".join(p for p in (meta.organisation, meta.author) if p)
    return compose(sender, sender_name, delivery.address, delivery.name, subject, body,
                   list(delivery.attachments), delivery.mid, date)


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment.get_template(MAIL_TEMPLATE)


def _now() -> tuple[str, str]:
    """The Date header, and the time a mail went for the record: the wall clock, read
    for mail alone, never for a product."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return email.utils.format_datetime(now), now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dry_run(deliveries, meta, manifest, sender, out_dir: Path, result: SendResult):
    outbox = out_dir / DIST / OUTBOX / result.bundle.name
    outbox.mkdir(parents=True, exist_ok=True)
    date, _ = _now()
    for delivery in deliveries:
        name = f"{delivery.number:02d}_{safe_filename(delivery.name)}.eml"
        (outbox / name).write_bytes(_mail(delivery, meta, manifest, sender, date).as_bytes())
        result.lines.append(f"No.{delivery.number:02d} {delivery.name} <{delivery.address}>: "
                            f"would be sent ({outbox / name})")
    return result


def _send(deliveries, meta, manifest, smtp, ledger: Ledger, resend_unknown: bool,
          result: SendResult) -> None:
    session = Session(smtp)
    try:
        for delivery in deliveries:
            state = ledger.state(result.bundle.name, delivery.number)
            label = f"No.{delivery.number:02d} {delivery.name} <{delivery.address}>"
            if state == SENT:
                result.lines.append(f"{label}: sent before")
                continue
            if state == UNKNOWN and not resend_unknown:
                result.lines.append(f"{label}: unknown (a run stopped while sending it): "
                                    "check with the recipient, then --resend-unknown")
                result.failed += 1
                continue
            if not _send_one(session, delivery, meta, manifest, smtp.sender, ledger, result,
                             label):
                break  # a temporary failure that outlasted the retries: try later
    finally:
        session.close()


def _send_one(session, delivery, meta, manifest, sender, ledger, result, label) -> bool:
    """Sends one mail, retrying a temporary failure; returns False to stop the run."""
    entry = Entry(result.bundle.name, delivery.number, delivery.name, delivery.address,
                  delivery.sha256, delivery.mid, "")
    pause = float(os.environ.get(PAUSE, "2"))
    for attempt in range(RETRIES + 1):
        date, sent_at = _now()
        mail = _mail(delivery, meta, manifest, sender, date)
        ledger.sending(entry)  # committed before the transaction: a crash leaves 'unknown'
        try:
            reply = session.send(mail, delivery.address)
        except Permanent as exc:
            ledger.finished(entry, FAILED, str(exc), sent_at)
            result.lines.append(f"{label}: failed: {exc}")
            result.failed += 1
            return True
        except Temporary as exc:
            if exc.maybe_sent:  # left 'sending': the next run lists it as unknown
                result.lines.append(f"{label}: unknown: {exc}")
                result.temporary = True
                return False
            ledger.finished(entry, DEFERRED, str(exc), "")
            if attempt < RETRIES:
                time.sleep(pause * 2 ** attempt)
                continue
            result.lines.append(f"{label}: not sent for now: {exc}")
            result.temporary = True
            return False
        ledger.finished(entry, SENT, reply, sent_at)
        result.lines.append(f"{label}: sent ({reply})")
        return True
    return False
