"""Write: the resolved document tree → the products' bytes.

html.py writes the body every HTML-based product shares, pdf.py renders it
with WeasyPrint, docx/ builds the Word file with python-docx. Writers take
the tree and a small options object, and never reopen a source.
"""

from pathlib import Path

# The page frame and the CSS: the top-level templates/ of the repository.
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
