"""Products reach their path whole or not at all, and nothing half-written stays."""

from __future__ import annotations

from pathlib import Path

from ..atomic import TMP_SUFFIX, write_atomic  # noqa: F401 -- re-exported for ship/

STAGED_SUFFIX = ".staged"  # a product written, waiting for its pair (`all`)
CACHE_DIR = ".cache"  # drawings kept between builds (charts)


def remove_stale_temporaries(out_dir: Path) -> None:
    """Removes the temporary and staged files a killed build left in out_dir.

    Called under the output lock: no other build is writing there, so every
    such file belongs to a process that is gone.
    """
    for pattern in (f".*{TMP_SUFFIX}", f".*{STAGED_SUFFIX}", f"{CACHE_DIR}/*/.*{TMP_SUFFIX}"):
        for stale in out_dir.glob(pattern):
            if stale.is_file():
                stale.unlink(missing_ok=True)
