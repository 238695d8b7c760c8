"""data/*.yaml → the template variables the sections' Jinja reads."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import PipelineError
from ..rules import DATA
from .yamlfile import load_yaml

DATA_DIR = "data"


def data_files(content_dir: Path) -> list[Path]:
    """Returns the report's data files, in the order they are read."""
    data_dir = content_dir / DATA_DIR
    return sorted(data_dir.glob("*.yaml")) if data_dir.is_dir() else []


def load_data(content_dir: Path) -> dict:
    """Returns {stem: content} for every data/*.yaml, for the sections' Jinja."""
    data = {}
    for path in data_files(content_dir):
        if path.stem == "report" or not path.stem.isidentifier():
            raise PipelineError([DATA.at(path, None, f"data file name '{path.stem}' cannot be a "
                                         "template variable: use letters, digits and '_'")])
        data[path.stem] = load_yaml(path)
    return data
