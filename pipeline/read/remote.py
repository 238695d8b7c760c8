"""A remote image → its bytes, fetched without redirects, only when report.yaml
says `remote_images: true`; and the HTTP helpers `linkcheck` shares.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

FETCH_TIMEOUT = 10.0  # seconds for a remote image


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
