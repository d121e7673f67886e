"""What every user journey checks on the pages it passes through: screenshots at a laptop's
and a phone's width (kept as CI artefacts) and axe-core's accessibility rules.

axe-core comes from the npm package pinned in ``tests/e2e/package.json`` (installed with
``npm ci`` on first use, from the npm registry; never fetched by the page). A journey calls
``look(page, "consumer-complaint-filed")`` at each step a person would look at.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.conftest import service_missing

if TYPE_CHECKING:
    from playwright.sync_api import Page

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Kept by CI as artefacts (test-results/ is ignored by git).
SCREENSHOTS = HERE.parents[1] / "test-results" / "screenshots"
WIDTHS = {"1366": (1366, 900), "390": (390, 844)}
# "serious" and "critical" fail a journey; "minor" and "moderate" are reported only.
FAILING_IMPACTS = {"serious", "critical"}


@cache
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            service_missing("npm is not installed: the accessibility check needs axe-core")
        subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE.read_text("utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the app's CSP rightly refuses inline scripts.
        page.evaluate(axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, "
        "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return list(result["violations"])


def look(page: Page, step: str) -> None:
    """Screenshot ``step`` at 1366 px and 390 px and fail on a serious accessibility problem."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    try:
        for name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(SCREENSHOTS / f"{step}-{name}.png"), full_page=True)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{step} at {width} px: the page is {overflow} px too wide"
    finally:
        if original:
            page.set_viewport_size(original)
    serious = [v for v in axe_violations(page) if v.get("impact") in FAILING_IMPACTS]
    assert not serious, f"{step}: axe-core found serious problems:\n" + json.dumps(
        [
            {"rule": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in serious
        ],
        ensure_ascii=False,
        indent=1,
    )
