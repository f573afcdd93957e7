"""The agreement page per role: lifecycle buttons, transitions with a reason, approvals,
version comparison, effective targets of multi-level SLAs and the audit trail."""

from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.agreements import services as agreements
from accord.agreements import versions
from accord.agreements.models import Approval
from tests.web.conftest import HOUR, add_target, days_ago, login, sign


def test_a_reader_sees_the_agreement_but_no_lifecycle_or_approval_buttons(client, reader,
                                                                         acme_sla):
    login(client, reader)

    html = client.get(f"/agreements/{acme_sla.pk}/").content.decode()

    assert "Acme Web Shop" in html and 'class="badge active"' in html
    assert "Start review" not in html and "Terminate" not in html
    assert "Approve as provider" not in html
    assert "Lifecycle changes are made by service level managers" in html


def test_a_reader_gets_403_on_a_transition_and_nothing_changes(client, reader, acme_sla):
    login(client, reader)
    entries = AuditEntry.objects.count()

    response = client.post(f"/agreements/{acme_sla.pk}/transition",
                           {"to": "terminated", "reason": "just because"})

    assert response.status_code == 403
    assert "may not change agreement" in response.content.decode()
    acme_sla.refresh_from_db()
    assert acme_sla.status == "active"
    assert AuditEntry.objects.count() == entries


def test_an_slm_sees_the_allowed_transitions_only(client, slm, acme_sla):
    login(client, slm)

    html = client.get(f"/agreements/{acme_sla.pk}/").content.decode()

    # Active agreements go under review, expire or are terminated; nothing else.
    for allowed in ('value="under_review"', 'value="expired"', 'value="terminated"'):
        assert allowed in html
    assert 'value="in_negotiation"' not in html and 'value="draft"' not in html


def test_an_slm_moves_an_agreement_with_a_reason_and_the_audit_shows_it(client, slm, acme_sla):
    login(client, slm)

    response = client.post(f"/agreements/{acme_sla.pk}/transition",
                           {"to": "under_review", "reason": "Quarterly review with Acme"},
                           follow=True)

    acme_sla.refresh_from_db()
    assert acme_sla.status == "under_review"
    html = response.content.decode()
    assert "is now under review" in html
    assert 'class="badge under_review"' in html
    # The audit trail on the page names the move and the reason.
    history = html[html.index('id="history"'):]
    assert "active</span> → <span class=\"new\">under_review" in history
    assert "Quarterly review with Acme" in history


def test_an_htmx_transition_swaps_the_header_and_the_history(client, slm, acme_sla):
    login(client, slm)

    response = client.post(f"/agreements/{acme_sla.pk}/transition",
                           {"to": "under_review", "reason": "Customer asked"},
                           HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    # Just the header (with the new badge) and the audit trail, swapped out of band.
    assert html.lstrip().startswith('<section id="agreement-header"')
    assert 'class="badge under_review"' in html
    assert 'id="history" class="section" hx-swap-oob="true"' in html
    assert "Customer asked" in html
    assert "<html" not in html


def test_a_refused_transition_says_why_and_changes_nothing(client, slm, acme_sla):
    login(client, slm)

    # Terminating needs a reason.
    response = client.post(f"/agreements/{acme_sla.pk}/transition", {"to": "terminated"})

    assert response.status_code == 422
    assert "a reason is required to terminate an agreement" in response.content.decode()
    acme_sla.refresh_from_db()
    assert acme_sla.status == "active"

    # A move the lifecycle does not allow, through htmx: the header explains it.
    response = client.post(f"/agreements/{acme_sla.pk}/transition",
                           {"to": "draft", "reason": "oops"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "cannot go from active to draft" in response.content.decode()
    acme_sla.refresh_from_db()
    assert acme_sla.status == "active"


def test_it_shows_versions_the_version_in_force_targets_and_approvals(client, analyst,
                                                                      acme_sla):
    login(client, analyst)

    html = client.get(f"/agreements/{acme_sla.pk}/").content.decode()

    assert "v1</a> <span class=\"badge active\">in force</span>" in html
    assert "Targets of v1" in html and "(the version in force)" in html
    # The target reads as a person would say it, in the service's hours.
    assert "within 4 h" in html and "95 % per month" in html and "50 · 75 · 90" in html
    assert "London office" in html and "the service&#x27;s" in html
    assert "Pat Buyer" in html and "recorded on their behalf" in html
    # The draft v2 is one click away, with its own targets.
    draft = client.get(f"/agreements/{acme_sla.pk}/?version=2").content.decode()
    assert "(draft under negotiation)" in draft and "within 2 h" in draft
    assert client.get(f"/agreements/{acme_sla.pk}/?version=9").status_code == 404


def test_signatories_approve_a_draft_and_it_freezes(client, slm, customer_user, acme_sla):
    v2 = acme_sla.versions.get(number=2)
    login(client, slm)
    page = client.get(f"/agreements/{acme_sla.pk}/?version=2").content.decode()
    assert "Approve as provider" in page

    response = client.post(f"/agreements/{acme_sla.pk}/versions/2/approve",
                           {"party": "provider", "comment": "ok for us"}, follow=True)

    assert "v2 approved as provider." in response.content.decode()
    # Carl signs for Acme, the counterparty, from the portal: the version freezes.
    login(client, customer_user)
    page = client.get(f"/agreements/{acme_sla.pk}/?version=2").content.decode()
    assert "Approve as counterparty" in page and "Approve as provider" not in page
    response = client.post(f"/agreements/{acme_sla.pk}/versions/2/approve",
                           {"party": "counterparty"}, follow=True)
    assert "Both parties have signed: v2 is agreed and frozen." in response.content.decode()
    v2.refresh_from_db()
    assert v2.is_frozen
    assert set(Approval.objects.filter(version=v2).values_list("signatory", flat=True)) == {
        "sam", "carl"}


def test_a_reader_cannot_approve(client, reader, acme_sla):
    login(client, reader)

    response = client.post(f"/agreements/{acme_sla.pk}/versions/2/approve",
                           {"party": "provider"})

    assert response.status_code == 403
    assert not Approval.objects.filter(version__number=2).exists()


def test_recording_the_counterparty_signature_needs_the_contact(client, slm, acme_sla):
    login(client, slm)

    response = client.post(f"/agreements/{acme_sla.pk}/versions/2/approve",
                           {"party": "counterparty"})

    assert response.status_code == 422
    assert "needs on_behalf_of_contact" in response.content.decode()
    assert not Approval.objects.filter(version__number=2).exists()


def test_compare_shows_what_changed_between_two_versions(client, reader, acme_sla):
    login(client, reader)

    response = client.get(f"/agreements/{acme_sla.pk}/compare?a=1&b=2")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Targets changed" in html
    assert '<td>target time</td><td class="diff-old">4 h</td><td class="diff-new">2 h</td>' in html
    assert "effective from" in html  # v2 takes effect later


def test_compare_refuses_a_version_that_does_not_exist(client, reader, acme_sla):
    login(client, reader)

    response = client.get(f"/agreements/{acme_sla.pk}/compare?a=1&b=7")

    assert response.status_code == 422
    assert "Targets changed" not in response.content.decode()


def test_it_shows_effective_targets_and_where_each_came_from(client, reader, slm, acme,
                                                             web_shop):
    now = timezone.now()
    corporate = agreements.create_agreement(
        by=slm, now=now, name="Corporate", kind="sla", structure="corporate",
        effective_from=days_ago(30))
    add_target(corporate.latest_version(), slm, priority="P1", seconds=8 * HOUR)
    add_target(corporate.latest_version(), slm, metric="response", priority="P1", seconds=HOUR)
    sign(corporate.latest_version(), slm)
    acme_level = agreements.create_agreement(
        by=slm, now=now, name="Acme level", kind="sla", structure="customer_level",
        customer=acme, parent=corporate, effective_from=days_ago(20))
    versions.add_target(acme_level.latest_version(), by=slm, now=now, metric="resolution",
                        priority="P1", duration_seconds=2 * HOUR)
    sign(acme_level.latest_version(), slm)
    login(client, reader)

    html = client.get(f"/agreements/{acme_level.pk}/").content.decode()

    effective = html[html.index('id="effective"'):html.index('id="history"')]
    # Response time comes from the corporate level; resolution is Acme's own and overrides it.
    assert "within 1 h" in effective and f"{corporate.reference}</a> v1" in effective
    assert "within 2 h" in effective and f"overrides {corporate.reference} v1" in effective
    assert "within 8 h" not in effective


def test_the_list_filters_by_kind_status_customer_and_service(client, reader, acme, acme_sla,
                                                             globex_sla, payroll):
    login(client, reader)

    def names(query):
        html = client.get(f"/agreements/?{query}").content.decode()
        return {n for n in ("Acme Web Shop", "Globex Payroll") if n in html}

    assert names("") == {"Acme Web Shop", "Globex Payroll"}
    assert names("status=draft") == {"Globex Payroll"}
    assert names(f"customer={acme.pk}") == {"Acme Web Shop"}
    assert names(f"service={payroll.pk}") == {"Globex Payroll"}
    assert names("kind=ola") == set()
    assert names("q=acme") == {"Acme Web Shop"}
