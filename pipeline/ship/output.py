"""Products reach their path whole or not at all, and nothing half-written stays."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TMP_SUFFIX = ".tmp"  # a file being written
STAGED_SUFFIX = ".staged"  # a product written, waiting for its pair (`all`)
CACHE_DIR = ".cache"  # drawings kept between builds (charts)


def write_atomic(path: Path, data: bytes) -> None:
    """Writes data to path through a temporary file in the same directory, then renames.

    An OSError names path (a full disk's write error names no file by itself).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def remove_stale_temporaries(out_dir: Path) -> None:
    """Removes the temporary and staged files a killed build left in out_dir.

    Called under the output lock: no other build is writing there, so every
    such file belongs to a process that is gone.
    """
    for pattern in (f".*{TMP_SUFFIX}", f".*{STAGED_SUFFIX}", f"{CACHE_DIR}/*/.*{TMP_SUFFIX}"):
        for stale in out_dir.glob(pattern):
            if stale.is_file():
                stale.unlink(missing_ok=True)
