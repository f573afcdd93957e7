"""End-to-end stories through /api/v1 as sam, the service level manager."""

from accord.agreements.models import Agreement
from tests.conftest import counterparty_contact


def test_an_sla_is_drafted_signed_amended_and_compared(slm, acme, web_shop, api):
    sam = api(slm)
    created = sam.post("agreements", {
        "name": "Acme Web Shop", "kind": "sla", "structure": "customer_based",
        "customer": acme.pk, "services": [web_shop.pk], "text": "Terms",
        "effective_from": "2025-01-01T00:00:00+01:00",
    })
    assert created.status_code == 201, created.data
    base = f"agreements/{created.data['id']}"
    assert created.data["latest_version"] == 1 and created.data["version_in_force"] is None

    target = sam.post(f"{base}/versions/1/targets", {
        "metric": "resolution", "priority": "P1", "duration_seconds": 14400,
        "objective_percent": 95, "pause_condition": {"field": "status", "in": ["Pending"]},
        "credit_percent": 5,
    })
    assert target.status_code == 201, target.data
    assert sam.post(f"{base}/transition", {"to": "in_negotiation"}).status_code == 200
    sam.post(f"{base}/versions/1/approve", {"party": "provider"})
    pat = counterparty_contact(Agreement.objects.get(pk=created.data["id"]))
    signed = sam.post(f"{base}/versions/1/approve",
                      {"party": "counterparty", "on_behalf_of_contact": pat.pk,
                       "evidence": "Signed copy in the contracts file"})
    assert signed.data["status"] == "agreed" and signed.data["awaiting"] == []
    assert sam.post(f"{base}/transition", {"to": "active"}).data["status"] == "active"

    # The signed version is frozen: changes go to a new draft.
    frozen = sam.patch(f"{base}/versions/1/targets/{target.data['id']}",
                       {"duration_seconds": 7200})
    assert frozen.status_code == 409
    draft = sam.post(f"{base}/versions", {"change_summary": "faster P1"})
    assert draft.status_code == 201 and draft.data["number"] == 2
    [copy] = draft.data["targets"]
    changed = sam.patch(f"{base}/versions/2/targets/{copy['id']}", {"duration_seconds": 7200})
    assert changed.data["duration_seconds"] == 7200

    diff = sam.get(f"{base}/compare?a=1&b=2").data
    assert diff["targets"]["changed"][0]["fields"] == {"duration_seconds": [14400, 7200]}
    assert diff["fields"]["change_summary"] == ["", "faster P1"]

    effective = sam.get(f"{base}/effective-targets").data
    assert [(e["version"], e["target"]["duration_seconds"], e["calendar_source"])
            for e in effective] == [(1, 14400, "default")]
    preview = sam.get(f"{base}/effective-targets?version=2").data
    assert preview[0]["target"]["duration_seconds"] == 7200

    history = sam.get(f"{base}/history").data
    actions = [e["action"] for e in history["items"]]
    assert actions.count("approve") == 2 and "transition" in actions
    assert history["count"] == len(history["items"])


def test_agreements_are_filtered_by_kind_status_customer_service_and_overdue_review(
    draft_sla, slm, api
):
    sam = api(slm)
    sam.post("agreements", {"name": "Corporate", "kind": "sla", "structure": "corporate"})

    def names(query):
        return [a["name"] for a in sam.get(f"agreements?{query}").data["items"]]

    assert names("kind=sla") == ["Acme Web Shop", "Corporate"]
    assert names(f"customer={draft_sla.customer_id}") == ["Acme Web Shop"]
    assert names(f"service={draft_sla.services.get().pk}") == ["Acme Web Shop"]
    assert names("status=active") == []
    assert names("q=corp") == ["Corporate"]
    assert names("review_overdue=true") == []
    # Signed with a start on 1 January 2025, its yearly review is long overdue by now.
    sam.post(f"agreements/{draft_sla.pk}/versions/1/approve", {"party": "provider"})
    sam.post(f"agreements/{draft_sla.pk}/versions/1/approve",
             {"party": "counterparty", "on_behalf_of_contact": counterparty_contact(draft_sla).pk,
              "evidence": "Signed copy in the contracts file"})
    assert names("review_overdue=true") == ["Acme Web Shop"]
    assert names("review_overdue=false") == ["Corporate"]
    assert names("limit=1")[0] == "Acme Web Shop"


def test_an_slr_goes_from_capture_to_draft_targets(slm, acme, web_shop, api):
    sam = api(slm)
    slr = sam.post("slrs", {
        "title": "Faster fixes", "customer": acme.pk, "service": web_shop.pk,
        "requested_targets": [{"metric": "resolution", "priority": "P1",
                               "duration_seconds": 7200}],
    })
    assert slr.status_code == 201, slr.data
    url = f"slrs/{slr.data['id']}"

    early = sam.post(f"{url}/convert", {})
    assert early.status_code == 409
    evaluated = sam.post(f"{url}/evaluate", {"feasibility": "yes", "notes": "fine",
                                             "decision": "accept"})
    assert evaluated.data["status"] == "accepted" and evaluated.data["evaluated_by"] == "sam"
    converted = sam.post(f"{url}/convert", {"name": "Acme Web Shop SLA"})

    assert converted.status_code == 201
    assert converted.data["targets"][0]["duration_seconds"] == 7200
    assert Agreement.objects.get().name == "Acme Web Shop SLA"
    assert sam.get(url).data["status"] == "converted"
    assert sam.delete(url).status_code == 409


def test_priority_matrices_are_global_or_per_agreement(draft_sla, slm, admin_user, api):
    cells = [{"impact": "1", "urgency": "1", "priority": "P1"},
             {"impact": "1", "urgency": "2", "priority": "P2"}]
    assert api(slm).get("priority-matrix").data == {"agreement": None, "source": "none",
                                                    "cells": []}

    # The global matrix is policy: administrators set it.
    assert api(slm).put("priority-matrix", {"cells": cells}).status_code == 403
    assert api(admin_user).put("priority-matrix", {"cells": cells}).status_code == 200

    url = f"priority-matrix?agreement={draft_sla.pk}"
    assert api(slm).get(url).data["source"] == "global"
    own = api(slm).put("priority-matrix", {"agreement": draft_sla.pk, "cells": cells[:1]})
    assert own.data == {"agreement": draft_sla.pk, "source": "agreement", "cells": cells[:1]}

    twice = api(slm).put("priority-matrix", {"agreement": draft_sla.pk,
                                             "cells": [cells[0], cells[0]]})
    assert twice.status_code == 422
    assert twice.data["detail"][0]["loc"] == ["body", "cells[1]", "urgency"]
    assert api(slm).get(url).data["cells"] == cells[:1]  # unchanged
