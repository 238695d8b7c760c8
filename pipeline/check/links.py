"""The report's URLs → link findings, by asking each server (online, optional).

`python -m pipeline linkcheck` never runs inside a build: a briefing must
build offline, and a server that is down today says nothing about the
content. Each URL is asked with HEAD, and with GET when HEAD is refused
(many servers answer HEAD with 403, 405 or even 404). Redirects are followed
by hand, so the report can name where a link now leads. Results that worked
are cached with the date of the check and reused for `max_age_days`;
failures are asked again on every run, since they are often passing.
The standard library's urllib does all of this; no client library is needed.
"""

from __future__ import annotations

import datetime
import http.client
import json
import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..diagnostics import Diagnostic
from ..http import ascii_url, no_redirect_opener
from ..rules import LINK_DEAD, LINK_REDIRECT, LINK_STATUS, LINK_TIMEOUT
from ..tree import Document, Link, walk

USER_AGENT = "pipeline-linkcheck/1 (+briefing reference check)"
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
DEAD = {404, 410}
MAX_REDIRECTS = 5
CACHE_FILE = "linkcheck.json"


@dataclass(frozen=True)
class LinkOptions:
    timeout: float = 10.0  # seconds per request
    jobs: int = 8  # requests in flight at once
    max_age_days: int = 7  # reuse a working result this long
    refresh: bool = False  # ask every server again


@dataclass(frozen=True)
class LinkSite:
    """A URL and where the report states it."""

    url: str
    path: Path
    line: int


@dataclass(frozen=True)
class LinkResult:
    """What the server said about one URL, on the day it was asked."""

    url: str
    outcome: str  # ok, redirect, dead, timeout or status
    status: int | None  # the last HTTP status; None when nothing answered
    redirect: int | None  # the first redirect's status, if any
    target: str  # where the redirects ended
    reason: str  # why it failed, in words
    checked: str  # ISO date of the check

    @property
    def works(self) -> bool:
        return self.outcome in ("ok", "redirect")


def check_links(urls: list[str], cache: dict[str, LinkResult], options: LinkOptions,
                today: datetime.date) -> dict[str, LinkResult]:
    """Returns a result for every URL: from the cache when fresh, else from its server."""
    results = {url: cache[url] for url in urls
               if url in cache and _fresh(cache[url], options, today)}
    asked = sorted(set(urls) - set(results))
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for result in pool.map(lambda u: fetch(u, options.timeout, today), asked):
            results[result.url] = result
    return results


def _fresh(result: LinkResult, options: LinkOptions, today: datetime.date) -> bool:
    age = today - datetime.date.fromisoformat(result.checked)
    return result.works and not options.refresh and age.days < options.max_age_days


def fetch(url: str, timeout: float, today: datetime.date) -> LinkResult:
    """Returns what url's server answers, following up to MAX_REDIRECTS redirects."""
    current, first_redirect = url, None
    for _ in range(MAX_REDIRECTS + 1):
        try:
            status, location = _ask(current, timeout)
        except (TimeoutError, socket.timeout):
            return _result(url, "timeout", None, first_redirect, current,
                           f"no answer within {timeout:g} s", today)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return _result(url, "dead", None, first_redirect, current,
                           f"cannot connect: {_reason(exc)}", today)
        if status in REDIRECTS and location:
            first_redirect = first_redirect or status
            current = urljoin(current, location)
            continue
        return _result(url, _outcome(status, first_redirect), status, first_redirect,
                       current, "" if status < 400 else f"HTTP {status}", today)
    return _result(url, "dead", None, first_redirect, current,
                   f"more than {MAX_REDIRECTS} redirects", today)


def _result(url, outcome, status, redirect, target, reason, today) -> LinkResult:
    return LinkResult(url, outcome, status, redirect, target if redirect else "", reason,
                      today.isoformat())


def _outcome(status: int, redirect: int | None) -> str:
    if status < 400:
        return "redirect" if redirect else "ok"
    return "dead" if status in DEAD else "status"


def _ask(url: str, timeout: float) -> tuple[int, str]:
    """Returns the status and Location header: HEAD first, GET when HEAD is refused."""
    status, location = _request(url, "HEAD", timeout)
    if status >= 400:
        status, location = _request(url, "GET", timeout)
    return status, location


_OPENER = no_redirect_opener()  # a 3xx comes back as an HTTPError, and we follow it


def _request(url: str, method: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(ascii_url(url), method=method,
                                     headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Location", "")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise exc.reason
        raise


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(getattr(reason, "strerror", None) or reason)


def link_sites(doc: Document) -> list[LinkSite]:
    """Returns every http(s) URL of the report: the references', then the sections' links."""
    sites = [LinkSite(entry.source.url, entry.pos.path, entry.pos.line)
             for entry in doc.references if _web_url(entry.source.url)]
    for section in doc.sections:
        pos = None
        for node in walk(section.blocks):
            pos = getattr(node, "pos", pos)  # the innermost block seen so far
            if _web(node):
                sites.append(LinkSite(node.url, pos.path, pos.line))
    return sites


def _web(node) -> bool:
    return isinstance(node, Link) and _web_url(node.url)


def _web_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def link_findings(sites: list[LinkSite], results: dict[str, LinkResult]) -> list[Diagnostic]:
    """Returns a finding at each place that states a link which is dead or moved."""
    findings = []
    for site in sites:
        finding = _finding(site, results[site.url])
        if finding:
            findings.append(finding)
    return findings


def _finding(site: LinkSite, result: LinkResult) -> Diagnostic | None:
    if result.outcome == "redirect":
        advice = "update the URL" if result.redirect in PERMANENT else "check that it still fits"
        return LINK_REDIRECT.at(site.path, site.line, f"'{site.url}' redirects "
                                f"({result.redirect}) to {result.target}: {advice}")
    where = f"'{site.url}'" + (f" (redirected to {result.target})" if result.target else "")
    if result.outcome == "dead":
        return LINK_DEAD.at(site.path, site.line, f"dead link {where}: {result.reason}")
    if result.outcome == "timeout":
        return LINK_TIMEOUT.at(site.path, site.line, f"{where}: {result.reason}")
    if result.outcome == "status":
        return LINK_STATUS.at(site.path, site.line,
                              f"{where}: the server answered {result.reason}")
    return None


def load_cache(path: Path) -> dict[str, LinkResult]:
    """Returns the cached results; an unreadable cache is simply ignored."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["links"]
        return {row["url"]: LinkResult(**row) for row in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def cache_json(results: dict[str, LinkResult]) -> bytes:
    """Returns the cache file: every result, sorted by URL, with the date it was checked."""
    rows = [asdict(results[url]) for url in sorted(results)]
    return (json.dumps({"links": rows}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
