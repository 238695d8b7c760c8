"""Fixtures shared by every stage's tests; the helpers are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import FLAGSHIP, run_cli


@pytest.fixture(scope="session")
def flagship_pdf(tmp_path_factory) -> Path:
    """Returns the flagship PDF, built once through the command line."""
    out = tmp_path_factory.mktemp("flagship")
    result = run_cli("pdf", "--content", str(FLAGSHIP), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "gov-dx-briefing.pdf"
