"""The report's shape → diagnostics: no section file left out, no heading level skipped.

(A listed section that does not exist is reported by read/report.py, where
the list is read.)
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..read.report import Report
from ..rules import ORPHAN_SECTION, SKIPPED_HEADING
from ..tree import Heading, Section

# Files in a report directory that are not sections.
NOT_SECTIONS = {"README.md"}


def check_structure(report: Report, sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Returns the findings about which files make the report and how its headings nest."""
    return check_orphans(report) + check_heading_levels(sections)


def check_orphans(report: Report) -> list[Diagnostic]:
    """Returns a warning for each *.md beside report.yaml that sections do not list."""
    listed = {source.path.resolve() for source in report.sections}
    return [ORPHAN_SECTION.at(path, 1, f"'{path.name}' is not listed in {report.path.name}'s "
                              "sections: add it there, or move it out of the report directory")
            for path in sorted(report.directory.glob("*.md"))
            if path.resolve() not in listed and path.name not in NOT_SECTIONS]


def check_heading_levels(sections: tuple[Section, ...]) -> list[Diagnostic]:
    """Returns an error for each heading more than one level below the one before it.

    The first heading of the report counts as following level 0, so it must be
    `#`. A skipped level would print a number such as 1.0.1.
    """
    findings, previous = [], 0
    for section in sections:
        for heading in (b for b in section.blocks if isinstance(b, Heading)):
            if heading.level > previous + 1:
                findings.append(SKIPPED_HEADING.at(heading.pos.path, heading.pos.line,
                                                   _skip_message(heading.level, previous)))
            previous = heading.level
    return findings


def _skip_message(level: int, previous: int) -> str:
    if previous == 0:
        return f"the report's first heading is level {level}: start it with '#'"
    return (f"heading level {level} ('{'#' * level}') follows level {previous}: "
            f"use '{'#' * (previous + 1)}' or add the missing level")
