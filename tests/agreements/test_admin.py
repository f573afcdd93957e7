"""Back-office edits go through the services: validated, audited, frozen versions read-only."""

import pytest

from accord.accounts.models import AuditEntry
from accord.accounts.services import history
from accord.agreements import versions
from accord.agreements.models import Agreement, AgreementVersion
from tests.conftest import NOW

from .conftest import sign

HEADER = {"name": "Acme Web Shop", "kind": "sla", "structure": "customer_based",
          "description": "", "currency": "", "monthly_charge": ""}


def _agreement_form(agreement, **change):
    data = {**HEADER, "customer": agreement.customer_id,
            "services": [s.pk for s in agreement.services.all()]}
    data.update(change)
    return data


def _version_form(version, targets=(), **change):
    """The change form of a version as the browser posts it, with its two inlines."""
    data = {"text": version.text, "change_summary": version.change_summary,
            "effective_from_0": "2025-01-01", "effective_from_1": "00:00:00",
            "effective_to_0": "", "effective_to_1": "",
            "review_due_0": "2026-01-01", "review_due_1": "00:00:00"}
    existing = list(version.targets.all())
    rows = [{"id": t.pk, "metric": t.metric, "priority": t.priority,
             "duration_seconds": t.duration_seconds, "period": t.period,
             "warning_thresholds": "[50, 75, 90]", "reopen_policy": t.reopen_policy,
             "position": t.position} for t in existing] + list(targets)
    data.update({"targets-TOTAL_FORMS": len(rows), "targets-INITIAL_FORMS": len(existing),
                 "targets-MIN_NUM_FORMS": 0, "targets-MAX_NUM_FORMS": 1000})
    for i, row in enumerate(rows):
        defaults = {"version": version.pk, "name": "", "ticket_type": "", "credit_currency": ""}
        for key, value in {**defaults, **row}.items():
            data[f"targets-{i}-{key}"] = "null" if value is None and "condition" in key else (
                "" if value is None else value)
        for key in ("start", "pause", "stop", "reset", "cancel"):
            data.setdefault(f"targets-{i}-{key}_condition", "null")
    approvals = list(version.approvals.all())
    data.update({"approvals-TOTAL_FORMS": len(approvals),
                 "approvals-INITIAL_FORMS": len(approvals),
                 "approvals-MIN_NUM_FORMS": 0, "approvals-MAX_NUM_FORMS": 1000})
    for i, approval in enumerate(approvals):
        data[f"approvals-{i}-id"] = approval.pk
        data[f"approvals-{i}-version"] = version.pk
    data.update(change)
    return data


@pytest.fixture
def sam_admin(client, slm):
    client.force_login(slm)
    return client


def test_an_admin_edit_of_an_agreement_goes_through_the_service(sam_admin, draft_sla):
    response = sam_admin.post(f"/admin/agreements/agreement/{draft_sla.pk}/change/",
                              _agreement_form(draft_sla, name="Acme Web Shop SLA"))

    assert response.status_code == 302, response.content.decode()[:2000]
    draft_sla.refresh_from_db()
    assert draft_sla.name == "Acme Web Shop SLA"
    entry = history(draft_sla).first()
    assert entry.actor == "sam" and entry.changes["name"][1] == "Acme Web Shop SLA"


def test_the_admin_form_shows_the_services_error_and_saves_nothing(sam_admin, draft_sla):
    response = sam_admin.post("/admin/agreements/agreement/add/",
                              {**HEADER, "kind": "ola", "structure": "", "name": "Desk OLA"})

    assert response.status_code == 200
    assert "OLAs need a team" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_a_signed_version_is_read_only_in_the_admin(sam_admin, draft_sla, slm):
    version = sign(draft_sla.latest_version(), slm)
    url = f"/admin/agreements/agreementversion/{version.pk}/change/"

    assert sam_admin.get(url).status_code == 200  # it can be read
    response = sam_admin.post(url, _version_form(version, text="rewritten"))

    assert response.status_code == 403
    assert AgreementVersion.objects.get(pk=version.pk).text == "Acme terms"


def test_an_admin_edit_of_a_draft_withdraws_its_approvals(sam_admin, draft_sla, slm):
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)

    response = sam_admin.post(f"/admin/agreements/agreementversion/{version.pk}/change/",
                              _version_form(version, text="Acme terms, amended"))

    assert response.status_code == 302, response.content.decode()[:3000]
    version.refresh_from_db()
    assert version.text == "Acme terms, amended"
    assert not version.approvals.get().is_valid
    assert "approval(s) withdrawn" in history(version).first().message


def test_targets_are_added_inline_and_audited(sam_admin, draft_sla):
    version = draft_sla.latest_version()
    new = {"metric": "response", "priority": "P1", "duration_seconds": 900, "period": "month",
           "warning_thresholds": "[50, 75, 90]", "reopen_policy": "new_cycle", "position": 1}

    response = sam_admin.post(f"/admin/agreements/agreementversion/{version.pk}/change/",
                              _version_form(version, targets=[new]))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert version.targets.filter(metric="response", duration_seconds=900).exists()
    assert history(version).filter(action="create", message__contains="added").exists()


def test_staff_without_the_right_role_only_look(client, reader, draft_sla):
    reader.is_staff = True
    reader.save()
    client.force_login(reader)
    url = f"/admin/agreements/agreement/{draft_sla.pk}/change/"

    assert client.get(url).status_code == 200
    assert client.post(url, _agreement_form(draft_sla, name="x")).status_code == 403
    assert Agreement.objects.get().name == "Acme Web Shop"


def test_portal_users_have_no_back_office(client, customer_user, draft_sla):
    customer_user.is_staff = True  # even if someone flips the flag by mistake
    customer_user.save()
    client.force_login(customer_user)
    assert client.get(f"/admin/agreements/agreement/{draft_sla.pk}/change/").status_code in (
        302, 403)


@pytest.mark.parametrize("model", ["agreement", "agreementversion",
                                   "servicelevelrequirement", "prioritymatrixcell"])
def test_the_back_office_pages_open(sam_admin, draft_sla, model):
    assert sam_admin.get(f"/admin/agreements/{model}/").status_code == 200
    assert sam_admin.get(f"/admin/agreements/{model}/add/").status_code == 200


def test_the_global_priority_matrix_is_left_to_administrators(sam_admin, client, admin_user):
    cell = {"agreement": "", "impact": "1", "urgency": "1", "priority": "P1"}

    refused = sam_admin.post("/admin/agreements/prioritymatrixcell/add/", cell)

    assert refused.status_code == 200 and "administrators set it" in refused.content.decode()
    client.force_login(admin_user)
    assert client.post("/admin/agreements/prioritymatrixcell/add/", cell).status_code == 302
    audit = AuditEntry.objects.get(content_type__model="prioritymatrixcell")
    assert (audit.actor, audit.changes["priority_matrix"]) == ("ada", [[], [["1", "1", "P1"]]])


def test_a_duplicate_target_row_is_a_form_error(sam_admin, draft_sla):
    version = draft_sla.latest_version()
    twin = {"metric": "resolution", "priority": "P1", "duration_seconds": 60, "period": "month",
            "warning_thresholds": "[50, 75, 90]", "reopen_policy": "new_cycle", "position": 1}

    response = sam_admin.post(f"/admin/agreements/agreementversion/{version.pk}/change/",
                              _version_form(version, targets=[twin]))

    assert response.status_code == 200
    assert "same metric and scope" in response.content.decode()
    assert version.targets.count() == 1
