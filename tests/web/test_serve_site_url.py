"""`accord serve --port P` without SITE_URL: the connector's hook `url` (POST /api/v1/connectors,
issue 12: "answers the connector with its id and the url to paste into the desk") must point at
the process actually serving, not at the default port 8000."""

from accord.web.management.commands.serve import site_url_for


def test_serving_on_another_port_without_site_url_uses_that_address(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert site_url_for("127.0.0.1", 18777) == "http://127.0.0.1:18777"
    assert site_url_for("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert site_url_for("::1", 9000) == "http://[::1]:9000"


def test_an_explicit_site_url_wins(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://accord.example.com")
    assert site_url_for("127.0.0.1", 18777) is None


def test_accord_serve_on_a_free_port_hands_out_hook_urls_on_that_port(
        db, admin_user, api, settings, monkeypatch):
    import waitress

    from accord.web.management.commands import serve as command

    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = "http://127.0.0.1:8000"  # the default; restored after the test
    answers = []
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: answers.append(
        api(admin_user).post("connectors", {"kind": "generic", "name": "desk",
                                            "source": "desk", "secret": "s3cret"})))
    command.serve("127.0.0.1", 18777, migrate=False, worker=False)

    assert answers[0].status_code == 201, answers[0].data
    body = answers[0].data
    assert body["url"] == f"http://127.0.0.1:18777/api/v1/hooks/{body['id']}"
