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


@pytest.fixture
def ecoshop(db):
    """The EcoShop demo, so every page has rows, badges, clocks and forms to check; and a
    second version of one agreement, so it has a compare page to check."""
    from django.utils import timezone

    from accord.accounts.models import User
    from accord.agreements import versions
    from accord.agreements.models import Agreement
    from accord.web import demo

    now = timezone.now()
    demo.load(now)
    agreement = Agreement.objects.filter(status="active").order_by("pk").first()
    versions.new_draft_version(agreement, by=User.objects.get(username="sarah"), now=now,
                               effective_from=now)
    return {"compare": f"/agreements/{agreement.pk}/compare"}
