"""Japanese briefings from Markdown: one document tree, two writers (PDF and Word)."""

from importlib import metadata

try:
    __version__ = metadata.version("pipeline")  # written once, in pyproject.toml
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
