"""HTTP as the pipeline speaks it, for remote images and `linkcheck`: addresses in
ASCII (a punycode host, a percent-encoded path) and no redirect followed unasked,
since a redirect could lead anywhere. urllib is imported only when one is used.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


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
