"""Browser tests over every page: Debian's Chromium through Playwright, one per module."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made here by the
# fixtures are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from .pages import ARGS, CHROMIUM  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (None when missing: each test then fails)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        yield None
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
