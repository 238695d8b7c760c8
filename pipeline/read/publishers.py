"""data/sources.yaml → where each data file comes from: its publisher's address, the
title and licence its 出典 line gives, and how often `refresh` fetches it again.

    staff.csv:
      url: https://www.example.go.jp/toukei/staff.csv   # https only
      publisher: 内閣人事局
      title: 国家公務員の数
      license: CC BY 4.0             # or 公共データ利用規約 (PDL1.0), or any text
      every: month                   # day | week | month | year
      encoding: shift_jis            # and the reading options (data_options.py)

The fetches themselves are recorded in data/sources.lock (when, ETag,
Last-Modified, SHA-256), which is committed beside the data.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic
from ..rules import DATA
from ..tree import Provenance
from .data_options import SOURCES_FILE
from .yamlfile import LineDict, load_yaml

PUBLISHER_KEYS = ("url", "publisher", "title", "license", "every")
EVERY = ("day", "week", "month", "year")
LOCK_FILE = "sources.lock"
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # a fetch's time, in UTC, as the lock and the manifest write it


@dataclass(frozen=True)
class Publisher:
    url: str
    publisher: str
    title: str
    license: str
    every: str


@dataclass(frozen=True)
class Fetch:
    """One file's last fetch, as data/sources.lock records it."""

    url: str
    fetched: datetime.datetime  # UTC
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""


def load_publishers(data_dir: Path) -> tuple[dict[str, Publisher], list[Diagnostic]]:
    """Returns {file name: where it comes from} for the entries of data/sources.yaml
    that name a url, and the mistakes in them, each at its line."""
    path = data_dir / SOURCES_FILE
    raw = load_yaml(path) if path.is_file() else None
    if not isinstance(raw, LineDict):
        return {}, []  # no file, or one data_options.py already reports
    found, mistakes = {}, []
    for name, entry in raw.items():
        if not isinstance(entry, LineDict) or not set(entry) & set(PUBLISHER_KEYS):
            continue  # reading options alone
        problem, line = _problem(entry)
        if problem:
            mistakes.append(DATA.at(path, line, f"{name}: {problem}"))
            continue
        found[str(name)] = Publisher(entry["url"], str(entry["publisher"]), str(entry["title"]),
                                     str(entry.get("license", "") or ""), entry["every"])
    return found, mistakes


def _problem(entry: LineDict) -> tuple[str, int]:
    for key in ("url", "publisher", "title", "every"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            return (f"'{key}' is required with a publisher's file (the keys: "
                    f"{', '.join(PUBLISHER_KEYS)})", entry.line_of(key) if key in entry
                    else entry.line)
    parts = urlsplit(entry["url"])
    if parts.scheme != "https" or not parts.hostname:
        return f"url '{entry['url']}' must be an https:// address", entry.line_of("url")
    if entry["every"] not in EVERY:
        return f"every: '{entry['every']}' must be one of {', '.join(EVERY)}", \
            entry.line_of("every")
    return "", 0


# The date a file was fetched, as a Japanese reader's calendar has it (JST).
JST = datetime.timezone(datetime.timedelta(hours=9), "JST")


def provenance(publisher: Publisher, fetch: Fetch | None) -> Provenance:
    """Returns the tree's record of where a file comes from; its fetch date is the day
    in Japan (a fetch at 20:00 UTC on 30 November is 1 December)."""
    day = fetch.fetched.astimezone(JST).date() if fetch is not None else None
    return Provenance(publisher.publisher, publisher.title, publisher.url, publisher.license,
                      day)


def due(last: Fetch | None, every: str, now: datetime.datetime) -> bool:
    """Says whether a file fetched at last is to be fetched again at now."""
    return last is None or now >= next_fetch(last.fetched, every)


def next_fetch(fetched: datetime.datetime, every: str) -> datetime.datetime:
    """Returns when a file fetched at `fetched` is due: a day, a week, the same day of
    the next month (its last day when shorter), or of the next year."""
    if every == "day":
        return fetched + datetime.timedelta(days=1)
    if every == "week":
        return fetched + datetime.timedelta(days=7)
    years, month = divmod(fetched.month - 1 + (1 if every == "month" else 12), 12)
    year, month = fetched.year + years, month + 1
    return fetched.replace(year=year, month=month,
                           day=min(fetched.day, calendar.monthrange(year, month)[1]))


def load_lock(data_dir: Path) -> dict[str, Fetch]:
    """Returns data/sources.lock's record of each file's last fetch."""
    path = data_dir / LOCK_FILE
    raw = load_yaml(path) if path.is_file() else None
    if not isinstance(raw, dict):
        return {}
    found = {}
    for name, entry in raw.items():
        try:
            fetched = datetime.datetime.fromisoformat(str(entry["fetched"]).replace("Z", "+00:00"))
            found[str(name)] = Fetch(str(entry["url"]), fetched, str(entry.get("etag") or ""),
                                     str(entry.get("last_modified") or ""),
                                     str(entry.get("sha256") or ""))
        except (KeyError, TypeError, ValueError):
            continue  # a record that cannot be read: the file is fetched again
    return found


def lock_text(records: dict[str, Fetch]) -> bytes:
    """Returns data/sources.lock for records: YAML, one entry per file, sorted."""
    import yaml
    data = {name: {"url": r.url, "fetched": r.fetched.strftime(STAMP),
                   "etag": r.etag, "last_modified": r.last_modified, "sha256": r.sha256}
            for name, r in sorted(records.items())}
    head = ("# What `python -m pipeline refresh` fetched: written by it, committed with the "
            "data.\n")
    return (head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).encode("utf-8")
