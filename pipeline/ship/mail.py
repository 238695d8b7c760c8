"""Mails for `send`: a 送付状 with the recipient's numbered copy, composed as Outlook and
every other client read Japanese (UTF-8, headers in RFC 2047 words, file names in RFC
2231), and one SMTP session that sends them and tells a temporary failure from a
permanent one.

The server and the credentials come from the environment alone, never from the
report, the repository, a log or check.json:

    PIPELINE_SMTP_HOST, PIPELINE_SMTP_PORT, PIPELINE_SMTP_TLS (starttls, the default;
    tls; none, for a server on this machine only), PIPELINE_SMTP_USER,
    PIPELINE_SMTP_PASSWORD_FILE (readable by its owner alone), PIPELINE_SMTP_FROM
"""

from __future__ import annotations

import email.policy
import hashlib
import os
import re
import smtplib
import ssl
import stat
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

ENV = "PIPELINE_SMTP_"
TIMEOUT = 60.0
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+")
_LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


class SmtpSetupError(ValueError):
    """The environment does not say how to send: a diagnostic, before anything is sent."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: str  # starttls, tls or none
    user: str
    password: str
    sender: str  # the From address


def smtp_from_environment(environ=os.environ) -> Smtp:
    """Returns the server settings; raises SmtpSetupError naming what is wrong."""
    host = environ.get(f"{ENV}HOST", "")
    sender = environ.get(f"{ENV}FROM", "")
    if not host or not sender:
        raise SmtpSetupError(f"set {ENV}HOST and {ENV}FROM (and {ENV}PORT, {ENV}TLS, "
                             f"{ENV}USER, {ENV}PASSWORD_FILE as the server needs)")
    tls = environ.get(f"{ENV}TLS", "starttls")
    if tls not in ("starttls", "tls", "none"):
        raise SmtpSetupError(f"{ENV}TLS is '{tls}': starttls, tls or none")
    if tls == "none" and host not in _LOCAL_HOSTS:
        raise SmtpSetupError(f"{ENV}TLS=none only for a server on this machine, not '{host}'")
    problem = address_problem(sender)
    if problem:
        raise SmtpSetupError(f"{ENV}FROM: {problem}")
    try:
        port = int(environ.get(f"{ENV}PORT", "465" if tls == "tls" else "587"))
    except ValueError:
        raise SmtpSetupError(f"{ENV}PORT must be a number") from None
    user = environ.get(f"{ENV}USER", "")
    password = _password(environ.get(f"{ENV}PASSWORD_FILE", "")) if user else ""
    return Smtp(host, port, tls, user, password, sender)


def _password(path: str) -> str:
    """Returns the password in a file only its owner may read."""
    if not path:
        raise SmtpSetupError(f"{ENV}USER is set: name the password's file in "
                             f"{ENV}PASSWORD_FILE")
    try:
        info = os.stat(path)
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.getuid():
            raise SmtpSetupError(f"{ENV}PASSWORD_FILE {path} may be read by others: "
                                 f"chmod 600 it (its owner's alone)")
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SmtpSetupError(f"{ENV}PASSWORD_FILE {path}: {exc.strerror}") from None


def address_problem(address: str) -> str:
    """Returns what makes an address unfit for a header ('' when none): a line break
    (a header injection), no domain, or not one address."""
    if "\r" in address or "\n" in address:
        return "holds a line break"
    if not _ADDRESS.fullmatch(address):
        return f"'{address}' is not one mail address with a domain (name@example.lg.jp)"
    return ""


def _address(name: str, address: str) -> Address:
    """An Address from its parts: parsing addr_spec refuses a non-ASCII local part."""
    local, domain = address.rsplit("@", 1)
    return Address(name, username=local, domain=domain)


def message_id(bundle: str, number: int, address: str, sender: str) -> str:
    """Returns the Message-ID of a copy's mail: the same on every send of that copy."""
    digest = hashlib.sha256(f"{bundle}\0{number}\0{address}".encode("utf-8")).hexdigest()
    return f"<{digest[:32]}@{sender.rsplit('@', 1)[1]}>"


def compose(sender: str, sender_name: str, address: str, name: str, subject: str, body: str,
            attachments: list[tuple[str, bytes, str]], mid: str, date: str) -> EmailMessage:
    """Returns the mail: body as UTF-8 text, attachments (name, bytes, subtype)."""
    # Headers in RFC 2047 words; in UTF-8 (SMTPUTF8, RFC 6532) when an address is not
    # ASCII. Address objects, not formataddr, which would encode the address itself.
    utf8 = not (address.isascii() and sender.isascii())
    mail = EmailMessage(policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP)
    mail["From"] = _address(sender_name, sender)
    mail["To"] = _address(name, address)
    mail["Subject"] = subject
    mail["Date"] = date
    mail["Message-ID"] = mid
    mail.set_content(body, charset="utf-8")
    for filename, data, subtype in attachments:
        mail.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    return mail


class Temporary(Exception):
    """Worth trying again later: a 4xx, a refused connection, a timeout. maybe_sent: the
    connection broke after the mail's data went, so the server may have taken it."""

    def __init__(self, message: str, maybe_sent: bool = False):
        super().__init__(message)
        self.maybe_sent = maybe_sent


class Permanent(Exception):
    """This mail will not go: a 5xx for this recipient, or a bad address."""


class Session:
    """One SMTP connection for the run, opened when first needed and again after a
    temporary failure."""

    def __init__(self, smtp: Smtp):
        self.smtp, self.client = smtp, None

    def send(self, mail: EmailMessage, address: str) -> str:
        """Sends one mail; returns the server's reply to its data; raises Temporary or
        Permanent."""
        data_sent = False
        try:
            client = self.client or self._connect()
            utf8 = mail.policy.utf8  # compose chose it: an address that is not ASCII
            options = ["SMTPUTF8"] if utf8 else []
            if utf8 and not client.has_extn("smtputf8"):
                raise Permanent("the address is not ASCII and the server takes no SMTPUTF8")
            data = mail.as_bytes()
            _checked(client.mail(self.smtp.sender, options))
            _checked(client.rcpt(address))
            data_sent = True
            return _checked(client.data(data))
        except ssl.SSLCertVerificationError as exc:  # not for later: the setup is wrong
            self.close()
            raise Permanent(f"the server's certificate is not trusted "
                            f"({exc.verify_message})") from None
        except OSError as exc:  # refused, reset, timed out, disconnected (SMTPException too)
            self.close()
            raise Temporary(f"the server could not be reached: {exc}", data_sent) from None
        except (Temporary, Permanent):
            self._reset()
            raise

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.smtp.tls == "tls":
            client = smtplib.SMTP_SSL(self.smtp.host, self.smtp.port, timeout=TIMEOUT,
                                      context=context)
        else:
            client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=TIMEOUT)
            if self.smtp.tls == "starttls":
                client.starttls(context=context)
        client.ehlo_or_helo_if_needed()
        if self.smtp.user:
            try:
                client.login(self.smtp.user, self.smtp.password)
            except smtplib.SMTPAuthenticationError as exc:
                raise Permanent(f"the server refused the login: {exc.smtp_code}") from None
        self.client = client
        return client

    def _reset(self) -> None:
        try:
            if self.client is not None:
                self.client.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.client = None


def _checked(answer: tuple[int, bytes]) -> str:
    code, text = answer
    reply = f"{code} {text.decode('utf-8', 'replace')}"
    if 400 <= code < 500:
        raise Temporary(reply)
    if code >= 500:
        raise Permanent(reply)
    return reply
