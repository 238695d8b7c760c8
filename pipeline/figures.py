"""A figure's `![caption](src)` → its checked image bytes, within the sandbox.

Both writers take the bytes from the tree and never open the file again, so
the rules here are the only way into a product: a file inside the report
directory (symlinks resolved), or an http(s) image when report.yaml says
`remote_images: true`; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .images import CheckedImage, check_image
from .sandbox import fetch_remote, inside


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
