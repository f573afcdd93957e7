"""Web forms of improvement plans, risks and breach investigations. They only parse what a
browser sends into the values the services take (plans.py, risks.py, investigations.py);
the rules live there, and the views attach a service's error to the field it names."""

from django import forms

from accord.accounts.models import User
from accord.agreements.models import Agreement, Target
from accord.catalogue.forms import possible_owners
from accord.catalogue.models import Service
from accord.lib.errors import DomainError
from accord.measurement.choices import ResponsibleParty
from accord.measurement.models import ReasonCode

from .choices import PlanStatus, RiskState
from .models import Plan

MILESTONE_HELP = ("One per line: title | due date (YYYY-MM-DD, optional) | done (optional), "
                  "e.g. Runbook written | 2025-05-01")
TEXTAREA = {"rows": 4}


def attach(form: forms.Form, exc: DomainError) -> None:
    """Put a service's error next to the field it names ("milestones.0.due" -> milestones),
    or above the form when the form has no such field."""
    field = (exc.field or "").split(".")[0]
    form.add_error(field if field in form.fields else None, exc.message)


def milestones_text(milestones: list) -> str:
    return "\n".join(" | ".join(filter(None, [m["title"], m.get("due") or "",
                                              "done" if m.get("done") else ""]))
                     for m in milestones)


def parse_milestones(text: str) -> list[dict]:
    """"Runbook | 2025-05-01 | done" -> {"title", "due", "done"}; the service checks them."""
    out = []
    for line in filter(None, (x.strip() for x in text.splitlines())):
        parts = [p.strip() for p in line.split("|")]
        out.append({"title": parts[0], "due": (parts[1] if len(parts) > 1 else "") or None,
                    "done": len(parts) > 2 and parts[2].lower() in ("done", "yes", "x", "✔")})
    return out


def parse_ids(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def target_label(target: Target) -> str:
    version = target.version
    return f"{version.agreement.reference} v{version.number}: {target}"


def plan_targets(agreements, plan: Plan | None = None):
    """Targets a plan may address: those of the signed versions of visible agreements (and
    the ones it addresses already)."""
    found = Target.objects.filter(version__agreement_id__in=agreements.values("pk"),
                                  version__frozen_at__isnull=False)
    if plan is not None:
        found = found.filter(version__agreement=plan.agreement) | plan.targets.all()
    return found.select_related("version__agreement", "service").distinct().order_by(
        "version__agreement__name", "version__number", "position", "id")


class TargetChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return target_label(obj)


class PlanForm(forms.Form):
    """A new plan, or a plan's editable values: its terms while it is a draft, milestones
    and status always (until completed or cancelled)."""

    TERMS = ("title", "shortfall", "customer_facing", "targets", "breaches")

    agreement = forms.ModelChoiceField(queryset=Agreement.objects.none())
    title = forms.CharField(max_length=200)
    shortfall = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA),
                                help_text="What falls short, in words.")
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False,
                                     empty_label="(none)")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="(you)")
    customer_facing = forms.BooleanField(
        required=False, help_text="Approved by the customer's signatory instead of a service "
                                  "level manager.")
    targets = TargetChoice(queryset=Target.objects.none(), required=False,
                           label="Targets addressed",
                           widget=forms.SelectMultiple(attrs={"size": 6}))
    breaches = forms.CharField(required=False, label="Breaches addressed",
                               help_text="Ids of breached clocks of the agreement, e.g. 12, 15.")
    milestones = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                 help_text=MILESTONE_HELP)
    status = forms.ChoiceField(required=False, choices=[
        ("", "(unchanged)"), (PlanStatus.STARTED, "Started"),
        (PlanStatus.COMPLETED, "Completed"), (PlanStatus.CANCELLED, "Cancelled")],
        help_text="Approval is a separate step on the plan's page.")

    def __init__(self, *args, plan: Plan | None, agreements, **kwargs):
        initial = {}
        if plan is not None:
            initial = {"title": plan.title, "shortfall": plan.shortfall,
                       "customer_facing": plan.customer_facing,
                       "targets": [t.pk for t in plan.targets.all()],
                       "breaches": ", ".join(str(c.pk) for c in plan.breaches.all()),
                       "milestones": milestones_text(plan.milestones)}
        super().__init__(*args, initial=initial, **kwargs)
        self.plan = plan
        self.fields["targets"].queryset = plan_targets(agreements, plan)
        if plan is None:
            self.fields["agreement"].queryset = agreements.order_by("kind", "name")
            self.fields["owner"].queryset = possible_owners()
            del self.fields["status"]
        else:
            for name in ("agreement", "service", "owner"):
                del self.fields[name]
            if plan.status != PlanStatus.DRAFT:  # an approved plan's terms are fixed
                for name in self.TERMS:
                    del self.fields[name]

    def clean_breaches(self):
        ids = parse_ids(self.cleaned_data["breaches"])
        bad = [i for i in ids if not i.isdigit()]
        if bad:
            raise forms.ValidationError(f"breaches are clock ids (numbers), got {bad[0]!r}")
        return [int(i) for i in ids]

    def clean_milestones(self):
        return parse_milestones(self.cleaned_data["milestones"])

    def values(self) -> dict:
        """The changed values as ``plans.update_plan`` takes them."""
        data = self.cleaned_data
        out = {name: data[name] for name in ("title", "shortfall", "customer_facing",
                                             "breaches", "milestones") if name in data}
        if "targets" in data:
            out["targets"] = [t.pk for t in data["targets"]]
        if data.get("status"):
            out["status"] = data["status"]
        return out


class PlanActionForm(forms.Form):
    """An action of the plan: owner and due date default like every raised action."""

    title = forms.CharField(max_length=200, label="Action")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="(the agreement's owner)")
    due = forms.DateField(required=False, help_text="Empty: the default number of days "
                                                   "ahead.",
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()


class RiskForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA))
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False,
                                     empty_label="(none)")
    agreement = forms.ModelChoiceField(queryset=Agreement.objects.none(), required=False,
                                       empty_label="(none)")
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), required=False,
                                  empty_label="(none)", label="Improvement plan")
    likelihood = forms.IntegerField(help_text="1 (rare) to 5 (almost certain).",
                                    widget=forms.NumberInput(attrs={"min": 1, "max": 5}))
    impact = forms.IntegerField(help_text="1 (minor) to 5 (severe).",
                                widget=forms.NumberInput(attrs={"min": 1, "max": 5}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="(you)")
    status = forms.ChoiceField(choices=RiskState.choices)
    review_date = forms.DateField(required=False, help_text="When to look at it again.",
                                  widget=forms.DateInput(attrs={"type": "date"}))

    # What the edit form may change (as the API's PATCH).
    EDITABLE = ("title", "description", "likelihood", "impact", "owner", "status",
                "review_date")

    def __init__(self, *args, risk=None, agreements, plans, **kwargs):
        initial = {"status": RiskState.OPEN, "likelihood": 3, "impact": 3}
        if risk is not None:
            initial = {name: getattr(risk, name) for name in self.EDITABLE}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["owner"].queryset = possible_owners()
        if risk is None:
            self.fields["agreement"].queryset = agreements.order_by("kind", "name")
            self.fields["plan"].queryset = plans
        else:
            for name in ("service", "agreement", "plan"):
                del self.fields[name]
            self.fields["owner"].empty_label = "(unchanged)"

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("owner") is None:
            data.pop("owner", None)
        return data


class ReasonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.code})"


class InvestigationForm(forms.Form):
    reason = ReasonChoice(queryset=ReasonCode.objects.filter(active=True),
                                    to_field_name="code", required=False,
                                    empty_label="(not known yet)", label="Reason code")
    root_cause = forms.CharField(required=False, label="Root cause",
                                 widget=forms.Textarea(attrs=TEXTAREA))
    party = forms.ChoiceField(required=False, label="Responsible party",
                              choices=[("", "(not confirmed)"), *ResponsibleParty.choices])
    problems = forms.CharField(required=False, label="Problem tickets",
                               help_text="Ticket ids of the problem records, e.g. PRB-7, PRB-9.")

    def __init__(self, *args, investigation, suggested: str, **kwargs):
        initial = {"party": suggested}
        if investigation is not None and investigation.pk:
            initial = {"reason": investigation.reason.code if investigation.reason_id else None,
                       "root_cause": investigation.root_cause,
                       "party": investigation.party or suggested,
                       "problems": ", ".join(t.ticket_id for t in
                                             investigation.problems.all())}
        super().__init__(*args, initial=initial, **kwargs)
        label = dict(ResponsibleParty.choices)[suggested]
        self.fields["party"].help_text = (f"Suggested from who held most of the clock's "
                                          f"business time: {label}. Saving confirms it.")

    def values(self) -> dict:
        data = self.cleaned_data
        return {"reason": data["reason"].code if data["reason"] else None,
                "root_cause": data["root_cause"], "party": data["party"],
                "problems": parse_ids(data["problems"])}
