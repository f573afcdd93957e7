"""REST endpoints of the design tools.

``POST /agreements/{id}/versions/{version}/simulate`` with ``{"from": date, "to": date}``:
the what-if replay (``simulate.simulate``). Needs the permission to change agreements (it
is a design tool; it writes nothing but its audit entry). Bad dates are 422 naming
``from``/``to``; an unknown agreement or version is 404.
"""

from datetime import date

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from accord.accounts.auth import require
from accord.agreements import queries
from accord.agreements.models import AgreementVersion
from accord.lib.errors import InvalidInput

from .fit import fit
from .impact import impact
from .maintenance import notify_maintenance
from .models import AgreementTemplate
from .services import acknowledge_fit
from .simulate import simulate, simulate_slr
from .templating import instantiate

router = Router(tags=["planning"])


class SimulateIn(Schema):
    from_: date = Field(..., alias="from", description="first day, in the reporting zone")
    to: date = Field(..., description="last day (inclusive), in the reporting zone")


@router.post("/agreements/{agreement_id}/versions/{number}/simulate")
def simulate_version(request, agreement_id: int, number: int, payload: SimulateIn):
    """How this version would have done over the stored events of [from, to], month by
    month, beside the stored figures of the version in force (``baseline``)."""
    require(request, "view")
    agreement = get_object_or_404(queries.visible_to(request.user), pk=agreement_id)
    version = get_object_or_404(AgreementVersion.objects.select_related("agreement"),
                                agreement=agreement, number=number)
    by = require(request, "change_agreement")
    return JsonResponse(simulate(version, payload.from_, payload.to, now=timezone.now(),
                                 by=by))


class SlrSimulateIn(SimulateIn):
    agreement: int | None = Field(None, description="the SLA to replay against (id); default: "
                                  "the customer's SLA in force")


@router.post("/slrs/{slr_id}/simulate")
def simulate_slr_targets(request, slr_id: int, payload: SlrSimulateIn):
    """The SLR's requested targets as a hypothetical version of the customer's SLA, replayed
    over [from, to]: which would we have met? Same JSON, ``version`` null."""
    require(request, "view")
    slr = get_object_or_404(queries.slrs_visible_to(request.user), pk=slr_id)
    by = require(request, "change_agreement")
    chosen = None
    if payload.agreement is not None:
        chosen = get_object_or_404(queries.visible_to(request.user), pk=payload.agreement)
    return JsonResponse(simulate_slr(slr, payload.from_, payload.to, now=timezone.now(),
                                     by=by, agreement=chosen))


class ImpactFilters(Schema):
    component: int | None = Field(None, description="component id")
    service: int | None = Field(None, description="service id")
    from_: AwareDatetime | None = Field(None, alias="from", description="planned window start")
    to: AwareDatetime | None = Field(None, description="planned window end")


@router.get("/impact")
def change_impact(request, filters: Query[ImpactFilters]):
    """What an outage or planned work on a component or a service (exactly one, by id)
    would touch: dependent services (``down``: whether it takes them down, redundancy
    considered), their agreements with each availability target's budget left this period,
    their customers, and whether the window [from, to] lies inside agreed maintenance."""
    require(request, "view")
    return JsonResponse(impact(component=filters.component, service=filters.service,
                               start=filters.from_, end=filters.to, now=timezone.now()))


class NotifyIn(Schema):
    channel: int | None = Field(None, description="channel id; default: the first enabled "
                                "email channel")


@router.post("/maintenance-windows/{window_id}/notify")
def notify(request, window_id: int, payload: NotifyIn):
    """Queue a notice of the window to the contacts of the customers it affects (one
    notification per window and contact: calling again sends nothing twice)."""
    from accord.escalation.models import Channel
    from accord.measurement.models import MaintenanceWindow

    require(request, "view")
    window = get_object_or_404(MaintenanceWindow, pk=window_id)
    by = require(request, "change_agreement")
    channel = (get_object_or_404(Channel, pk=payload.channel) if payload.channel is not None
               else None)
    return JsonResponse(notify_maintenance(window, by=by, now=timezone.now(), channel=channel))


@router.get("/agreements/{agreement_id}/fit")
def agreement_fit(request, agreement_id: int, version: int | None = None):
    """How the OLA and UC targets underpinning this SLA fit its targets: design-time over the
    next full fortnight, and measured from the clocks' attribution."""
    require(request, "view")
    agreement = get_object_or_404(queries.visible_to(request.user), pk=agreement_id)
    chosen = (get_object_or_404(AgreementVersion, agreement=agreement, number=version)
              if version is not None else None)
    return JsonResponse(fit(agreement, timezone.now(), chosen))


class AcknowledgeIn(Schema):
    reason: str = Field(..., description="why sign although the underpinning does not fit")


@router.post("/agreements/{agreement_id}/versions/{number}/fit/acknowledge",
             response={201: dict})
def acknowledge(request, agreement_id: int, number: int, payload: AcknowledgeIn):
    """Record who signs this SLA draft knowing its OLA/UC targets do not fit, and why."""
    require(request, "view")
    agreement = get_object_or_404(queries.visible_to(request.user), pk=agreement_id)
    version = get_object_or_404(AgreementVersion, agreement=agreement, number=number)
    by = require(request, "change_agreement")
    ack = acknowledge_fit(version, by=by, reason=payload.reason, now=timezone.now())
    return Status(201, {"id": ack.pk, "version": number, "by": by.username, "reason": ack.reason,
                 "misfits": ack.misfits, "at": ack.at.isoformat()})


@router.get("/agreement-templates")
def list_templates(request):
    """The current version of each agreement template."""
    require(request, "view")
    out, seen = [], set()
    for t in AgreementTemplate.objects.order_by("name", "-number"):
        if t.name not in seen:
            seen.add(t.name)
            out.append({"id": t.pk, "name": t.name, "number": t.number, "kind": t.kind,
                        "structure": t.structure, "description": t.description,
                        "targets": t.targets, "review_cadence_months": t.review_cadence_months})
    return out


class InstantiateIn(Schema):
    name: str = ""
    customer: int | None = None
    service: int | None = None
    team: int | None = None
    supplier: int | None = None
    effective_from: AwareDatetime | None = None


@router.post("/agreement-templates/{template_id}/instantiate", response={201: dict})
def instantiate_template(request, template_id: int, payload: InstantiateIn):
    """A new draft agreement from this template for a customer and service, a team or a
    supplier (ids)."""
    from accord.catalogue.models import Customer, Service, Supplier, Team

    by = require(request, "change_agreement")
    template = get_object_or_404(AgreementTemplate, pk=template_id)
    parties = {}
    for name, model in (("customer", Customer), ("service", Service), ("team", Team),
                        ("supplier", Supplier)):
        value = getattr(payload, name)
        if value is not None:
            parties[name] = model.objects.filter(pk=value).first()
            if parties[name] is None:
                raise InvalidInput(f"no {name} {value}", name)
    agreement = instantiate(template, by=by, now=timezone.now(), name=payload.name,
                            effective_from=payload.effective_from, **parties)
    return Status(201, {"id": agreement.pk, "agreement": agreement.reference,
                        "name": agreement.name, "version": 1, "template": template.name,
                        "template_version": template.number})
