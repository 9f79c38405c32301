"""Debian's headless Chromium for the browser tests, started one way for every test file.

A fresh profile per start, console and network logs kept (the tests assert that a page
logs no error and asks no other host), downloads saved where a test can read them, and
generous limits against a hang (limits, not measurements).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Without the background-networking switches Chromium keeps calling hosts a closed network refuses.
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--disable-dev-shm-usage", "--window-size=1280,1000")


@contextmanager
def chromium(profile: Path, downloads: Path | None = None,
             limit: float = 60) -> Iterator[webdriver.Chrome]:
    """A driver on about:blank; quit on exit."""
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "run `make deps` (chromium, chromium-driver)"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (*ARGUMENTS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    if downloads is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(limit)
        driver.set_script_timeout(limit)
        driver.get("about:blank")
        yield driver
    finally:
        driver.quit()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def serious_violations(driver: webdriver.Chrome) -> list[dict[str, object]]:
    """axe-core's serious and critical violations on the page the driver shows (an axe error
    counts as critical, so a page where axe cannot run never passes)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, object]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));")
    return [v for v in violations if v["impact"] in ("serious", "critical")]
