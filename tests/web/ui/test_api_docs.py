"""The API docs page works without internet: Swagger UI's assets come from Accord itself (the
django-ninja package's static files), never from a CDN."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .pages import new_page

ASSET = re.compile(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"')


def test_it_references_no_other_host_and_serves_its_assets(client, reader):
    client.force_login(reader)
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assets = ASSET.findall(html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert any("swagger-ui.css" in a for a in assets)
    # Nothing is fetched from elsewhere: every asset is a path on this server, and it is there.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    for asset in assets:
        assert not urlsplit(asset).netloc, asset
        got = client.get(asset)
        assert got.status_code == 200, asset
        body = b"".join(got.streaming_content) if got.streaming else got.content
        assert len(body) > 0, asset


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_operations_with_every_other_host_unreachable(browser, live_server,
                                                                   reader):
    page = new_page(browser)
    elsewhere = []

    def only_this_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert elsewhere == []
    page.context.close()
