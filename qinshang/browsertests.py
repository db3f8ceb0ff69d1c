"""What the Playwright test modules share: Debian's Chromium, its flags, the screenshot folder
and the viewports. A module calls `require_chromium()` at import; the `browser` fixture in the
root conftest launches one Chromium per module."""

import os
from pathlib import Path
from typing import Any

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


class Person:
    """One logged-in user in their own browser context (own cookies), as the browser tests of
    every app walk the product: log in with the personas' "pw-<username>" password, go to a
    path, photograph a page at 1366 and 375 px (asserting that nothing sticks out sideways on a
    phone), read the main text."""

    def __init__(
        self,
        browser: Any,
        base: str,
        username: str,
        password: str | None = None,
        viewport: dict[str, int] | None = None,
        *,
        timeout_ms: int = 15_000,
        accept_dialogs: bool = True,
        init_script: str | None = None,
    ):
        self.base = base
        self.ctx = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN")
        self.ctx.set_default_timeout(timeout_ms)
        if init_script:  # e.g. a listener every page of the context gets before its own scripts
            self.ctx.add_init_script(init_script)
        self.page = self.ctx.new_page()
        if accept_dialogs:
            self.page.on("dialog", lambda d: d.accept())  # data-confirm buttons
        # The live server's first request imports the URL conf and builds the API's schemas:
        # seconds on a busy machine, so the first page alone gets a generous wait.
        self.page.goto(base + "/login/", timeout=max(timeout_ms, 90_000))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password or "pw-" + username)
        # Wait for the answer to this click, not for the login page that is already loaded.
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def fits_phone(self, name: str) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name}: page is {width}px wide at 375px ({self.page.url})"

    def shot(self, name: str) -> None:
        """Desktop and phone screenshots. Reading scrollWidth makes the browser lay the page out
        at the new width first; a string predicate (wait_for_function) would be refused by the
        pages' CSP, which forbids evaluated strings."""
        page = self.page
        size = page.viewport_size
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        self.fits_phone(name)
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
        page.set_viewport_size(size or DESKTOP)

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self) -> None:
        self.ctx.close()
