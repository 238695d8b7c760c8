"""The two typefaces of every product: what the writers set, and what the check
reads to say which characters a chart's font lacks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    """One typeface: its fontconfig family (PDF), its Windows name (Word), its package."""

    family: str
    word_name: str
    debian_package: str


# Mincho for reading, Gothic for headings and navigation: the usual pairing in
# Japanese government documents. BIZ UD faces are designed for legibility and
# ship with Windows 10 and later, so the Word file keeps its look there.
BODY_FONT = Font("BIZ UDMincho", "BIZ UD明朝 Medium", "fonts-morisawa-bizud-mincho")
HEADING_FONT = Font("BIZ UDGothic", "BIZ UDゴシック", "fonts-morisawa-bizud-gothic")
