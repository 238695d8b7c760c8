"""A remote image → its bytes, fetched without redirects, only when report.yaml
says `remote_images: true`.
"""

from __future__ import annotations

from ..http import ascii_url, no_redirect_opener

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
