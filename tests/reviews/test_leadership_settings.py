"""Leadership contacts per service and customer (escalations' "leadership" recipients use
them instead of the administrators) and the administrators' governance settings."""

import pytest

from accord.escalation.recipients import Context, resolve
from accord.reviews.models import Governance

pytestmark = pytest.mark.django_db


def test_escalations_reach_the_services_and_customers_leaders(gov, slm, owner, admin_user,
                                                              api):
    # Nobody named: the administrators, as before.
    assert [r.email for r in resolve(["leadership"], Context(service=gov["shop"],
                                                             customer=gov["acme"]))] == [
        "ada@example.com"]
    assert api(admin_user).put(f"leadership/services/{gov['shop'].pk}",
                               {"users": ["oscar"]}).status_code == 200
    assert api(admin_user).put(f"leadership/customers/{gov['acme'].pk}",
                               {"users": [slm.pk]}).status_code == 200
    found = resolve(["leadership"], Context(service=gov["shop"], customer=gov["acme"]))
    assert [r.email for r in found] == ["oscar@example.com", "sam@example.com"]
    assert api(slm).put(f"leadership/services/{gov['shop'].pk}", {"users": ["sam"]}
                        ).status_code == 403
    bad = api(admin_user).put(f"leadership/services/{gov['shop'].pk}", {"users": ["ghost"]})
    assert bad.status_code == 422 and bad.data["detail"][0]["loc"] == ["body", "users", 0]


def test_administrators_set_cadence_and_threshold(gov, slm, admin_user, api):
    ref = gov["sla"].reference
    assert api(slm).get(f"governance/{ref}").data == {
        "agreement": ref, "cadence": "quarter", "repeated_breaches": 3}
    assert api(slm).put(f"governance/{ref}", {"cadence": "month"}).status_code == 403
    done = api(admin_user).put(f"governance/{ref}", {"cadence": "month",
                                                     "repeated_breaches": 2})
    assert done.status_code == 200 and done.data["cadence"] == "month"
    assert Governance.objects.get().repeated_breaches == 2
    bad = api(admin_user).put(f"governance/{ref}", {"cadence": "weekly"})
    assert bad.status_code == 422 and "cadence" in str(bad.data["detail"])
