"""A figure's `![caption](src)` → its checked image bytes, within the sandbox.

Both writers take the bytes from the tree and never open the file again, so
the rules here are the only way into a product: a file inside the report
directory (symlinks resolved), or an http(s) image when report.yaml says
`remote_images: true`; nothing else.

Every image is decoded whole here, once, so that neither writer meets a
corrupt or hostile image: WeasyPrint would skip it with a log line, and
python-docx would stop with a traceback. Pillow is already WeasyPrint's
dependency; it knows the formats far better than a hand-written sniffer.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .files import inside
from .remote import fetch_remote

MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
MAX_PIXELS = 40_000_000  # 8000 × 5000: a figure, not a decompression bomb


@dataclass(frozen=True)
class ImageRules:
    report_dir: Path
    remote_images: bool = False
    max_bytes: int = 20 * 2**20


def load_image(src: str, section_dir: Path, rules: ImageRules) -> tuple[str, CheckedImage]:
    """Returns where the image came from and the image; raises ValueError saying why not."""
    scheme = urlsplit(src).scheme.lower()
    if scheme in ("http", "https"):
        if not rules.remote_images:
            raise ValueError(f"remote image '{src}' is not fetched: save it in the report "
                             "directory, or set remote_images: true in report.yaml")
        return src, check_image(fetch_remote(src, rules.max_bytes))
    if scheme or src.startswith("/"):
        raise ValueError(f"'{src}' is outside the report directory: a figure must be a file "
                         "inside it, given by a relative path")
    path = section_dir / unquote(src)
    if not inside(path, [rules.report_dir]):
        raise ValueError(f"'{src}' is outside the report directory")
    if not path.is_file():
        raise ValueError(f"image file not found: {src}")
    if path.stat().st_size > rules.max_bytes:
        raise ValueError(f"image '{src}' is larger than {rules.max_bytes // 2**20} MiB")
    return str(path.resolve()), check_image(path.read_bytes())


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    media_type: str
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage:
    """Returns the image; raises ValueError saying what is wrong with it."""
    from PIL import Image  # imported here: a report without figures need not load it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in MEDIA_TYPES:
                    raise ValueError(f"unsupported image format {kind} (use PNG, JPEG or GIF)")
                if width * height > MAX_PIXELS:
                    raise ValueError(f"image of {width}×{height} pixels is too large")
                image.verify()  # the file's structure: chunks, checksums, the end marker
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # every pixel: truncated or corrupt data fails here
    except Image.UnidentifiedImageError:
        raise ValueError("not an image Pillow can read (use PNG, JPEG or GIF)") from None
    except (OSError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ValueError(f"corrupt or unreadable image ({exc})") from None
    return CheckedImage(data, MEDIA_TYPES[kind], width, height)
