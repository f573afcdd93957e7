"""GET /metrics: who may read it, and the gauges."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from prometheus_client import generate_latest

from accord.accounts import services as accounts
from accord.measurement.models import Clock
from accord.reporting.metrics import collect

from .conftest import clock

pytestmark = pytest.mark.django_db


def get(client, token=None, address="203.0.113.9"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/metrics", REMOTE_ADDR=address, **headers)


def test_anonymous_callers_get_401(world, client):
    response = get(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert get(client, token="acc_not-a-token").status_code == 401


def test_a_portal_token_is_refused(world, client, customer_user):
    _, raw = accounts.create_token(customer_user, "portal", "read")
    assert get(client, token=raw).status_code == 403


def test_an_allowed_address_needs_no_token(world, client, settings):
    settings.ACCORD_METRICS_ALLOW = ["10.0.0.0/8", "192.0.2.7/32"]
    assert get(client, address="10.1.2.3").status_code == 200
    assert get(client, address="192.0.2.7").status_code == 200
    assert get(client, address="192.0.2.8").status_code == 401


# A named instant: 12:00 on 20 March 2025 in Tokyo (Acme's reporting zone), mid-month.
GAUGE_NOW = datetime(2025, 3, 20, 3, 0, tzinfo=UTC)


def test_the_gauges(world):
    now = GAUGE_NOW
    # Two P1 clocks counted this month (Tokyo): one met, one breached.
    start = now - timedelta(minutes=30)
    clock(world["p1"], "met", start, stopped=start + timedelta(minutes=10))
    clock(world["p1"], "breached", start, breached=start + timedelta(minutes=5),
          due=start + timedelta(minutes=5))
    running = clock(world["p2"], "running", start, computed=start, due=now + timedelta(hours=5))
    # The worker has not yet handled a look due 90 seconds ago.
    Clock.objects.filter(pk=running.pk).update(next_event_at=now - timedelta(seconds=90))

    text = generate_latest(collect(now)).decode()

    sla, p1 = world["sla"].reference, world["p1"].pk
    assert (f'accord_target_compliance_ratio{{agreement="{sla}",period="2025-03",'
            f'target="{p1}"}} 0.5') in text
    assert (f'accord_breaches{{agreement="{sla}",metric="resolution",period="2025-03",'
            f'priority="P1"}} 1.0') in text
    assert 'accord_clocks{state="running"} 1.0' in text
    assert 'accord_clocks{state="met"} 1.0' in text
    assert "accord_outbox_pending 0.0" in text
    assert "accord_outbox_dead 0.0" in text
    assert "\naccord_worker_lag_seconds 90.0\n" in text


def test_the_endpoint_serves_the_gauges_as_prometheus_text(world, client, reader):
    clock(world["p2"], "running", GAUGE_NOW, computed=GAUGE_NOW,
          due=GAUGE_NOW + timedelta(hours=5))
    _, raw = accounts.create_token(reader, "prometheus", "read")

    response = get(client, token=raw)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'accord_clocks{state="running"} 1.0' in text
    assert "accord_outbox_pending 0.0" in text


def test_a_bad_allow_list_fails_the_system_check(settings):
    from accord.reporting.apps import metrics_allow_check

    settings.ACCORD_METRICS_ALLOW = ["10.0.0.0/8"]
    assert metrics_allow_check() == []
    settings.ACCORD_METRICS_ALLOW = ["10.0.0.0/33"]
    (error,) = metrics_allow_check()
    assert "ACCORD_METRICS_ALLOW" in error.msg


def test_the_availability_gauge(db, slm, client, reader):
    from accord.agreements import services
    from accord.catalogue.models import Calendar, Service, Supplier
    from accord.measurement.services import create_outage

    from .conftest import add_target, sign

    now = timezone.now()
    service = Service.objects.create(name="Hosting", status="live")
    uc = services.create_agreement(by=slm, now=now, name="CloudHost UC", kind="uc",
                                   supplier=Supplier.objects.create(name="CloudHost"),
                                   services=[service],
                                   effective_from=now - timedelta(days=400))
    always = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    target = add_target(uc, slm, metric="availability", percentage="99.9", calendar=always)
    versions_signed = sign(uc.latest_version(), slm)
    assert versions_signed.is_frozen
    # Last month: down for its whole first hour of a (30 or 31 day) month.
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (first - timedelta(days=1)).replace(day=1)
    create_outage({"service": service, "start": last_month,
                   "end": last_month + timedelta(hours=1)})
    hours = (first - last_month).total_seconds() / 3600
    _, raw = accounts.create_token(reader, "prometheus", "read")

    text = get(client, token=raw).content.decode()

    line = (f'accord_availability_ratio{{agreement="{uc.reference}",'
            f'period="{last_month:%Y-%m}",service="Hosting",target="{target.pk}"}} ')
    assert line in text
    value = float(text.split(line)[1].split()[0])
    assert value == pytest.approx(1 - 1 / hours)
