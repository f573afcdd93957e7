"""Audit entries read as sentences on every history page (one renderer, accounts'), with the
raw changes behind a details toggle."""

from django.utils import timezone

from accord.accounts import services as accounts
from accord.accounts.models import AuditEntry
from accord.accounts.sentences import sentence
from accord.agreements import versions
from accord.catalogue import services as catalogue
from tests.web.conftest import HOUR, add_target, login


def latest(model_name):
    return AuditEntry.objects.filter(content_type__model=model_name).order_by("-id").first()


def test_a_changed_target_reads_as_a_sentence_with_hours(client, globex_sla):
    sarah = accounts.create_user("sarah", role="service_level_manager", password="pw",
                                 first_name="Sarah")
    version = globex_sla.latest_version()
    target = version.targets.get()
    versions.update_target(target, by=sarah, now=timezone.now(), duration_seconds=2 * HOUR)

    assert sentence(latest("agreementversion")) == (
        "Sarah changed the P1 resolution target from 8 h to 2 h.")
    login(client, sarah)
    html = client.get(f"/agreements/{globex_sla.pk}/").content.decode()
    history = html[html.index('id="history"'):]
    assert "Sarah changed the P1 resolution target from 8 h to 2 h." in history
    # The raw diff stays available behind the toggle.
    assert "<details><summary>1 field (raw)</summary>" in history
    assert "target.duration_seconds" in history


def test_added_targets_approvals_and_transitions_read_as_sentences(slm, globex_sla, web_shop):
    version = globex_sla.latest_version()
    add_target(version, slm, metric="response", priority="P2", seconds=30 * 60)
    assert sentence(latest("agreementversion")) == (
        f"sam added the P2 response target (30 min) to {version}.")
    versions.approve(version, party="provider", by=slm, now=timezone.now())
    assert sentence(latest("agreementversion")) == f"sam approved {version} as provider."


def test_a_service_change_names_fields_and_people(olga, slm, web_shop, owner):
    catalogue.update(web_shop, by=slm, criticality=2, owner=olga)
    text = sentence(latest("service"))
    assert text == ("sam changed service “Web Shop”: criticality from 1 to 2; owner from "
                    "oscar to olga.")


def test_the_dashboard_and_service_pages_use_the_same_sentences(client, slm, web_shop):
    catalogue.update(web_shop, by=slm, description="Where customers buy")
    login(client, slm)
    expected = "sam changed the description of service “Web Shop” from nothing to Where " \
               "customers buy."
    assert expected in client.get(f"/services/{web_shop.pk}/").content.decode()
    assert expected in client.get("/").content.decode()


def test_a_long_history_reads_without_a_query_per_row(client, slm, globex_sla,
                                                      django_assert_max_num_queries):
    target = globex_sla.latest_version().targets.get()
    for hours in range(2, 22):  # twenty edits of one target
        versions.update_target(target, by=slm, now=timezone.now(), duration_seconds=hours * HOUR)
    login(client, slm)
    with django_assert_max_num_queries(25):  # 17 now; a query per row would be 37+
        page = client.get(f"/agreements/{globex_sla.pk}/")
    assert "sam changed the P1 resolution target from 20 h to 21 h." in page.content.decode()
