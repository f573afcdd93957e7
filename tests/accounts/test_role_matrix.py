"""Each role can do what it may and nothing more (DESIGN decision 8), through the API.

One row per action; the columns are the personas from the bottom of the ladder to the top,
then the customer portal. 2xx means allowed, 403 forbidden.
"""

import pytest

from accord.accounts.models import User
from accord.catalogue.models import Customer
from tests.conftest import NOW

ROLES = ["reader", "analyst", "owner", "slm", "admin_user", "customer_user"]

# action -> expected status for each persona, in ROLES order
MATRIX = {
    "read services": (200, 200, 200, 200, 200, 200),
    "create a service": (403, 403, 403, 201, 201, 403),
    "create a calendar": (403, 403, 403, 403, 201, 403),
    "create an agreement": (403, 403, 403, 201, 201, 403),
    "post ticket events": (403, 200, 200, 200, 200, 403),
    "create a user": (403, 403, 403, 403, 201, 403),
    "create an escalation channel": (403, 403, 403, 403, 201, 403),
    "raise an action": (403, 403, 201, 201, 201, 403),
    "schedule a review": (403, 403, 403, 201, 201, 403),
    "add a breach reason code": (403, 403, 403, 403, 201, 403),
    "read the risk register": (200, 200, 200, 200, 200, 403),
}


def act(action, client, n):
    if action == "read services":
        return client.get("services")
    if action == "create a service":
        return client.post("services", {"name": f"Service {n}"})
    if action == "create a calendar":
        return client.post("calendars", {"name": f"Cal {n}", "tz": "Europe/London",
                                         "hours": {"mon": [["08:00", "18:00"]]}})
    if action == "create an agreement":
        customer = Customer.objects.get_or_create(name="Acme")[0]
        return client.post("agreements", {"name": f"SLA {n}", "kind": "sla",
                                          "structure": "customer_based",
                                          "customer": customer.pk})
    if action == "post ticket events":
        return client.post("events", [{"ticket_id": f"T{n}", "kind": "created",
                                       "timestamp": "2025-03-07T09:00:00+00:00"}])
    if action == "create a user":
        return client.post("users", {"username": f"u{n}", "role": "reader"})
    if action == "create an escalation channel":
        return client.post("channels", {"name": f"mail {n}", "kind": "email",
                                        "config": {"addresses": ["ops@example.com"]}})
    if action == "raise an action":
        return client.post("actions", {"title": f"Action {n}", "owner": "oscar",
                                       "due": "2025-05-01"})
    if action == "schedule a review":
        from accord.agreements import services

        customer = Customer.objects.get_or_create(name="Acme")[0]
        agreement = services.create_agreement(
            by=None, now=NOW, name=f"Reviewed {n}", kind="sla", structure="customer_based",
            customer=customer)
        return client.post("reviews", {"agreement": agreement.pk, "period": "2025-03",
                                       "due": "2025-04-10"})
    if action == "add a breach reason code":
        return client.post("reason-codes", {"code": f"code{n}", "label": "A reason"})
    if action == "read the risk register":
        return client.get("risks")
    raise AssertionError(action)


@pytest.mark.parametrize("action", MATRIX)
def test_each_role_may_do_exactly_what_the_matrix_says(action, api, request):
    observed = []
    for n, persona in enumerate(ROLES):
        user: User = request.getfixturevalue(persona)
        observed.append(act(action, api(user), n).status_code)
    assert tuple(observed) == MATRIX[action]


def test_a_read_only_token_of_an_administrator_cannot_write(admin_user, api):
    client = api(admin_user, scope="read")
    assert client.get("services").status_code == 200
    assert act("create a service", client, 0).status_code == 403
    assert act("create a user", client, 0).status_code == 403
