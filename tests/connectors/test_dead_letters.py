"""Nothing a desk sent is lost: what cannot be stored is a dead letter, inspected and
replayed once the mapping is fixed."""

import pytest

from accord.accounts.models import AuditEntry
from accord.connectors.models import DeadLetter, Delivery
from accord.measurement.models import TicketEvent
from tests.connectors.conftest import fixture, make_connector
from tests.measurement.clock_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def jira(admin_user, world):
    return make_connector(admin_user, "jira", source="jira-acme")


def handed_to(team_name):
    item = fixture("jira", "06_reassign_team")
    item["payload"]["changelog"]["items"][0]["toString"] = team_name
    return item


def test_an_unknown_team_keeps_the_payload_as_a_dead_letter(jira, desk, admin_user, api):
    desk(jira).send(fixture("jira", "01_created"))
    response = desk(jira).send(handed_to("2nd line"))

    assert response.status_code == 202  # received and kept: the desk must not retry
    assert response.data["outcome"] == "refused"
    assert "unknown team '2nd line'" in response.data["reason"]
    letter = DeadLetter.objects.get()
    assert response.data["dead_letter"] == letter.pk
    assert letter.headers["X-Atlassian-Webhook-Identifier"] == "wh-6"
    assert "2nd line" in letter.body
    listed = api(admin_user).get(f"connectors/{jira.pk}/dead-letters").data["items"]
    assert [d["id"] for d in listed] == [letter.pk]
    jira.refresh_from_db()
    assert (jira.deliveries, jira.refused, jira.events_stored) == (2, 1, 1)


def test_after_fixing_the_mapping_a_replay_stores_the_events(jira, desk, admin_user, api):
    desk(jira).send(fixture("jira", "01_created"))
    desk(jira).send(handed_to("2nd line"))
    letter = DeadLetter.objects.get()
    mapping = {**jira.mapping, "teams": {"2nd line": "Second Line"}}
    assert api(admin_user).patch(f"connectors/{jira.pk}", {"mapping": mapping}
                                 ).status_code == 200

    response = api(admin_user).post(f"connectors/{jira.pk}/dead-letters/{letter.pk}/replay")

    assert response.status_code == 200, response.data
    assert (response.data["outcome"], response.data["stored"]) == ("accepted", 1)
    letter.refresh_from_db()
    assert letter.status == "replayed" and letter.replay_result["stored"] == 1
    assert TicketEvent.objects.get(event_id="10001:10103").team == "Second Line"
    assert DeadLetter.objects.count() == 1  # the replay's delivery keeps no second letter
    assert AuditEntry.objects.filter(content_type__model="deadletter").count() == 1
    again = api(admin_user).post(f"connectors/{jira.pk}/dead-letters/{letter.pk}/replay")
    assert again.status_code == 409


def test_a_replay_that_still_fails_keeps_the_letter_open_with_the_new_reason(jira, desk,
                                                                             admin_user, api):
    desk(jira).send(fixture("jira", "01_created"))
    desk(jira).send(handed_to("2nd line"))
    letter = DeadLetter.objects.get()

    response = api(admin_user).post(f"connectors/{jira.pk}/dead-letters/{letter.pk}/replay")

    assert response.data["outcome"] == "refused"
    letter.refresh_from_db()
    assert letter.status == "open" and "2nd line" in letter.reason
    assert Delivery.objects.filter(channel="replay").count() == 1


def test_a_body_that_is_not_json_is_a_dead_letter_too(jira, desk, admin_user, api):
    response = desk(jira).post(None, body=b"{not json")

    assert response.status_code == 202  # received and kept: the desk must not retry
    assert "not valid JSON" in response.data["reason"]
    letter = DeadLetter.objects.get()
    assert letter.body == "{not json"
    discarded = api(admin_user).post(f"connectors/{jira.pk}/dead-letters/{letter.pk}/discard")
    assert discarded.data["status"] == "discarded"
    assert api(admin_user).get(f"connectors/{jira.pk}/dead-letters").data["count"] == 0


def test_a_payload_missing_what_jira_always_sends_is_refused_naming_it(jira, desk):
    response = desk(jira).post({"webhookEvent": "jira:issue_updated", "issue": {"id": "1"}})

    assert response.status_code == 202  # received and kept: the desk must not retry
    assert "issue" in response.data["reason"]
    assert DeadLetter.objects.count() == 1


def test_deliveries_list_what_happened(jira, desk, admin_user, api):
    desk(jira).send(fixture("jira", "01_created"))
    desk(jira).send(fixture("jira", "01_created"))
    desk(jira).post(None, body=b"oops")

    rows = api(admin_user).get(f"connectors/{jira.pk}/deliveries").data["items"]

    assert [(r["outcome"], r["stored"], r["duplicates"]) for r in rows] == [
        ("refused", 0, 0), ("accepted", 0, 1), ("accepted", 1, 0)]
    assert rows[0]["dead_letter"] is not None and rows[1]["dead_letter"] is None
    refused = api(admin_user).get(f"connectors/{jira.pk}/deliveries?outcome=refused")
    assert refused.data["count"] == 1


def test_a_disabled_connector_refuses_calls_and_stores_nothing(jira, desk):
    jira.enabled = False
    jira.save()

    response = desk(jira).send(fixture("jira", "01_created"))

    assert response.status_code == 403
    assert not TicketEvent.objects.exists()


def test_send_test_event_checks_signature_and_mapping_without_storing(jira, admin_user, api):
    response = api(admin_user).post(f"connectors/{jira.pk}/test")

    assert response.status_code == 200
    assert response.data["ok"] is True
    assert response.data["events"][0]["kind"] == "created"
    assert not TicketEvent.objects.exists()
    assert Delivery.objects.get().channel == "test"
