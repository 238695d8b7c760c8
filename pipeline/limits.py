"""Bounds a hostile or broken input cannot cross: file sizes, pages, and time.

They are the operator's settings (command-line options), not the report's:
a report must not be able to raise its own limits. guards.py holds a block
of work to them (signals, rlimits).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    max_file_mib: float = 5  # any text file of the report
    max_image_mib: float = 20  # any figure
    max_pages: int = 500  # the PDF
    seconds: float = 300  # the whole command: loading and rendering
    max_expanded_mib: float = 10  # a section after Jinja
    max_paragraph_chars: int = 20_000  # one paragraph, heading, caption or table cell
    max_data_columns: int = 1_000  # of one data table (e-Stat's widest are a few hundred)
    max_data_cells: int = 2_000_000  # rows times columns of one data table
    max_chart_points: int = 5_000  # points of one chart's series: 13 years of days

    @property
    def max_expanded_chars(self) -> int:
        return int(self.max_expanded_mib * MIB)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mib * MIB)

    @property
    def max_image_bytes(self) -> int:
        return int(self.max_image_mib * MIB)


EXPANSION_CPU_SECONDS = 5  # of CPU time for one section's Jinja: loops within loops
EXPANSION_MEMORY = 512 * MIB  # more address space one section's Jinja may take
# A batch's local worker is replaced after so many reports, or above so much resident
# memory (`batch --worker-reports`, `--worker-memory-mib`): what a library leaks stays
# bounded however long the batch.
REPORTS_PER_WORKER = 200
WORKER_MEMORY_MIB = 1536
