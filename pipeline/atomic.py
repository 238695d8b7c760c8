"""A file reaches its path whole or not at all: written beside it, then renamed.

Shared by the stages that write files: the products (ship), and the compiled
declarations WeasyPrint is loaded with (write).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

TMP_SUFFIX = ".tmp"  # a file being written


def write_atomic(path: Path, data: bytes) -> None:
    """Writes data to path through a temporary file in the same directory, then renames.

    An OSError names path (a full disk's write error names no file by itself). The
    temporary is named before it is made, so that an interruption anywhere (SIGTERM
    landing between its creation and the handler) never leaves it behind.
    """
    tmp = path.parent / f".{path.name}.{os.getpid()}.{next(_NUMBERS)}{TMP_SUFFIX}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # not made, or its directory could not be
            tmp.unlink()
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


_NUMBERS = itertools.count()  # a process's temporaries apart, threads included
