"""Japanese briefings from Markdown: one document tree, two writers (PDF and Word)."""


def __getattr__(name: str):
    # The version is written once, in pyproject.toml, and read from the package's
    # metadata only when asked for: importlib.metadata costs 30 ms of every start.
    if name == "__version__":
        from importlib import metadata
        try:
            return metadata.version("pipeline")
        except metadata.PackageNotFoundError:  # a checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
