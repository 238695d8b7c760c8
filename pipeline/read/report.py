"""report.yaml → Report: the typed, validated metadata of one briefing."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import WARNING, Diagnostic, PipelineError, did_you_mean, raise_if_errors
from ..rules import MISSING_FILE, MISSING_SECTION, REPORT_FIELD, RULES, UNKNOWN_FIELD
from ..tree import Metadata
from .data import DataFiles
from .each import RowReport, pick_row, render_fields, row_reports
from .rows import Row
from .yamlfile import LineDict, LineList, load_yaml, shown

REPORT_FILE = "report.yaml"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ID_RULE = "must be lower-case letters, digits, '.', '_' or '-' (it names the output files)"


@dataclass(frozen=True)
class SectionSource:
    """A section file named in report.yaml, with the line that names it."""

    path: Path
    line: int


@dataclass(frozen=True)
class Report:
    """Everything report.yaml says: the metadata the products print, and where
    the sources are (paths resolved against its directory)."""

    path: Path
    meta: Metadata
    sections: tuple[SectionSource, ...]
    references: Path
    remote_images: bool = False
    kind: str = "記録・公開資料等"  # of 公用文: what `lint` relaxes for 解説・広報等
    acknowledge: tuple[tuple[str, str, int], ...] = ()  # (rule id, reason, line of report.yaml)
    row: Row | None = None  # the row of `each:` this report is made for: `row` in Jinja
    each_row: tuple[str, int] | None = None  # that row's data file and index

    @property
    def directory(self) -> Path:
        return self.path.parent


# field name → (kind, required, what the README says it is)
FIELDS = {
    "id": ("text", True, "names the products: output/<id>.pdf"),
    "title": ("text", True, "the briefing's title"),
    "subtitle": ("text", False, "a line under the title"),
    "organisation": ("text", True, "the issuing ministry, agency or office"),
    "author": ("text", False, "the division or person responsible"),
    "date": ("date", True, "the report's date, ISO (2026-11-27)"),
    "version": ("text", True, "the edition, e.g. \"1.0\""),
    "marking": ("text", False, "a handling marking such as 取扱注意"),
    "summary": ("texts", False, "the 要旨 points"),
    "keywords": ("texts", False, "PDF and Word keywords"),
    "sections": ("texts", True, "the section files, in order"),
    "references": ("text", True, "the CSL YAML reference list"),
    "archival": ("bool", False, "false for a plain PDF instead of PDF/A-3u (default true)"),
    "recipients": ("recipients", False, "make dist writes a numbered PDF copy for each; "
                   "{name: …, email: …} also lets `send` mail it"),
    "attach": ("texts", False, "what `send` attaches to each mail: [pdf] (default) or "
               "[pdf, docx]"),
    "link_base": ("text", False, "an https address under which the bundles lie: `send` "
                  "links to the copy instead of attaching it"),
    "max_attachment_mib": ("number", False, "the most a mail's attachments may weigh "
                           "(default 10)"),
    "remote_images": ("bool", False, "true lets figures be http(s) images (default false)"),
    "kind": ("text", False, "告示・通知等, 記録・公開資料等 (default) or 解説・広報等"),
    "edition": ("text", False, "auto: when its data changed, `dist` makes the next edition "
                "(1.0 → 1.1, dated the day of the fetch); manual (default): raise version by "
                "hand"),
    "each": ("text", False, "a data file: one report per row of it, the row being `row` in "
             "the Jinja of the sections and of id, title, subtitle and recipients (`batch`)"),
    "acknowledge": ("reasons", False, "warnings acknowledged, by rule id, each with its "
                    "reason: counted, not listed, not failed by --strict"),
}
KINDS = ("告示・通知等", "記録・公開資料等", "解説・広報等")


def load_report(content_dir: Path, data: DataFiles | None = None, row: str | None = None,
                row_index: int | None = None) -> tuple[Report, list[Diagnostic]]:
    """Returns the report in content_dir and its findings (missing section files among them);
    of a report over rows (`each:`), the one whose id is `row` (row_index: where a batch
    found it, tried first).

    Raises PipelineError when the metadata itself is wrong, as nothing can follow.
    """
    path, raw, field_findings = _raw_report(content_dir)
    picked, index = None, 0
    if "each" in raw:
        picked, index = pick_row(path, raw, data or DataFiles(content_dir), row, row_index)
        raise_if_errors(render_fields(path, raw, picked))
    elif row is not None:
        raise PipelineError([REPORT_FIELD.at(path, raw.line, f"--row {row}: report.yaml has "
                                             "no each: field, so it makes one report")])
    findings = field_findings + _check_values(path, raw)
    acknowledged, wrong = _acknowledged(path, raw)
    findings += wrong
    raise_if_errors(findings)
    # A missing section is reported, and the others are still checked.
    sections, missing = _section_sources(path, raw)
    return Report(path=path, meta=_metadata(raw), sections=sections,
                  references=content_dir / raw["references"],
                  remote_images=raw.get("remote_images", False),
                  kind=raw.get("kind", KINDS[1]), acknowledge=acknowledged,
                  row=picked, each_row=(raw["each"], index) if picked is not None else None
                  ), findings + missing


def load_rows(content_dir: Path, data: DataFiles) -> tuple[str, list[RowReport]]:
    """Returns the data file `each:` names, and the report of each of its rows in order.

    Raises PipelineError when report.yaml is wrong, names no `each:` file, or a row
    makes no valid id: a batch cannot tell its reports apart without them all.
    """
    path, raw, _ = _raw_report(content_dir)
    if "each" not in raw:
        raise PipelineError([REPORT_FIELD.at(path, raw.line, "report.yaml has no each: field: "
                                             "a batch builds one report per row of the data "
                                             "file it names")])
    reports, findings = row_reports(path, raw, data)
    for report in reports:
        if not _ID_PATTERN.match(report.id):
            findings.append(REPORT_FIELD.at(path, raw.line_of("id"), f"the row at "
                                            f"{report.where} makes the id '{report.id}', "
                                            f"which {_ID_RULE}"))
    raise_if_errors(findings)
    return raw["each"], reports


def _raw_report(content_dir: Path) -> tuple[Path, LineDict, list[Diagnostic]]:
    """Returns report.yaml's path, its fields, each of the right type, and the warnings
    about them (an unknown field)."""
    path = content_dir / REPORT_FILE
    if not content_dir.is_dir():
        raise PipelineError([MISSING_FILE.at(content_dir, None, "content directory not found")])
    raw = load_yaml(path)
    if not isinstance(raw, LineDict):
        raise PipelineError([REPORT_FIELD.at(path, 1, "expected a mapping of report fields")])
    findings = _check_fields(path, raw)
    raise_if_errors(findings)
    return path, raw, findings


def _check_values(path: Path, raw: LineDict) -> list[Diagnostic]:
    """Returns what is wrong with the values of fields that have the right type."""
    findings = []
    if not (path.parent / raw["references"]).is_file():
        findings.append(MISSING_FILE.at(path, raw.line_of("references"),
                                        f"references file not found: {raw['references']}"))
    if not set(raw.get("attach", ("pdf",))) <= {"pdf", "docx"} or "pdf" not in raw.get(
            "attach", ("pdf",)):
        findings.append(REPORT_FIELD.at(path, raw.line_of("attach"), "attach must list pdf, "
                                        "and may add docx: [pdf, docx]"))
    if raw.get("link_base") and not str(raw["link_base"]).startswith("https://"):
        findings.append(REPORT_FIELD.at(path, raw.line_of("link_base"), "link_base must be an "
                                        "https:// address"))
    if raw.get("edition", "manual") not in ("auto", "manual"):
        findings.append(REPORT_FIELD.at(path, raw.line_of("edition"), f"edition "
                                        f"'{raw['edition']}' must be auto or manual"))
    if raw.get("kind", KINDS[1]) not in KINDS:
        findings.append(REPORT_FIELD.at(path, raw.line_of("kind"), f"kind '{raw['kind']}' must "
                                        f"be one of {', '.join(KINDS)}"))
    if not _ID_PATTERN.match(raw["id"]):
        findings.append(REPORT_FIELD.at(path, raw.line_of("id"), f"id '{raw['id']}' {_ID_RULE}"))
    return findings


def _acknowledged(path: Path, raw: LineDict) -> tuple[tuple[tuple[str, str, int], ...],
                                                       list[Diagnostic]]:
    """Returns acknowledge's (rule id, reason, line) and what is wrong with it: a rule
    that does not exist, or one whose findings are errors, which nothing acknowledges."""
    entries = raw.get("acknowledge") or {}
    found, wrong = [], []
    for rule_id, reason in entries.items():
        line = entries.line_of(rule_id) if isinstance(entries, LineDict) else raw.line
        rule = RULES.get(rule_id)
        if rule is None:
            wrong.append(REPORT_FIELD.at(path, line, f"acknowledge: no rule '{rule_id}'"
                                         + did_you_mean(str(rule_id), RULES)))
        elif rule.severity != WARNING:
            wrong.append(REPORT_FIELD.at(path, line, f"acknowledge: '{rule_id}' gives "
                                         f"{rule.severity}s, and only warnings can be "
                                         "acknowledged"))
        else:
            found.append((rule_id, reason.strip(), line))
    return tuple(found), wrong


def _metadata(raw: LineDict) -> Metadata:
    return Metadata(
        id=raw["id"], title=raw["title"], subtitle=raw.get("subtitle", ""),
        organisation=raw["organisation"], author=raw.get("author", ""), date=raw["date"],
        version=raw["version"], marking=raw.get("marking", ""),
        summary=tuple(raw.get("summary", ())), keywords=tuple(raw.get("keywords", ())),
        archival=raw.get("archival", True),
        recipients=tuple(r["name"] if isinstance(r, dict) else r
                         for r in raw.get("recipients", ())),
        addresses=tuple(r.get("email", "") if isinstance(r, dict) else ""
                        for r in raw.get("recipients", ())),
        edition=raw.get("edition", "manual"), attach=tuple(raw.get("attach", ("pdf",))),
        link_base=raw.get("link_base", ""),
        max_attachment_mib=float(raw.get("max_attachment_mib", 10.0)))


def _check_fields(path: Path, raw: LineDict) -> list[Diagnostic]:
    findings = []
    for key in raw:
        if key not in FIELDS:
            findings.append(UNKNOWN_FIELD.at(path, raw.line_of(key), f"unknown field '{key}'"
                                             + did_you_mean(str(key), FIELDS)))
    for name, (kind, required, _) in FIELDS.items():
        if name not in raw or raw[name] is None:
            if required:
                findings.append(REPORT_FIELD.at(path, raw.line,
                                                f"missing required field '{name}'"))
            raw.pop(name, None)
            continue
        problem = _coerce(raw, name, kind)
        if problem:
            findings.append(REPORT_FIELD.at(path, raw.line_of(name), f"field '{name}' {problem}"))
    return findings


def _coerce(raw: LineDict, name: str, kind: str) -> str:
    """Normalises raw[name] in place; returns what is wrong with it, or ''."""
    value = raw[name]
    if kind == "text":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raw[name] = str(value)  # version: 1.0 is read by YAML as a number
        elif not isinstance(value, str) or not value.strip():
            return "must be a non-empty text"
    elif kind == "date":
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            return f"must be an ISO date such as 2026-11-27, not {shown(value)}"
    elif kind == "bool":
        if not isinstance(value, bool):
            return f"must be true or false, not {shown(value)}"
    elif kind == "texts":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return "must be a list of texts"
    elif kind == "recipients":
        if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() or isinstance(v, dict)
                and isinstance(v.get("name"), str) and v["name"].strip()
                and isinstance(v.get("email", ""), str) and set(v) <= {"name", "email"}
                for v in value):
            return "must be a list of names, or of {name: …, email: …}"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return f"must be a number above 0, not {shown(value)}"
    elif kind == "reasons":
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip()
                                                  for v in value.values()):
            return "must map rule ids to their reasons: {missing-accessed: \"…why…\"}"
    return ""


def _section_sources(path: Path, raw: LineDict) -> tuple[tuple[SectionSource, ...],
                                                         list[Diagnostic]]:
    """Returns the listed section files that exist, and a finding for each that does not."""
    listed: LineList = raw["sections"]
    sources, findings = [], []
    for index, name in enumerate(listed):
        line = listed.line_of(index)
        source = path.parent / name
        if source.is_file():
            sources.append(SectionSource(source, line))
        else:
            findings.append(MISSING_SECTION.at(path, line, f"section file not found: {name}"))
    if not listed:
        findings.append(MISSING_SECTION.at(path, listed.line, "field 'sections' lists no section"))
    return tuple(sources), findings
