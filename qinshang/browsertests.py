"""What the Playwright test modules share: Debian's Chromium, its flags, the screenshot folder
and the viewports. A module calls `require_chromium()` at import; the `browser` fixture in the
root conftest launches one Chromium per module."""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are
# made from its own thread and are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flag Chromium keeps calling out of this closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 780}


def require_chromium():
    """Playwright's sync API, or skip the module; in CI a missing Chromium is a failure."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the Debian package
        if os.environ.get("CI"):  # CI must run these: .ci/run installs Chromium
            raise RuntimeError("Chromium is missing at /usr/bin/chromium; .ci/run installs it")
        pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
    return sync_api


def launch(playwright):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def click_and_wait_success(page, selector: str) -> None:
    """Click something that reports success, and wait for *that* report: an alert left on the
    page by an earlier action would otherwise satisfy the wait before the request finished."""
    page.evaluate("document.querySelectorAll('.alert.success').forEach(e => e.remove())")
    page.click(selector)
    page.wait_for_selector(".alert.success")
