"""Check: the read report and its resolved tree → findings, every rule in turn.

Each rule module returns its list of diagnostics; nothing here prints or
stops. `check` never imports a writer's libraries (python-docx, WeasyPrint,
Pillow), so validating a report stays fast.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..read import Source
from ..tree import Citation, Document, walk
from .glyphs import glyph_findings
from .machine_readable import machine_readable_findings
from .references import check_references
from .safety import check_safety
from .structure import check_structure
from .traceability import check_traceability


def run_checks(source: Source, doc: Document) -> list[Diagnostic]:
    """Returns the findings of every rule about the report and its document."""
    # A section that could not be read cites nothing we know of: its entries
    # are not called uncited then.
    cited = cited_keys(doc) if source.complete else None
    return (check_references(source.references, doc.meta.date, cited)
            + check_structure(source.report, doc.sections)
            + check_traceability(doc.sections)
            + check_safety(doc.sections)
            + glyph_findings(doc.sections)
            + machine_readable_findings(source.report.directory, source.tables))


def cited_keys(doc: Document) -> set[str]:
    """Returns every reference key the sections cite."""
    return {key for section in doc.sections for node in walk(section.blocks)
            if isinstance(node, Citation) for key in node.keys}
