"""Image bytes → a checked image: a PNG, JPEG or GIF that Pillow decodes whole.

A figure is checked once, when it is read, so that neither writer meets a
corrupt or hostile image: WeasyPrint would skip it with a log line, and
python-docx would stop with a traceback. Pillow is already WeasyPrint's
dependency; it knows the formats far better than a hand-written sniffer.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
MAX_PIXELS = 40_000_000  # 8000 × 5000: a figure, not a decompression bomb


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
