"""Fixtures shared by every stage's tests; the helpers are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import FLAGSHIP, need_tool, run_cli


@pytest.fixture(scope="session")
def flagship_pdf(tmp_path_factory) -> Path:
    """Returns the flagship PDF, built once through the command line."""
    out = tmp_path_factory.mktemp("flagship")
    result = run_cli("pdf", "--content", str(FLAGSHIP), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "gov-dx-briefing.pdf"


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Returns headless Chromium (selenium), for the web edition; missing, a skip on a
    developer's machine and a failure under CI, which installs it."""
    chromium, driver = need_tool("chromium"), need_tool("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = chromium
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_script_timeout(120)
    yield session
    session.quit()
