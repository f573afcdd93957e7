"""Web forms of the SLR pages: capture, evaluate, convert. Requested targets are rows of
plain fields (metric, scope, hours and minutes, objective), not JSON."""

import re

from django import forms
from django.db.models import Q

from accord.catalogue.models import Customer, Service

from .choices import DURATION_METRICS, AgreementKind, Feasibility, Metric
from .models import TERMINAL, Agreement, ServiceLevelRequirement

ROW_FIELDS = ("metric", "priority", "hours", "minutes", "objective_percent", "percentage",
              "note")


class SlrForm(forms.Form):
    title = forms.CharField(max_length=200)
    customer = forms.ModelChoiceField(Customer.objects.all())
    service = forms.ModelChoiceField(Service.objects.all(), required=False,
                                     empty_label="— (any service)")
    requested_by = forms.CharField(required=False, max_length=150)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Requirement", help_text="In the customer's words.")

    EXTRA = 3

    def __init__(self, *args, slr: ServiceLevelRequirement | None = None, **kwargs):
        initial, rows = {}, []
        if slr is not None:
            initial = {"title": slr.title, "customer": slr.customer_id,
                       "service": slr.service_id, "requested_by": slr.requested_by,
                       "text": slr.text}
            rows = slr.requested_targets or []
        super().__init__(*args, initial=initial, **kwargs)
        self.n = len(rows) + self.EXTRA
        for i in range(self.n):
            row = rows[i] if i < len(rows) else {}
            seconds = row.get("duration_seconds")
            values = {
                "metric": row.get("metric", ""), "priority": row.get("priority", ""),
                "hours": seconds // 3600 if seconds else None,
                "minutes": (seconds % 3600) // 60 if seconds else None,
                "objective_percent": row.get("objective_percent"),
                "percentage": row.get("percentage"), "note": row.get("note", ""),
            }
            self._row_fields(i, values)

    def _row_fields(self, i, values):
        def label(text):
            return {"label": f"{text} (row {i + 1})",
                    "widget_attrs": {"aria-label": f"{text} (row {i + 1})"}}

        specs = {
            "metric": (forms.ChoiceField, {"choices": [("", "—"), *Metric.choices]}),
            "priority": (forms.CharField, {"max_length": 32}),
            "hours": (forms.IntegerField, {"min_value": 0}),
            "minutes": (forms.IntegerField, {"min_value": 0, "max_value": 59}),
            "objective_percent": (forms.DecimalField, {}),
            "percentage": (forms.DecimalField, {}),
            "note": (forms.CharField, {"max_length": 1000}),
        }
        for name, (cls, extra) in specs.items():
            meta = label(name.replace("_", " ").capitalize())
            field = cls(required=False, label=meta["label"], initial=values[name], **extra)
            field.widget.attrs.update(meta["widget_attrs"])
            self.fields[f"t{i}_{name}"] = field

    def rows(self):
        return [[self[f"t{i}_{name}"] for name in ROW_FIELDS] for i in range(self.n)]

    def values(self) -> dict:
        data = self.cleaned_data
        targets, self.row_of = [], []
        for i in range(self.n):
            row = {name: data.get(f"t{i}_{name}") for name in ROW_FIELDS}
            if not row["metric"]:
                continue
            item = {"metric": row["metric"]}
            if row["priority"]:
                item["priority"] = row["priority"].strip()
            if row["metric"] in DURATION_METRICS or row["hours"] or row["minutes"]:
                item["duration_seconds"] = (row["hours"] or 0) * 3600 + (row["minutes"] or 0) * 60
            for name in ("objective_percent", "percentage"):
                if row[name] is not None:
                    item[name] = str(row[name])
            if row["note"]:
                item["note"] = row["note"]
            targets.append(item)
            self.row_of.append(i)
        return {name: data[name] for name in ("title", "customer", "service", "requested_by",
                                               "text")} | {"requested_targets": targets}

    def field_of(self, error_field: str | None) -> str | None:
        """requested_targets[1].duration_seconds -> the form field of that row."""
        match = re.fullmatch(r"requested_targets\[(\d+)\]\.(\w+)", error_field or "")
        if match is None:
            return error_field if error_field in self.fields else None
        k, name = int(match[1]), match[2]
        if k >= len(getattr(self, "row_of", [])):
            return None
        name = {"duration_seconds": "hours"}.get(name, name)
        field = f"t{self.row_of[k]}_{name}"
        return field if field in self.fields else f"t{self.row_of[k]}_metric"


class EvaluateForm(forms.Form):
    feasibility = forms.ChoiceField(choices=Feasibility.choices, label="Can we deliver it?")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(required=False, choices=[
        ("", "Keep evaluating"), ("accept", "Accept"), ("reject", "Reject")])


class ConvertForm(forms.Form):
    agreement = forms.ModelChoiceField(Agreement.objects.none(), required=False,
                                       empty_label="— a new customer-based SLA",
                                       label="Into the draft of")
    name = forms.CharField(required=False, max_length=150, label="New SLA's name",
                           help_text="Only for a new SLA.")

    def __init__(self, *args, slr: ServiceLevelRequirement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = Agreement.objects.filter(
            Q(customer=slr.customer) | Q(customer__isnull=True),
            kind=AgreementKind.SLA).exclude(status__in=TERMINAL)
