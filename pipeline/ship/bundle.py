"""Document → a distribution bundle, made once per change and never half-written.

    output/dist/<id>-v<version>-<YYYYMMDD>/
      <YYYYMMDD>_<title>_v<version>.pdf     PDF/A-3u (unless archival: false)
      <YYYYMMDD>_<title>_v<version>.docx
      copies/<…>_No01_<recipient>.pdf       one per recipient, numbered in the footer
      CHANGES.md                            what changed since the previous bundle
      manifest.json                         provenance, content hash, every file's sha256
      SHA256SUMS                            for `sha256sum -c`

The date in every name is the report's, never the day of the build. The
bundle is built in a temporary directory beside its final place and renamed
into it, so a failure leaves earlier bundles exactly as they were. Beside the
bundles, dist/.state/ keeps, per bundle, the content hashes known to make it
and a text snapshot for the next CHANGES.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import PipelineError
from ..limits import Limits
from ..read.data import DATA_DIR
from ..read.publishers import STAMP, load_lock, load_publishers
from ..rules import DIST_EXISTS, RECIPIENTS
from ..tree import Document, Metadata
from ..write import ARCHIVAL_VARIANT, TEMPLATES
from .changes import changes_markdown, snapshot
from .editions import data_cells
from .fingerprint import Fingerprint, file_sha256, fingerprint
from .ledger import RECORD
from .output import write_atomic

# Writes a bundle's products into the directory it is given; returns the files and
# the PDF's pages. The recipe (build/) gives it: ship only stages and records.
WriteProducts = Callable[[Path], tuple[list[Path], int]]

DIST = "dist"
STATE = ".state"
LATEST = ".latest"  # per report id: <id>.latest names its last bundle
# Characters Windows forbids in file names, replaced by their full-width forms,
# which keep a Japanese title readable.
_FULL_WIDTH = str.maketrans('\\/:*?"<>|', "＼／：＊？＂＜＞｜")
# File names are cut by their UTF-8 bytes, which Linux counts (255 at most), and
# stay within Windows' 260 characters for the whole path.
TITLE_BYTES = 120  # 40 characters of Japanese
RECIPIENT_BYTES = 60  # 20: the copy's footer and the manifest keep the whole name


@dataclass(frozen=True)
class DistOptions:
    content_dir: Path
    out_dir: Path
    recipients: tuple[str, ...] = ()
    replace: bool = False  # rebuild a bundle of the same edition that was not sent yet
    extra_inputs: tuple[Path, ...] = ()  # a --recipients file, which the hash must cover
    limits: Limits = Limits()
    # The sources' git commit and whether they differ from it, when known already (a
    # batch worker builds from a copy, which git knows nothing of).
    source: tuple[str | None, bool] | None = None


@dataclass(frozen=True)
class DistResult:
    path: Path
    made: bool  # False: up to date, nothing written
    changes: str  # CHANGES.md, or '' when there was no earlier bundle
    pages: int
    seconds: float


def bundle_name(meta: Metadata) -> str:
    """Returns the bundle directory's name: <id>-v<version>-<YYYYMMDD>."""
    return f"{meta.id}-v{safe_filename(meta.version)}-{meta.date:%Y%m%d}"


def dist_stem(meta: Metadata) -> str:
    """Returns the distributed files' name: <YYYYMMDD>_<title>_v<version>."""
    return f"{meta.date:%Y%m%d}_{_cut(safe_filename(meta.title), TITLE_BYTES)}_v" \
           f"{_cut(safe_filename(meta.version), 40)}"


def copy_name(stem: str, number: int, recipient: str) -> str:
    """Returns a numbered copy's file name, the recipient's name cut to fit; the number
    keeps copies apart, and the full name is in the copy's footer and the manifest."""
    return f"{stem}_No{number:02d}_{_cut(safe_filename(recipient), RECIPIENT_BYTES)}.pdf"


def _cut(text: str, limit: int) -> str:
    """Returns text's first characters that fit in limit bytes of UTF-8."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def safe_filename(text: str) -> str:
    """Returns text usable as a file name on Windows, macOS and Linux."""
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH)
    text = re.sub(r"\s+", "_", text.strip())
    # Controls, and format characters such as U+202E, which would show
    # 請求書\u202efdp.exe as 請求書exe.pdf in a file manager.
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    return text.rstrip(".") or "_"


def make_bundle(doc: Document, options: DistOptions,
                write_products: WriteProducts) -> DistResult:
    """Returns the bundle for doc, making it (its products written by write_products)
    unless its inputs are unchanged."""
    started = time.perf_counter()
    dist = options.out_dir / DIST
    name = bundle_name(doc.meta)
    target = dist / name
    fp = fingerprint(doc, TEMPLATES, options.extra_inputs)
    states = _States(dist / STATE)
    state = states.load(name)
    if target.is_dir() and fp.digest in state.get("hashes", []):
        return DistResult(target, False, "", _manifest_pages(target), 0.0)
    _remove_stale_temporaries(dist)
    # Named before it is made, so that a SIGTERM landing anywhere (even between the
    # mkdir and the try) leaves nothing: one build per output directory holds the lock.
    tmp = _mkdir(dist) / f".{name}.{os.getpid()}.tmp"
    try:
        tmp.mkdir()
        return _make(doc, options, fp, states, tmp, target, started, write_products)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already when it became the bundle


def _make(doc, options, fp, states, tmp, target, started, write_products) -> DistResult:
    name = target.name
    files, pages = write_products(tmp)
    if target.is_dir() and _same_products(target, files):
        states.add_hash(name, fp.digest)  # e.g. the pipeline changed, its output did not
        return DistResult(target, False, "", pages, 0.0)
    if target.is_dir() and not options.replace:
        raise PipelineError([DIST_EXISTS.at(doc.inputs[0], None, f"{target} exists with other "
                                            "content, and the version and date are the same: "
                                            "raise 'version' (a changed briefing is a new "
                                            "edition), or use --replace if that bundle was "
                                            "never sent")])
    previous = states.previous(name, doc.meta.id)
    current = {**snapshot(doc, name), "data": data_cells(options.content_dir, doc.each_row)}
    changes = changes_markdown(previous["snapshot"], current) if previous else ""
    if changes:  # who holds the edition this one replaces, from `send`'s record
        changes += received(states.directory / previous["snapshot"]["bundle"])
    if changes:
        files.append(_write(tmp, "CHANGES.md", changes.encode("utf-8")))
    manifest = _manifest(doc, options, fp, files, pages, previous)
    files.append(_write(tmp, "manifest.json", manifest))
    _write(tmp, "SHA256SUMS", _sha256sums(tmp, files))
    # Recorded before the bundle is renamed into place: a crash between the
    # two leaves a record naming a bundle that is not on disk, which
    # previous() passes over, never a bundle that no record names.
    states.save(name, {"hashes": [fp.digest], "snapshot": current,
                       "previous": previous["snapshot"]["bundle"] if previous else None})
    states.set_latest(name, doc.meta.id)
    move_into_place(tmp, target)
    return DistResult(target, True, changes, pages, time.perf_counter() - started)


def received(state_dir: Path) -> str:
    """Returns CHANGES.md's lines naming whom `send` gave the earlier edition, from its
    配布記録.json: they hold a copy this edition replaces."""
    try:
        record = json.loads((state_dir / f"{RECORD}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    sent = [r for r in record if r.get("state") == "sent"]
    if not sent:
        return ""
    lines = [f"- No.{r['number']:02d} {r['recipient']}（{r['sent_at'][:10]} 送信）" for r in sent]
    return "\n".join(["## 前版の送付先", "", "前版を受け取った次の方に、この版を送る。", "",
                      *lines, ""]) + "\n"


def latest_state(out_dir: Path, report_id: str) -> dict | None:
    """Returns the record of the report's last bundle on disk, or None."""
    return _States(out_dir / DIST / STATE).previous("", report_id)


def read_recipients(path: Path) -> tuple[str, ...]:
    """Returns the recipients' names listed in a file (read_addresses)."""
    return tuple(name for name, _ in read_addresses(path))


def read_addresses(path: Path) -> tuple[tuple[str, str], ...]:
    """Returns (name, mail address or '') for each recipient a file lists: one name a
    line ('#' starts a comment), or a CSV as offices keep lists in Excel (名前,メール,
    with or without that header; UTF-8 or Shift_JIS)."""
    import csv
    import io

    from ..read.tables import decode
    text = decode(path, path.read_bytes(), "")
    if "," not in text:
        lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
        found = tuple((line, "") for line in lines if line)
    else:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
        rows = [row for row in rows if row and row[0] and not row[0].startswith("#")]
        if rows and "@" not in "".join(rows[0][1:2]) and len(rows[0]) > 1 and any(
                word in rows[0][1].lower() for word in ("メール", "mail", "アドレス")):
            rows = rows[1:]  # the header: 名前,メール
        found = tuple((row[0], row[1] if len(row) > 1 else "") for row in rows)
    if not found:
        raise PipelineError([RECIPIENTS.at(path, None, "no recipient listed (one a line, or "
                                           "a CSV of 名前,メール)")])
    return found


def copy_label(recipient: str, number: int) -> str:
    """Returns the footer of a numbered copy."""
    return f"配布先: {recipient} / No. {number}"


def _write(directory: Path, name: str, data: bytes) -> Path:
    write_atomic(directory / name, data)
    return directory / name


def _same_products(target: Path, files: list[Path]) -> bool:
    """Returns whether the bundle in target holds exactly these product files."""
    try:
        listed = {f["name"]: f["sha256"] for f in _read_manifest(target)["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    root = files[0].parent
    products = {f.relative_to(root).as_posix(): file_sha256(f) for f in files}
    return products == {k: v for k, v in listed.items() if k != "CHANGES.md"}


def _manifest(doc: Document, options: DistOptions, fp: Fingerprint, files: list[Path],
              pages: int, previous: dict | None) -> bytes:
    meta, root = doc.meta, files[0].parent
    revision, modified = options.source or source_revision(options.content_dir)
    entries = [{"name": f.relative_to(root).as_posix(), "size": f.stat().st_size,
                "sha256": file_sha256(f)} for f in files]
    copies = [{"number": n, "recipient": r, **entries[n + 1]}  # after the PDF and the .docx
              for n, r in enumerate(options.recipients, start=1)]
    manifest = {
        "id": meta.id, "title": meta.title, "version": meta.version,
        "date": meta.date.isoformat(), "bundle": bundle_name(meta),
        "source_revision": revision, "source_modified": modified,
        "content_hash": fp.digest, "pages": pages,
        "pdf_variant": ARCHIVAL_VARIANT if meta.archival else None,
        "previous": previous["snapshot"]["bundle"] if previous else None,
        "files": entries, "copies": copies,
        "data_sources": data_sources(options.content_dir),
        "inputs": [{"name": label, "value": value} for label, value in fp.inputs],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def data_sources(content_dir: Path) -> list[dict]:
    """Returns where each data file with a publisher comes from, for the manifest: its
    address, publisher, title and licence (data/sources.yaml), and its last fetch
    (data/sources.lock)."""
    data_dir = content_dir / DATA_DIR
    publishers, _ = load_publishers(data_dir)
    fetches = load_lock(data_dir)
    out = []
    for name, publisher in sorted(publishers.items()):
        fetch = fetches.get(name)
        out.append({"file": f"data/{name}", "url": publisher.url,
                    "publisher": publisher.publisher, "title": publisher.title,
                    "license": publisher.license or None,
                    "fetched": fetch.fetched.strftime(STAMP) if fetch else None,
                    "sha256": fetch.sha256 if fetch else None})
    return out


def _sha256sums(root: Path, files: list[Path]) -> bytes:
    lines = [f"{file_sha256(f)}  {f.relative_to(root).as_posix()}\n" for f in files]
    return "".join(lines).encode("utf-8")


def source_revision(content_dir: Path) -> tuple[str | None, bool]:
    """Returns the git commit of the report's sources and whether they differ from it."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(content_dir), *args], capture_output=True,
                                  text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None
    revision = git("rev-parse", "HEAD")
    if revision is None:
        return None, False
    return revision, bool(git("status", "--porcelain", "--untracked-files=no", "--", "."))


def _manifest_pages(target: Path) -> int:
    try:
        return int(_read_manifest(target)["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _read_manifest(target: Path) -> dict:
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_temporaries(dist: Path) -> None:
    """Removes what a killed build left; the output lock says none is running."""
    for stale in dist.glob(".*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def move_into_place(tmp: Path, target: Path) -> None:
    """Renames the finished bundle into place, setting a replaced one aside first."""
    tmp.chmod(0o755)
    if not target.exists():
        tmp.rename(target)
        return
    old = target.with_name(f".{target.name}.replaced.tmp")
    target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


class _States:
    """dist/.state/: per bundle, its known content hashes and text snapshot; per
    report, its latest bundle (several reports may share one output directory)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def load(self, name: str) -> dict:
        try:
            return json.loads((self.directory / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def save(self, name: str, state: dict) -> None:
        data = json.dumps(state, ensure_ascii=False, indent=1) + "\n"
        write_atomic(self.directory / f"{name}.json", data.encode("utf-8"))

    def add_hash(self, name: str, digest: str) -> None:
        state = self.load(name)
        state["hashes"] = [*state.get("hashes", []), digest]
        self.save(name, state)

    def previous(self, name: str, report_id: str) -> dict | None:
        """Returns the state of the last bundle on disk made before name (the one it
        replaces aside); a record whose bundle never reached the disk is passed over."""
        try:
            latest = (self.directory / f"{report_id}{LATEST}").read_text("utf-8").strip()
        except OSError:
            return None
        seen = set()
        while latest and latest not in seen:
            seen.add(latest)
            state = self.load(latest)
            if latest != name and (self.directory.parent / latest).is_dir() \
                    and "snapshot" in state:
                return state
            latest = state.get("previous") or ""
        return None

    def set_latest(self, name: str, report_id: str) -> None:
        write_atomic(self.directory / f"{report_id}{LATEST}", f"{name}\n".encode("utf-8"))
