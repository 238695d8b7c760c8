"""Warnings a report acknowledges in report.yaml (`acknowledge: {rule-id: reason}`), as
Sphinx's suppress_warnings does: counted in one line, kept in check.json with their
reason, never failed by --strict. Errors cannot be acknowledged (read/report.py refuses
them), and an acknowledgment that matches nothing is itself a warning."""

from __future__ import annotations

from ..diagnostics import Diagnostic, acknowledge
from ..read.report import Report
from ..rules import UNUSED_ACKNOWLEDGMENT


def acknowledged_findings(report: Report, findings: list[Diagnostic]) -> list[Diagnostic]:
    """Returns the findings with the report's acknowledged warnings marked, and a warning
    for each acknowledgment no finding matched."""
    marked = acknowledge(findings, {rule_id: reason for rule_id, reason, _ in report.acknowledge})
    used = {d.code for d in marked if d.acknowledged}
    return marked + [UNUSED_ACKNOWLEDGMENT.at(report.path, line, f"acknowledge: '{rule_id}' "
                                              "matches no warning of this build: remove it, "
                                              "or it will hide the next real one")
                     for rule_id, _, line in report.acknowledge if rule_id not in used]
