"""The record of `send`: a SQLite ledger of every mail, keyed by bundle and copy, so
that each numbered copy goes out exactly once, and 配布記録.csv / .json, the record an
office keeps of whom it gave which copy.

A row is written 'sending' (committed) before the SMTP transaction and 'sent', with
the server's reply, after it. A run that died between the two leaves 'sending',
which the next run reads as 'unknown': the server may or may not have taken the
mail, so it is listed, and sent again (with the same Message-ID, which lets a
mail client drop a duplicate) only when asked.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .output import write_atomic

LEDGER = "send.sqlite"
RECORD = "配布記録"
SENDING, SENT, FAILED = "sending", "sent", "failed"
DEFERRED = "deferred"  # a 4xx: not taken, to be sent again
UNKNOWN = "unknown"  # 'sending' left by a run that stopped inside the transaction


@dataclass(frozen=True)
class Entry:
    bundle: str
    number: int
    recipient: str
    address: str
    sha256: str
    message_id: str
    state: str
    reply: str = ""
    sent_at: str = ""  # UTC, ISO 8601


class Ledger:
    """The ledger in <out>/dist/.state/send.sqlite (one `send` at a time: the lock)."""

    def __init__(self, path: Path):
        import sqlite3  # imported here: `send` alone keeps a ledger (bundle.py reads RECORD)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)  # each statement commits
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS mails (bundle TEXT, number INTEGER, "
                        "recipient TEXT, address TEXT, sha256 TEXT, message_id TEXT, "
                        "state TEXT, reply TEXT, sent_at TEXT, PRIMARY KEY (bundle, number))")

    def close(self) -> None:
        self.db.close()

    def state(self, bundle: str, number: int) -> str | None:
        """Returns a copy's state: sent, failed, unknown, or None (never tried)."""
        row = self.db.execute("SELECT state FROM mails WHERE bundle = ? AND number = ?",
                              (bundle, number)).fetchone()
        if row is None:
            return None
        return UNKNOWN if row[0] == SENDING else row[0]

    def sending(self, entry: Entry) -> None:
        self.db.execute("INSERT OR REPLACE INTO mails VALUES (?, ?, ?, ?, ?, ?, ?, '', '')",
                        (entry.bundle, entry.number, entry.recipient, entry.address,
                         entry.sha256, entry.message_id, SENDING))

    def finished(self, entry: Entry, state: str, reply: str, sent_at: str) -> None:
        self.db.execute("UPDATE mails SET state = ?, reply = ?, sent_at = ? WHERE bundle = ? "
                        "AND number = ?", (state, reply, sent_at, entry.bundle, entry.number))

    def entries(self, bundle: str) -> list[Entry]:
        rows = self.db.execute("SELECT * FROM mails WHERE bundle = ? ORDER BY number",
                               (bundle,)).fetchall()
        return [Entry(*row[:6], UNKNOWN if row[6] == SENDING else row[6], row[7] or "",
                      row[8] or "") for row in rows]


_COLUMNS = ("配布先", "メールアドレス", "番号", "SHA-256", "送信日時", "Message-ID", "状態",
            "サーバーの応答")


def write_record(directory: Path, entries: list[Entry]) -> list[Path]:
    """Writes 配布記録.csv (UTF-8 with a BOM, for Excel) and 配布記録.json; returns them."""
    rows = [(e.recipient, e.address, e.number, e.sha256, e.sent_at, e.message_id, e.state,
             e.reply) for e in entries]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([_COLUMNS, *rows])
    data = json.dumps([dict(zip(("recipient", "address", "number", "sha256", "sent_at",
                                 "message_id", "state", "reply"), row)) for row in rows],
                      ensure_ascii=False, indent=2) + "\n"
    paths = [directory / f"{RECORD}.csv", directory / f"{RECORD}.json"]
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(paths[0], ("\ufeff" + text.getvalue()).encode("utf-8"))
    write_atomic(paths[1], data.encode("utf-8"))
    return paths
