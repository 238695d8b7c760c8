"""Read: a report directory → the un-numbered document tree and what it cites.

report.yaml, the reference list and data/ are read as typed data; each
section is expanded (Jinja) and converted (Markdown); figures are read and
checked once. Numbers and links come later, from resolve.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..rules import MISSING_SECTION
from ..tree import Figure, Reference, Section, walk
from .assets import ImageRules
from .convert import convert_sections
from .data import DataFiles, data_files
from .tables import DataTable
from .expand import ExpandedSection, expand_section, make_environment
from .files import check_file_sizes, text_files
from .references import load_references
from .report import Report, load_report


@dataclass(frozen=True)
class Source:
    """What reading gives the later stages: plain data, nothing open."""

    report: Report
    references: tuple[Reference, ...]
    sections: tuple[Section, ...]  # un-numbered
    inputs: tuple[Path, ...]  # every file read, for the content hash
    findings: tuple[Diagnostic, ...]
    complete: bool  # every listed section was read: what they cite is known
    tables: tuple[DataTable, ...] = ()  # the data files read whole, kept for the checks


def read_report(content_dir: Path, limits: Limits = Limits(), row: str | None = None,
                row_index: int | None = None) -> Source:
    """Returns everything the report in content_dir says, with the findings of reading it;
    of a report over rows (`each:`), the report whose id is `row` (load_report).

    Raises PipelineError when nothing can follow (report.yaml unreadable, say).
    """
    check_file_sizes(text_files(content_dir), limits)
    data = DataFiles(content_dir, limits)
    report, findings = load_report(content_dir, data, row, row_index)
    references, reference_findings = load_references(report.references)
    expanded, expand_findings = expand_sections(report, data, limits)
    images = ImageRules(report.directory, report.remote_images, limits.max_image_bytes)
    sections, convert_findings = convert_sections(expanded, images, data, limits)
    complete = len(sections) == len(report.sections) and not any(
        d.code == MISSING_SECTION.id for d in findings)
    findings += (reference_findings + data.findings + expand_findings + convert_findings
                 + data.unused_findings())
    findings = list(dict.fromkeys(findings))  # a data file's error, met by two blocks
    return Source(report, references, sections, _inputs(report, content_dir, sections),
                  tuple(findings), complete, data.whole_tables())


def expand_sections(report: Report, data: DataFiles, limits: Limits = Limits()) -> tuple[
        list[ExpandedSection], list[Diagnostic]]:
    """Returns each section with its Jinja expanded, and the errors of those that failed."""
    env = make_environment()
    expanded, findings = [], []

    own = {"report": report.meta, **({"row": report.row} if report.row is not None else {})}

    def variables(names: set[str]) -> dict:  # only the data files the section uses
        return {**data.variables(names - set(own)), **own}
    for source in report.sections:
        try:
            expanded.append(expand_section(source.path, variables, env, limits))
        except PipelineError as exc:
            findings += exc.diagnostics
    return expanded, findings


def _inputs(report: Report, content_dir: Path, sections) -> tuple[Path, ...]:
    """Returns every file the document was made from: what the content hash covers."""
    images = [Path(node.src) for s in sections for node in walk(s.blocks)
              if isinstance(node, Figure) and Path(node.src).is_absolute()]
    files = [report.path, report.references, *(s.path for s in report.sections),
             *data_files(content_dir), *images]
    return tuple(dict.fromkeys(p.resolve() for p in files))
