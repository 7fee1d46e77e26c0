"""What every Chromium test shares: where Debian's Chromium is, the marks that skip the test only
outside CI when it is missing, and screenshots to look at (DOCGEN_SCREENSHOTS=folder)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian Chromium is not installed (apt-get install chromium)"),
]


def shot(page, name: str) -> None:
    folder = os.environ.get("DOCGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
