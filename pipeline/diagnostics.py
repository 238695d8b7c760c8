"""Diagnostics are data: checks return them, only the CLI prints them."""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

ERROR = "error"
WARNING = "warning"
NOTE = "note"  # "please check": what no program can decide; never fails a run


@dataclass(frozen=True)
class Diagnostic:
    """One finding, printed GCC style: `path:line:col: severity: message [rule]`.

    `code` is the rule's id (rules.py declares each, with its severity);
    check.json carries it.
    """

    path: str
    line: int | None
    severity: str
    message: str
    column: int | None = None
    code: str = ""
    acknowledged: str = ""  # a warning the report acknowledged (report.yaml), and its reason

    def __str__(self) -> str:
        place = self.path
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        rule = f" [{self.code}]" if self.code else ""
        return f"{place}: {self.severity}: {self.message}{rule}"

    def as_json(self) -> dict:
        found = {"rule": self.code, "severity": self.severity, "path": self.path,
                 "line": self.line, "column": self.column, "message": self.message}
        return {**found, "acknowledged": self.acknowledged} if self.acknowledged else found

    @classmethod
    def from_json(cls, data: dict) -> Diagnostic:
        return cls(data["path"], data["line"], data["severity"], data["message"],
                   data["column"], data["rule"], data.get("acknowledged", ""))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class PipelineError(Exception):
    """The root of the pipeline's exceptions: a build stopped on these diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def raise_if_errors(diagnostics: list[Diagnostic]) -> None:
    """Raises PipelineError carrying all diagnostics when any of them is an error."""
    if any(d.is_error for d in diagnostics):
        raise PipelineError(diagnostics)


def make_strict(diagnostics) -> list[Diagnostic]:
    """Returns the diagnostics with every warning turned into an error (--strict);
    notes stay notes, and so do the warnings the report acknowledged."""
    return [replace(d, severity=ERROR) if d.severity == WARNING and not d.acknowledged else d
            for d in diagnostics]


def acknowledge(diagnostics, reasons: dict[str, str]) -> list[Diagnostic]:
    """Returns the diagnostics with each warning of a rule in reasons ({rule id: why})
    marked acknowledged: counted in one line, kept in check.json, never --strict's."""
    return [replace(d, acknowledged=reasons[d.code])
            if d.severity == WARNING and d.code in reasons else d for d in diagnostics]


def in_order(diagnostics) -> list[Diagnostic]:
    """Returns the diagnostics sorted by file and line, as a reader goes through them."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.column or 0))


def findings_json(diagnostics, content: str, strict: bool) -> bytes:
    """Returns check.json: every finding with its rule, for CI and scheduled runs."""
    errors = sum(d.is_error for d in diagnostics)
    notes = sum(d.severity == NOTE for d in diagnostics)
    acknowledged = sum(bool(d.acknowledged) for d in diagnostics)
    report = {"content": content, "strict": strict, "errors": errors,
              "warnings": len(diagnostics) - errors - notes - acknowledged,
              "acknowledged": acknowledged, "notes": notes,
              "findings": [d.as_json() for d in diagnostics]}
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def display_path(path: Path | str) -> str:
    """Returns the path relative to the working directory when it lies below it."""
    path = Path(path)
    try:
        return os.path.relpath(path) if path.is_absolute() and _below_cwd(path) else str(path)
    except ValueError:
        return str(path)


def _below_cwd(path: Path) -> bool:
    return Path.cwd() in path.parents


def did_you_mean(word: str, candidates) -> str:
    """Returns ` (did you mean 'x'?)` for the nearest candidate, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
