"""The report's data/ directory → template variables, and tables for chart and
table blocks: one file, one source for the text, the tables and the charts.

data/NAME.yaml is the variable NAME as it is written (any shape); a .csv file
is its rows (tables.Rows), an .xlsx file {sheet: rows}. A block names its file (`data:
staff.csv`), which must lie inside data/: no `..`, no absolute path, no
symlink leading out.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import PipelineError
from ..rules import DATA
from .files import inside
from .tables import DataTable, as_rows, read_sheet_names, read_table
from .yamlfile import load_yaml

DATA_DIR = "data"
DATA_SUFFIXES = (".yaml", ".csv", ".xlsx")


def data_files(content_dir: Path) -> list[Path]:
    """Returns the report's data files, in the order they are read."""
    data_dir = content_dir / DATA_DIR
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.suffix in DATA_SUFFIXES and p.is_file())


class DataFiles:
    """The files of one report's data/, each read once."""

    def __init__(self, content_dir: Path):
        self.directory = content_dir / DATA_DIR
        self.tables: dict[tuple[Path, str], DataTable] = {}

    def variables(self) -> dict:
        """Returns {stem: content} for every data file, for the sections' Jinja."""
        variables, seen = {}, {}
        for path in data_files(self.directory.parent):
            name = path.stem
            if name == "report" or not name.isidentifier():
                raise PipelineError([DATA.at(path, None, f"data file name '{name}' cannot be "
                                             "a template variable: use letters, digits and "
                                             "'_'")])
            if name in seen:
                raise PipelineError([DATA.at(path, None, f"'{path.name}' and "
                                             f"'{seen[name].name}' would both be the "
                                             f"variable '{name}': rename one")])
            seen[name] = path
            variables[name] = self.variable(path)
        return variables

    def variable(self, path: Path):
        """Returns one file as the sections see it: YAML as written, a CSV as its rows,
        a workbook as {sheet: rows} (its empty sheets, a cover say, left out)."""
        try:
            if path.suffix == ".yaml":
                self.table_path(path.name)  # inside data/, as for a block
                return load_yaml(path)
            if path.suffix == ".xlsx":
                return {sheet: as_rows(self.table(path.name, sheet))
                        for sheet in read_sheet_names(self.table_path(path.name))}
            return as_rows(self.table(path.name))
        except ValueError as exc:
            raise PipelineError([DATA.at(path, None, str(exc))]) from None

    def table(self, name: str, sheet: str = "") -> DataTable:
        """Returns the table in data/NAME; raises ValueError saying why it cannot be
        used, or PipelineError at the data file's own line."""
        path = self.table_path(name)
        key = (path, sheet)
        if key not in self.tables:
            self.tables[key] = read_table(path, sheet)
        return self.tables[key]

    def table_path(self, name: str) -> Path:
        """Returns data/NAME when a block may read it; raises ValueError saying why not."""
        path = self.directory / name
        if Path(name).is_absolute() or ".." in Path(name).parts or not name:
            raise ValueError(f"data file '{name}' must be a file inside data/, named without "
                             "'..'")
        if not path.is_file():
            raise ValueError(f"data file not found: data/{name}")
        if not inside(path, [self.directory]):
            raise ValueError(f"data file 'data/{name}' leads outside data/")
        if path.suffix not in DATA_SUFFIXES:
            raise ValueError(f"data file 'data/{name}' is not .csv, .xlsx or .yaml")
        return path
