"""The report's data/ directory → template variables, and tables for chart and
table blocks: one file, one source for the text, the tables and the charts.

data/NAME.yaml and data/NAME.json are the variable NAME as written (any
shape); a .csv file is its rows (rows.Rows), an .xlsx file {sheet: rows}. A
file is read when a section or a block first uses it, once: a file that
nothing uses never stops a build (what is wrong with it is a warning), and
every file that is used and cannot be read is reported in the same run. A
block names its file (`data: staff.csv`), which must lie inside data/: no
`..`, no absolute path, no symlink leading out. data/sources.yaml says how
a file is read (read/data_options.py) and is no variable.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, PipelineError
from ..limits import Limits
from ..rules import DATA, DATA_UNUSED
from .data_options import SOURCES_FILE, load_options
from ..tree import Provenance
from .publishers import LOCK_FILE, load_lock, load_publishers, provenance
from .files import inside
from .rows import as_rows
from .tables import DataTable, ReadOptions, load_json, read_sheet_names, read_table, records_table
from .yamlfile import LineDict, load_yaml

DATA_DIR = "data"
DATA_SUFFIXES = (".yaml", ".csv", ".xlsx", ".json")
_NOT_DATA = {".xls": "an Excel 97–2003 workbook: save it as .xlsx",
             ".yml": "name it .yaml", ".tsv": "save it as .csv",
             ".txt": "not a data file", ".md": "not a data file"}


def with_tables(value, path: Path, limits: Limits = Limits()):
    """Returns a YAML or JSON value as written, but for its lists of records, which
    become tables (rows.Rows): found by name, their numbers printed as a table's."""
    if isinstance(value, LineDict):
        return _line_dict(value, path, limits)
    if isinstance(value, dict):
        return {k: with_tables(v, path, limits) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        lines = [getattr(r, "line", 0) or n for n, r in enumerate(value, start=1)]
        table = records_table(path, value, lines, "line" if path.suffix == ".yaml" else "record",
                              limits)
        if table is not None:
            return as_rows(table)
    if isinstance(value, list):
        return [with_tables(v, path, limits) for v in value]
    return value


def _line_dict(value: LineDict, path: Path, limits: Limits) -> LineDict:
    out = LineDict({k: with_tables(v, path, limits) for k, v in value.items()})
    out.line, out.lines = value.line, value.lines
    return out


def data_files(content_dir: Path) -> list[Path]:
    """Returns the report's data files and data/sources.yaml, in the order they are read."""
    data_dir = content_dir / DATA_DIR
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.suffix in DATA_SUFFIXES and p.is_file())


class DataFiles:
    """The files of one report's data/, each read once, when first used."""

    def __init__(self, content_dir: Path, limits: Limits = Limits()):
        self.directory = content_dir / DATA_DIR
        self.limits = limits
        self.tables: dict[tuple[Path, str, str], DataTable] = {}
        self.failed: dict[Path, list[Diagnostic]] = {}  # read once; read_report drops repeats
        self.used: set[Path] = set()
        self.options, self.findings = load_options(self.directory)
        self._publishers = None  # data/sources.yaml's publishers, read when first asked

    def provenance(self, name: str) -> Provenance | None:
        """Returns where data/name comes from when data/sources.yaml names its publisher,
        with the day it was fetched (data/sources.lock); else None."""
        if self._publishers is None:
            self._publishers = (load_publishers(self.directory)[0], load_lock(self.directory))
        publishers, fetches = self._publishers
        publisher = publishers.get(name)
        return provenance(publisher, fetches.get(name)) if publisher is not None else None

    def variables(self, names=None) -> dict:
        """Returns {NAME: content} for the data files among names (all when None), for
        the sections' Jinja; raises PipelineError when one of them cannot be read."""
        paths = self._by_name()
        wanted = paths if names is None else [n for n in names if n in paths]
        variables, errors = {}, []
        for name in wanted:
            if len(paths[name]) > 1:
                errors.append(DATA.at(paths[name][1], None, f"'{paths[name][0].name}' and "
                                      f"'{paths[name][1].name}' are both the variable "
                                      f"'{name}': rename one"))
                continue
            try:
                variables[name] = self.variable(paths[name][0])
            except PipelineError as exc:
                errors += exc.diagnostics  # each failed file keeps its own findings
        if errors:
            raise PipelineError(errors)
        return variables

    def _by_name(self) -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for path in data_files(self.directory.parent):
            if path.name != SOURCES_FILE and path.stem.isidentifier() and path.stem != "report":
                found.setdefault(path.stem, []).append(path)
        return found

    def variable(self, path: Path):
        """Returns one file as the sections see it: YAML and JSON as written, a CSV as
        its rows, a workbook as {sheet: rows} (its empty sheets, a cover say, left out)."""
        self.used.add(path)
        if path in self.failed:
            raise PipelineError(self.failed[path])
        try:
            self.table_path(path.name)  # inside data/, as for a block
            if path.suffix in (".yaml", ".json"):
                raw = load_yaml(path) if path.suffix == ".yaml" else load_json(path)
                return with_tables(raw, path, self.limits)
            if path.suffix == ".xlsx":
                return {sheet: as_rows(self.table(path.name, sheet))
                        for sheet in read_sheet_names(path)}
            return as_rows(self.table(path.name))
        except ValueError as exc:
            raise self._failure(path, [DATA.at(path, None, str(exc))]) from None
        except RecursionError:
            raise self._failure(path, [DATA.at(path, None, "nested too deep to be data")]) \
                from None
        except PipelineError as exc:
            raise self._failure(path, exc.diagnostics) from None

    def table(self, name: str, sheet: str = "", where: str | None = None) -> DataTable:
        """Returns the table in data/NAME (JSON: the records at `where`); raises
        ValueError saying why it cannot be used, or PipelineError at the data file's
        own line."""
        path = self.table_path(name)
        self.used.add(path)
        options = self.options.get(path.name, ReadOptions())
        if where is not None:
            options = ReadOptions(options.layout, options.missing, options.encoding, where)
        key = (path, sheet, options.path)
        if key not in self.tables:
            if path in self.failed:
                raise PipelineError(self.failed[path])
            try:
                self.tables[key] = read_table(path, sheet, options, self.limits)
            except PipelineError as exc:
                raise self._failure(path, exc.diagnostics) from None
        return self.tables[key]

    def whole_tables(self) -> tuple[DataTable, ...]:
        """Returns the tables read so far of whole files (a workbook's first sheet when
        none was named), with their own reading options: what the checks read again."""
        return tuple(table for (path, sheet, where), table in self.tables.items()
                     if not sheet and where == self.options.get(path.name, ReadOptions()).path)

    def _failure(self, path: Path, diagnostics: list[Diagnostic]) -> PipelineError:
        return PipelineError(self.failed.setdefault(path, list(diagnostics)))

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
        if path.suffix not in DATA_SUFFIXES or name == SOURCES_FILE:
            raise ValueError(f"data file 'data/{name}' is not .csv, .xlsx, .json or .yaml")
        return path

    def unused_findings(self) -> list[Diagnostic]:
        """Returns warnings for what nothing used: a data file that cannot be read, and
        a file in data/ that is no data file. Read only now, so it stops nothing."""
        findings = []
        for path in sorted(self.directory.iterdir()) if self.directory.is_dir() else []:
            if path.name.startswith(".") or path.name in (SOURCES_FILE, LOCK_FILE) \
                    or path in self.used:
                continue
            if path.is_file() and path.suffix not in DATA_SUFFIXES:
                why = _NOT_DATA.get(path.suffix.lower(), "not a data file")
                findings.append(DATA_UNUSED.at(path, None, f"data/{path.name} is not read "
                                               f"({why}; data files are .csv, .xlsx, .json "
                                               "or .yaml)"))
            elif path.is_file():
                findings += [DATA_UNUSED.at(d.path, d.line, f"{d.message} (nothing uses "
                                            "this file yet)", d.column)
                             for d in self._problems(path)]
        return findings

    def _problems(self, path: Path) -> list[Diagnostic]:
        try:
            self.variable(path)
        except PipelineError as exc:
            return exc.diagnostics
        return []
