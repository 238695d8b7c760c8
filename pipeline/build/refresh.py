"""`refresh`: each data file that data/sources.yaml gives a publisher for, fetched again
when its `every` has passed (--force: all), checked against the report, and written
in place of the old one only when the report still builds with it.

The check is the build's own: the report is read, resolved and checked in a scratch
copy holding the new file, so every cell a sentence computes with, every column a
chart or table draws, must still be there and be a number. Otherwise the old file
stays and the diagnostic names the address and what is missing.

Outcomes, for the exit code: a file fetched and fitting, or unchanged (304, or the
same bytes), is fine; one that does not fit, or whose address is wrong, is the
report's problem (exit 1); a fetch that failed for now (the network, a timeout, a
5xx) is worth trying again (exit 75).
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_atomic
from ..diagnostics import Diagnostic, PipelineError
from ..read.data import DATA_DIR
from ..read.fetch import FetchFailed, fetch
from ..read.publishers import (LOCK_FILE, Fetch, Publisher, due, load_lock, load_publishers,
                               lock_text, next_fetch)
from ..rules import REFRESH
from . import load_document  # the check: the report read whole with the new file


@dataclass
class RefreshResult:
    updated: list[str] = field(default_factory=list)  # lines to print
    unchanged: list[str] = field(default_factory=list)
    not_due: list[str] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)  # the report's: exit 1
    temporary: list[Diagnostic] = field(default_factory=list)  # try again later: exit 75


def refresh(content_dir: Path, now: datetime.datetime, force: bool, max_bytes: int,
            timeout: float) -> RefreshResult:
    """Fetches what is due; returns what became of each file."""
    data_dir = content_dir / DATA_DIR
    publishers, mistakes = load_publishers(data_dir)
    result = RefreshResult(findings=mistakes)
    records = load_lock(data_dir)
    for name, publisher in publishers.items():
        last = records.get(name) if (data_dir / name).is_file() else None
        if not force and not due(last, publisher.every, now):
            result.not_due.append(f"data/{name}: not due until "
                                  f"{next_fetch(last.fetched, publisher.every):%Y-%m-%d}")
            continue
        record = _refresh_one(content_dir, name, publisher, last, now, max_bytes, timeout,
                              result)
        if record is not None:
            records[name] = record
            write_atomic(data_dir / LOCK_FILE, lock_text(records))
    return result


def _refresh_one(content_dir: Path, name: str, publisher: Publisher, last: Fetch | None,
                 now: datetime.datetime, max_bytes: int, timeout: float,
                 result: RefreshResult) -> Fetch | None:
    """Fetches one file and, when it fits, writes it; returns its new record or None."""
    data_dir = content_dir / DATA_DIR
    same_url = last is not None and last.url == publisher.url
    try:
        got = fetch(publisher.url, max_bytes, timeout, last.etag if same_url else "",
                    last.last_modified if same_url else "")
    except FetchFailed as exc:
        finding = REFRESH.at(data_dir / "sources.yaml", None,
                             f"{name}: {publisher.url}: {exc}; the old file stays")
        (result.temporary if exc.temporary else result.findings).append(finding)
        return None
    if got.body is None:
        result.unchanged.append(f"data/{name}: unchanged (HTTP 304 from {publisher.url})")
        return None
    digest = hashlib.sha256(got.body).hexdigest()
    if last is not None and digest == last.sha256 and (data_dir / name).is_file() \
            and hashlib.sha256((data_dir / name).read_bytes()).hexdigest() == digest:
        result.unchanged.append(f"data/{name}: unchanged (the same bytes from {publisher.url})")
        return None
    misfits = _misfits(content_dir, name, got.body)
    if misfits:
        result.findings += [REFRESH.at(data_dir / name, None, f"the new file from "
                                       f"{publisher.url} does not fit the report, and the "
                                       f"old one stays: {misfit}") for misfit in misfits]
        return None
    write_atomic(data_dir / name, got.body)
    validators = ", ".join(v for v in (got.etag and f"ETag {got.etag}", got.last_modified
                                       and f"Last-Modified {got.last_modified}") if v)
    result.updated.append(f"data/{name}: updated from {publisher.url}"
                          + (f" ({validators})" if validators else ""))
    return Fetch(publisher.url, now.astimezone(datetime.timezone.utc).replace(microsecond=0),
                 got.etag, got.last_modified, digest)


def _misfits(content_dir: Path, name: str, body: bytes) -> list[str]:
    """Returns what the report lacks when data/name is body: the errors of reading it
    in a scratch copy, their places named as the report's own files."""
    with tempfile.TemporaryDirectory(prefix="refresh-") as scratch:
        copy = Path(scratch) / "report"
        shutil.copytree(content_dir, copy, symlinks=True)
        (copy / DATA_DIR / name).write_bytes(body)
        try:
            load_document(copy)
        except PipelineError as exc:
            return [str(d).replace(str(copy), str(content_dir)) for d in exc.diagnostics
                    if d.is_error]
    return []
