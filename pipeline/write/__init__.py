"""Write: the resolved document tree → the products' bytes.

html.py writes the body every HTML-based product shares, pdf.py renders it
with WeasyPrint, docx/ builds the Word file with python-docx. Writers take
the tree and a small options object, and never reopen a source.
"""

from pathlib import Path

from ..diagnostics import PipelineError
from ..rules import WRITER

# The page frame and the CSS: the top-level templates/ of the repository.
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
# What an archival PDF is (report.yaml's `archival`, the default): PDF/A-3u, tagged.
ARCHIVAL_VARIANT = "pdf/a-3u"


def cannot_render(node, writer: str) -> PipelineError:
    """Returns the error for a node a writer has no function for: reported at the
    node's line, never dropped in silence (Pandoc's BlockNotRendered)."""
    pos = getattr(node, "pos", None)
    return PipelineError([WRITER.at(pos.path if pos else "?", pos.line if pos else None,
                                    f"the {writer} writer cannot render {type(node).__name__}")])
