"""A publisher's data file → its bytes, over HTTPS as a scheduled job may fetch it:
conditional (an unchanged file costs one 304), bounded in size and time, redirects
followed only to https, and never to this machine's own network.

An address that is private, loopback, link-local, reserved or multicast is
refused, unless its host is named in PIPELINE_ALLOW_HOSTS (comma-separated; the
tests name 127.0.0.1): a sources.yaml that names one could otherwise read the
office's intranet into a published briefing. The connection goes to the address
that was checked, not to a second lookup. Certificates are verified against the
system's store (SSL_CERT_FILE, as OpenSSL reads it, names another).
"""

from __future__ import annotations

# Imported by `refresh` alone, so HTTP costs no other command anything.
import http.client
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..http import ascii_url

ALLOW_HOSTS = "PIPELINE_ALLOW_HOSTS"
MAX_REDIRECTS = 5
USER_AGENT = "pipeline-refresh/1"


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought: the body (None when the server says it has not changed
    since the ETag or date given), and its validators."""

    body: bytes | None
    etag: str
    last_modified: str


class FetchFailed(Exception):
    """A fetch that did not bring the file. temporary: worth trying again later (the
    network, a timeout, a 5xx); otherwise the address or the file is wrong."""

    def __init__(self, message: str, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


def fetch(url: str, max_bytes: int, timeout: float, etag: str = "",
          last_modified: str = "") -> Fetched:
    """Returns the file at url (https only), or Fetched with no body when it has not
    changed; raises FetchFailed."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(MAX_REDIRECTS + 1):
        status, response_headers, body = _get(url, headers, max_bytes, timeout)
        if status in (301, 302, 303, 307, 308):
            location = response_headers.get("location", "")
            target = urljoin(url, location)
            if not location or urlsplit(target).scheme != "https":
                raise FetchFailed(f"HTTP {status} redirects to '{location}': only https "
                                  "is followed", temporary=False)
            url = target
            continue
        if status == 304:
            return Fetched(None, etag, last_modified)
        if status == 200:
            return Fetched(body, response_headers.get("etag", ""),
                           response_headers.get("last-modified", ""))
        raise FetchFailed(f"HTTP {status}", temporary=status >= 500 or status in (408, 429))
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects", temporary=False)


def _get(url: str, headers: dict, max_bytes: int, timeout: float):
    """Returns (status, lower-cased headers, body or b'') of one GET, not following."""
    parts = urlsplit(ascii_url(url))
    if parts.scheme != "https" or not parts.hostname:
        raise FetchFailed("only https:// addresses are fetched", temporary=False)
    address = _checked_address(parts.hostname, parts.port or 443, timeout)
    connection = _PinnedHTTPS(parts.hostname, parts.port or 443, address, timeout=timeout,
                              context=ssl.create_default_context())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read(max_bytes + 1) if response.status == 200 else b""
    except ssl.SSLCertVerificationError as exc:
        raise FetchFailed(f"its certificate is not trusted ({exc.verify_message})",
                          temporary=False) from None
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
        raise FetchFailed(f"cannot fetch it: {exc or type(exc).__name__}",
                          temporary=True) from None
    finally:
        connection.close()
    if len(body) > max_bytes:
        raise FetchFailed(f"it is larger than {max_bytes / 2**20:g} MiB (--max-file-mib)",
                          temporary=False)
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _checked_address(host: str, port: int, timeout: float) -> str:
    """Returns the address to connect to for host; raises FetchFailed when it is one
    of this machine's or the office's own and the host is not allowed."""
    allowed = {h.strip().lower() for h in os.environ.get(ALLOW_HOSTS, "").split(",") if h}
    socket.setdefaulttimeout(timeout)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchFailed(f"cannot find the host '{host}': {exc}", temporary=True) from None
    finally:
        socket.setdefaulttimeout(None)
    address = found[0][4][0]
    ip = ipaddress.ip_address(address)
    if host.lower() not in allowed and (ip.is_private or ip.is_loopback or ip.is_link_local
                                        or ip.is_reserved or ip.is_multicast
                                        or ip.is_unspecified):
        raise FetchFailed(f"'{host}' is {address}, an address of this machine or its own "
                          f"network, which is not fetched unless {ALLOW_HOSTS} names it",
                          temporary=False)
    return address


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to the address that was checked, verified for the host's name."""

    def __init__(self, host: str, port: int, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
