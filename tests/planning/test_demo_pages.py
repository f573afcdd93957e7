"""The design tools on the demo's data: the Retail UK SLA's fit page flags the CloudHost UC;
the CloudHost platform component's impact reaches services, agreements and customers."""

import pytest

from accord.accounts.models import User
from accord.agreements.models import Agreement
from accord.catalogue.models import Component
from accord.web import demo
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_fit_and_impact_pages_on_the_demo(client):
    demo.load(NOW)
    client.force_login(User.objects.get(username="admin"))
    retail = Agreement.objects.get(name="Retail UK SLA")
    page = client.get(f"/agreements/{retail.pk}/fit").content.decode()
    assert "does not fit" in page and "CloudHost hosting UC" in page
    cloud = Component.objects.get(name="CloudHost platform")
    response = client.get(f"/impact/?component={cloud.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Retail UK" in html and "Left (minutes)" in html
