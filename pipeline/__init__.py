"""Japanese briefings from Markdown: one document tree, two writers (PDF and Word)."""

__version__ = "0.1.0"
