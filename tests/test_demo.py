"""`accord demo` loads a believable provider, once."""

from django.core.management import call_command

from accord.agreements.models import Agreement
from accord.agreements.queries import version_in_force
from accord.catalogue.models import Service
from accord.web import demo
from tests.conftest import NOW


def test_it_loads_ecoshop_with_signed_agreements_in_force(db):
    logins = demo.load(NOW)

    assert {login.role for login in logins} >= {
        "Reader", "Analyst", "Service owner", "Service level manager", "Administrator",
    }
    assert set(Service.objects.values_list("name", flat=True)) >= {
        "Web Shop", "Order Processing", "Customer Accounts", "Inventory",
    }
    corporate = Agreement.objects.get(name="EcoShop corporate SLA")
    # Several versions: v2 superseded v1 and is the one in force now.
    assert version_in_force(corporate, NOW).number == 2
    assert {a.kind for a in Agreement.objects.filter(status="active")} == {"sla", "ola", "uc"}
    p1_response = corporate.versions.get(number=2).targets.get(metric="response", priority="P1")
    assert p1_response.duration_seconds == 30 * 60
    web = Agreement.objects.get(name__startswith="Web Shop availability")
    assert float(web.versions.get().targets.get().percentage) == 99.9


def test_it_is_idempotent(db):
    demo.load(NOW)
    counts = Agreement.objects.count(), Service.objects.count()

    demo.load(NOW)

    assert (Agreement.objects.count(), Service.objects.count()) == counts


def test_the_printed_login_works(db, client, capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out

    assert client.login(username="admin", password=demo.DEMO_PASSWORD)
