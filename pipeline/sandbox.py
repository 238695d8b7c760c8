"""What a report may bring into its products: its own files, links of safe kinds,
and, only when report.yaml allows it, remote images fetched without redirects.

Content comes from many authors and is rebuilt by unattended jobs: a figure
path such as ../../etc/passwd or a symlink out of the report directory must
not carry a file of the machine into a briefing, and a javascript: link must
not reach a reader.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

LINK_SCHEMES = {"http", "https", "mailto"}
FETCH_TIMEOUT = 10.0  # seconds for a remote image


def inside(path: Path, roots) -> bool:
    """Returns whether path, symlinks resolved, lies within one of roots."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(Path(root).resolve()) for root in roots)


def link_problem(url: str) -> str:
    """Returns why a link may not appear in a product, or '' when it may."""
    if url.startswith("#"):
        return ""  # a place in the briefing
    scheme = urlsplit(url).scheme.lower()
    if scheme in LINK_SCHEMES:
        return ""
    if scheme:
        return f"{scheme}: links are not allowed (use http, https or mailto)"
    return f"link '{url}' is not an address: write https://…, mailto:… or #anchor"


def fetch_remote(url: str, max_bytes: int) -> bytes:
    """Returns the body at url; raises ValueError when it redirects, fails or is too big."""
    import urllib.error  # imported here: only a report with remote images needs HTTP
    import urllib.request

    request = urllib.request.Request(ascii_url(url), headers={"User-Agent": "pipeline/1"})
    try:
        with no_redirect_opener().open(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            raise ValueError(f"it redirects (HTTP {exc.code}), and redirects are not "
                             "followed") from None
        raise ValueError(f"HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot fetch it: {getattr(exc, 'reason', exc)}") from None
    if len(data) > max_bytes:
        raise ValueError(f"it is larger than {max_bytes // 2**20} MiB")
    return data


def no_redirect_opener():
    """Returns a urllib opener that follows no redirect: a 3xx comes back as an
    HTTPError, since a redirect could lead anywhere."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(NoRedirect)


def ascii_url(url: str) -> str:
    """Returns url with a punycode host and a percent-encoded path, as HTTP needs."""
    parts = urlsplit(url)
    host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/%:@!$&'()*+,;=?~-._"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe),
                       quote(parts.query, safe=safe), ""))


# Raw HTML in a section is printed as written, never interpreted (both writers).
# Tags that would fetch, run or embed something are errors all the same, so
# that an author learns they did nothing; others are warnings.
_RAW_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")  # opening tags
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "link",
                  "style", "img", "svg", "math", "meta", "base", "form", "input", "video",
                  "audio", "source", "picture"}
_DANGEROUS_ATTRIBUTE = re.compile(r"\bon[a-z]+\s*=|javascript:|vbscript:|data:", re.I)


def raw_html_tags(text: str) -> list[tuple[str, bool]]:
    """Returns each HTML tag written in text, and whether it is a dangerous one."""
    return [(m.group(), m.group(1).lower() in DANGEROUS_TAGS
             or bool(_DANGEROUS_ATTRIBUTE.search(m.group(2) or "")))
            for m in _RAW_TAG.finditer(text)]
