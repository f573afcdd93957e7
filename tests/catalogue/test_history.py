"""Every change to the catalogue leaves an audit row: who, when, what changed (before and
after); each object's trail is at GET /{kind}/{id}/history."""

import pytest


def test_an_update_is_recorded_with_before_and_after(web_shop, slm, reader, api):
    api(slm).patch(f"services/{web_shop.pk}", {"criticality": 2, "description": "Sells"})

    trail = api(reader).get(f"services/{web_shop.pk}/history")

    assert trail.status_code == 200
    assert trail.data["count"] == 2
    latest, first = trail.data["items"]
    assert (latest["action"], latest["actor"]) == ("update", "sam")
    assert latest["changes"] == {"criticality": [1, 2], "description": ["", "Sells"]}
    assert latest["object_type"] == "catalogue.service"
    assert first["action"] == "create" and first["changes"]["name"] == [None, "Web Shop"]


def test_a_status_change_is_recorded_as_a_transition(web_shop, slm, api):
    api(slm).patch(f"services/{web_shop.pk}", {"status": "retired"})

    latest = api(slm).get(f"services/{web_shop.pk}/history").data["items"][0]

    assert latest["action"] == "transition"
    assert latest["changes"] == {"status": ["live", "retired"]}


def test_a_patch_that_changes_nothing_leaves_no_row(web_shop, slm, api):
    api(slm).patch(f"services/{web_shop.pk}", {"criticality": 1, "name": "Web Shop"})

    assert api(slm).get(f"services/{web_shop.pk}/history").data["count"] == 1


@pytest.mark.parametrize("kind", ["services", "components", "customers", "teams", "suppliers",
                                  "calendars"])
def test_history_of_an_unknown_object_is_404(kind, reader, api):
    assert api(reader).get(f"{kind}/424242/history").status_code == 404


def test_each_kind_keeps_its_own_trail(acme, database, office_hours, slm, admin_user, api):
    api(slm).patch(f"customers/{acme.pk}", {"description": "Big customer"})
    api(slm).patch(f"components/{database.pk}", {"kind": "server"})
    api(admin_user).patch(f"calendars/{office_hours.pk}", {"description": "HQ"})

    def changes(path):
        return api(slm).get(f"{path}/history").data["items"][0]["changes"]

    assert changes(f"customers/{acme.pk}") == {"description": ["", "Big customer"]}
    assert changes(f"components/{database.pk}") == {"kind": ["database", "server"]}
    assert changes(f"calendars/{office_hours.pk}") == {
        "description": ["", "HQ"], "version": [1, 2],
    }
