"""Web forms for authoring agreements, versions, targets and priority matrices.

They only parse what a browser sends into the values services.py and versions.py take; the
rules stay in those services (and validation.py), whose errors the views attach to the field
they name (``FIELD_OF`` maps a service field to the form field that entered it).
"""

import re

from django import forms
from django.utils import timezone

from accord.accounts.models import User
from accord.catalogue.forms import possible_owners
from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.clock.events import KINDS

from .choices import DURATION_METRICS, AgreementKind, Metric, Period, ReopenPolicy, Structure
from .models import CONDITION_FIELDS, Agreement

CONDITIONS = {name.removesuffix("_condition"): name for name in CONDITION_FIELDS}
CONDITION_HELP = {
    "start": "When the clock starts (empty: when the ticket is created).",
    "pause": "While true the clock is paused, e.g. status “Pending customer”.",
    "stop": "When the clock stops (empty: resolved or closed, by metric).",
    "reset": "Restarts the clock from zero.",
    "cancel": "Cancels the clock (it no longer counts).",
}
# A service error's field -> the form field that shows it.
FIELD_OF = {
    "duration_seconds": "duration_hours",
    "warning_thresholds": "warnings",
    **{name: f"{short}_field" for short, name in CONDITIONS.items()},
}


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class AgreementForm(forms.Form):
    name = forms.CharField(max_length=150)
    kind = forms.ChoiceField(choices=AgreementKind.choices)
    structure = forms.ChoiceField(required=False, choices=[("", "— (OLAs and UCs)"),
                                                           *Structure.choices])
    customer = forms.ModelChoiceField(Customer.objects.all(), required=False,
                                      empty_label="— (none)")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="— (none)")
    supplier = forms.ModelChoiceField(Supplier.objects.all(), required=False,
                                      empty_label="— (none)")
    parent = forms.ModelChoiceField(Agreement.objects.filter(kind=AgreementKind.SLA),
                                    required=False, empty_label="— (none)",
                                    label="Inherits from")
    services = forms.ModelMultipleChoiceField(
        Service.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every service.")
    underpins = forms.ModelMultipleChoiceField(
        Agreement.objects.filter(kind=AgreementKind.SLA), required=False,
        help_text="OLAs and UCs: the SLAs they support.")
    calendar = forms.ModelChoiceField(Calendar.objects.all(), required=False,
                                      empty_label="— (the service's or 24x7)",
                                      label="Agreement hours")
    owner = forms.ModelChoiceField(User.objects.none(), required=False, empty_label="(nobody)")
    monthly_charge = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(required=False, max_length=3, help_text="e.g. EUR")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    RELATIONS = ("customer", "team", "supplier", "parent", "calendar", "owner")

    def __init__(self, *args, agreement: Agreement | None = None, **kwargs):
        initial = {}
        if agreement is not None:
            initial = {name: getattr(agreement, name) for name in (
                "name", "kind", "structure", "monthly_charge", "currency", "description")}
            initial.update({name: getattr(agreement, f"{name}_id") for name in self.RELATIONS})
            initial["services"] = list(agreement.services.values_list("pk", flat=True))
            initial["underpins"] = list(agreement.underpins.values_list("pk", flat=True))
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["owner"].queryset = possible_owners()
        if agreement is not None:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=agreement.pk)
            if agreement.has_signed_version():  # the parties and shape are fixed now
                for name in ("kind", "structure", "customer", "team", "supplier", "parent"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Fixed once a version has been signed."
            self.fields["underpins"].queryset = self.fields["underpins"].queryset.exclude(
                pk=agreement.pk)

    def values(self) -> dict:
        """The cleaned values as ``create_agreement``/``update_agreement`` take them."""
        data = dict(self.cleaned_data)
        data["services"] = list(data["services"])
        data["underpins"] = list(data["underpins"])
        return data


class FirstVersionForm(forms.Form):
    """The first version's dates and text, asked for when an agreement is created."""

    effective_from = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Needed before signing. Your time zone.")
    effective_to = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: open-ended.")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Agreement text")

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _local(value):
    return value.strftime("%Y-%m-%dT%H:%M") if value else None


class VersionForm(forms.Form):
    effective_from = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Your time zone.")
    effective_to = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: open-ended.")
    review_due = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: one year after effective from.")
    change_summary = forms.CharField(required=False, max_length=300)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           label="Agreement text")

    def __init__(self, *args, version=None, **kwargs):
        initial = {}
        if version is not None:
            initial = {"text": version.text, "change_summary": version.change_summary}
            for name in ("effective_from", "effective_to", "review_due"):
                value = getattr(version, name)
                initial[name] = _local(timezone.localtime(value)) if value else None
        super().__init__(*args, initial=initial, **kwargs)

    def changes(self, *, new: bool = False) -> dict:
        data = dict(self.cleaned_data)
        if new:
            return {k: v for k, v in data.items() if v not in (None, "") and k != "review_due"}
        return data


def parse_condition(value) -> dict | None:
    """A stored condition as the form's parts {statuses, kinds, field, values}, or None when
    the form cannot show it (then it is kept as it is)."""
    parts = {"statuses": [], "kinds": [], "field": "", "values": []}
    if not value:
        return parts
    tests = value["any"] if set(value) == {"any"} else [value]
    for test in tests:
        if not isinstance(test, dict):
            return None
        if set(test) == {"kind"}:
            kinds = [test["kind"]] if isinstance(test["kind"], str) else list(test["kind"])
            if parts["kinds"]:
                return None
            parts["kinds"] = kinds
        elif set(test) == {"field", "in"} or set(test) == {"field", "equals"}:
            values = test.get("in", [test.get("equals")])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return None
            if test["field"] == "status" and not parts["statuses"]:
                parts["statuses"] = values
            elif not parts["field"]:
                parts["field"], parts["values"] = test["field"], values
            else:
                return None
        else:
            return None
    return parts


def build_condition(statuses, kinds, field, values) -> dict | None:
    """The condition the form's parts describe: any of its tests (None when none is given)."""
    tests = []
    if statuses:
        tests.append({"field": "status", "in": statuses})
    if kinds:
        tests.append({"kind": list(kinds)})
    if field or values:
        tests.append({"field": field, "in": values})
    if not tests:
        return None
    return tests[0] if len(tests) == 1 else {"any": tests}


class TargetForm(forms.Form):
    metric = forms.ChoiceField(choices=Metric.choices)
    name = forms.CharField(required=False, max_length=150,
                           help_text="Empty: named after the metric and scope.")
    service = forms.ModelChoiceField(Service.objects.all(), required=False,
                                     empty_label="Any service")
    priority = forms.CharField(required=False, max_length=32, help_text="Empty: any priority.")
    ticket_type = forms.CharField(required=False, max_length=64, label="Ticket type",
                                  help_text="Empty: any type.")
    calendar = forms.ModelChoiceField(Calendar.objects.all(), required=False,
                                      empty_label="— (customer's, agreement's or service's)")
    duration_hours = forms.IntegerField(required=False, min_value=0, label="Business hours",
                                        help_text="Time targets: business hours …")
    duration_minutes = forms.IntegerField(required=False, min_value=0, max_value=59,
                                          label="and minutes")
    percentage = forms.DecimalField(required=False, label="Target %",
                                    help_text="Availability, experience and ratio targets.")
    objective_percent = forms.DecimalField(required=False, label="Objective %",
                                           help_text="Share of tickets that must meet it, "
                                                     "e.g. 95.")
    period = forms.ChoiceField(choices=Period.choices, initial=Period.MONTH)
    warnings = forms.CharField(required=False, label="Warn at % used", initial="50, 75, 90",
                               help_text="Comma separated, increasing.")
    reopen_policy = forms.ChoiceField(choices=ReopenPolicy.choices, label="On reopen")
    credit_amount = forms.DecimalField(required=False, label="Credit per breach")
    credit_currency = forms.CharField(required=False, max_length=3, label="Credit currency")
    credit_percent = forms.DecimalField(required=False, label="Credit % of monthly charge")

    def __init__(self, *args, agreement: Agreement, target=None, **kwargs):
        initial = {"warnings": "50, 75, 90", "period": Period.MONTH,
                   "reopen_policy": ReopenPolicy.NEW_CYCLE}
        self.kept: dict[str, object] = {}  # conditions the form cannot show, kept as they are
        if target is not None:
            initial = {name: getattr(target, name) for name in (
                "metric", "name", "priority", "ticket_type", "percentage", "objective_percent",
                "period", "reopen_policy", "credit_amount", "credit_currency",
                "credit_percent")}
            initial.update(service=target.service_id, calendar=target.calendar_id,
                           warnings=", ".join(str(w) for w in target.warning_thresholds or []))
            if target.duration_seconds is not None:
                initial["duration_hours"], rest = divmod(target.duration_seconds, 3600)
                initial["duration_minutes"] = rest // 60
        super().__init__(*args, initial=initial, **kwargs)
        covered = agreement.services.all()
        if covered.exists():
            self.fields["service"].queryset = covered
        for short, name in CONDITIONS.items():
            stored = getattr(target, name) if target is not None else None
            parts = parse_condition(stored)
            if parts is None:
                self.kept[name] = stored
                parts = {"statuses": [], "kinds": [], "field": "", "values": []}
            label = short.title()
            self.fields[f"{short}_statuses"] = forms.CharField(
                required=False, label=f"{label}: status is",
                initial=", ".join(parts["statuses"]), help_text=CONDITION_HELP[short]
                + " Statuses, comma separated.")
            self.fields[f"{short}_kinds"] = forms.MultipleChoiceField(
                required=False, label=f"{label}: or event is",
                choices=[(k, k.replace("_", " ")) for k in KINDS], initial=parts["kinds"],
                widget=forms.CheckboxSelectMultiple)
            self.fields[f"{short}_field"] = forms.CharField(
                required=False, label=f"{label}: or field", initial=parts["field"],
                help_text="A ticket field or payload.<key> …")
            self.fields[f"{short}_values"] = forms.CharField(
                required=False, label="is one of", initial=", ".join(parts["values"]),
                help_text="… and its values, comma separated.")

    def main_fields(self):
        return [self[n] for n in ("metric", "name", "service", "priority", "ticket_type",
                                  "calendar")]

    def threshold_fields(self):
        return [self[n] for n in ("duration_hours", "duration_minutes", "percentage",
                                  "objective_percent", "period", "warnings", "reopen_policy")]

    def credit_fields(self):
        return [self[n] for n in ("credit_amount", "credit_currency", "credit_percent")]

    def condition_groups(self):
        """Pause and stop first (the rules most targets set); the others fold away unless
        they are set or refused."""
        order = ("pause", "stop", "start", "reset", "cancel")
        return [{"name": short.title(), "kept": CONDITIONS[short] in self.kept,
                 "open": short in ("pause", "stop") or CONDITIONS[short] in self.kept
                 or any(self[f"{short}_{p}"].value() or self[f"{short}_{p}"].errors
                        for p in ("statuses", "kinds", "field", "values")),
                 "fields": [self[f"{short}_{p}"] for p in ("statuses", "kinds", "field",
                                                           "values")]}
                for short in order]

    def clean_warnings(self):
        text = self.cleaned_data["warnings"]
        values = []
        for part in _words(text):
            try:
                number = float(part)
            except ValueError:
                raise forms.ValidationError(f"{part!r} is not a number") from None
            values.append(int(number) if number.is_integer() else number)
        return values

    def values(self) -> dict:
        """The target as ``versions.add_target``/``update_target`` take it."""
        data = self.cleaned_data
        hours, minutes = data.get("duration_hours"), data.get("duration_minutes")
        seconds = None
        if data["metric"] in DURATION_METRICS or hours or minutes:
            seconds = (hours or 0) * 3600 + (minutes or 0) * 60
        out = {name: data[name] for name in (
            "metric", "name", "service", "priority", "ticket_type", "calendar", "percentage",
            "objective_percent", "period", "reopen_policy", "credit_amount", "credit_currency",
            "credit_percent")}
        out["duration_seconds"] = seconds
        out["warning_thresholds"] = data["warnings"]
        for short, name in CONDITIONS.items():
            if name in self.kept:
                continue  # shown read-only: the stored condition stays
            out[name] = build_condition(
                _words(data.get(f"{short}_statuses") or ""), data.get(f"{short}_kinds") or [],
                (data.get(f"{short}_field") or "").strip(),
                _words(data.get(f"{short}_values") or ""))
        return out


class MatrixForm(forms.Form):
    """Impact × urgency → priority as rows; empty rows are ignored."""

    EXTRA = 4

    def __init__(self, *args, cells=(), **kwargs):
        super().__init__(*args, **kwargs)
        rows = [(c.impact, c.urgency, c.priority) for c in cells]
        self.n = len(rows) + self.EXTRA
        for i in range(self.n):
            values = rows[i] if i < len(rows) else ("", "", "")
            for name, value in zip(("impact", "urgency", "priority"), values, strict=True):
                label = f"{name.title()} (row {i + 1})"
                self.fields[f"{name}_{i}"] = forms.CharField(
                    required=False, max_length=32, initial=value, label=label,
                    widget=forms.TextInput(attrs={"aria-label": label, "size": 8}))

    def rows(self):
        return [[self[f"{n}_{i}"] for n in ("impact", "urgency", "priority")]
                for i in range(self.n)]

    def cells(self) -> list[dict]:
        """The filled rows; ``self.row_of[k]`` is the form row of the k-th cell."""
        out, self.row_of = [], []
        for i in range(self.n):
            row = {n: (self.cleaned_data.get(f"{n}_{i}") or "").strip()
                   for n in ("impact", "urgency", "priority")}
            if any(row.values()):
                out.append(row)
                self.row_of.append(i)
        return out

    def field_of(self, error_field: str | None) -> str | None:
        """``cells[2].urgency`` (a service error) -> the form field of that cell."""
        match = re.fullmatch(r"cells\[(\d+)\]\.(\w+)", error_field or "")
        if match is None or int(match[1]) >= len(self.row_of):
            return None
        return f"{match[2]}_{self.row_of[int(match[1])]}"
