"""Web forms for channels and escalation policies. They parse; services/setup.py decides
(the API's rules), and its errors land on the field they name (``config.url`` -> ``url``,
``steps.2.threshold`` -> the threshold of the third filled step row)."""

import re

from django import forms

from accord.agreements.models import Agreement

from .choices import ChannelKind, Level, ThresholdKind
from .models import Channel, EscalationPolicy

STEP_FIELDS = ("threshold_kind", "threshold", "level", "recipients", "channels", "requires_ack")


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,\n]", text or "") if w.strip()]


class ChannelForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=ChannelKind.choices)
    enabled = forms.BooleanField(required=False, initial=True)
    url = forms.CharField(required=False, label="URL",
                          help_text="Webhook, Slack or Teams: where to POST.")
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                             help_text="Webhook: HMAC key, at least 16 characters.")
    timeout = forms.FloatField(required=False, help_text="Seconds (HTTP kinds).")
    addresses = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="Email: addresses, comma or line separated.")
    from_email = forms.CharField(required=False, label="From address")

    def __init__(self, *args, channel: Channel | None = None, **kwargs):
        self.channel = channel
        initial = {"enabled": True}
        if channel is not None:
            config = channel.config
            initial = {"name": channel.name, "kind": channel.kind, "enabled": channel.enabled,
                       "timeout": config.get("timeout"),
                       "addresses": ", ".join(config.get("addresses", [])),
                       "from_email": config.get("from_email", "")}
        super().__init__(*args, initial=initial, **kwargs)
        if channel is not None:
            for name in ("url", "secret"):
                self.fields[name].help_text += " Leave empty to keep the stored one."

    def values(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        keep = self.channel is not None and self.channel.kind == kind
        if kind == ChannelKind.LOG:
            config = {}
        elif kind == ChannelKind.EMAIL:
            config = {"addresses": _words(data["addresses"])}
            if data["from_email"]:
                config["from_email"] = data["from_email"].strip()
        else:
            config = {}
            if data["url"] or not keep:
                config["url"] = data["url"].strip()
            if kind == ChannelKind.WEBHOOK and (data["secret"] or not keep):
                config["secret"] = data["secret"]
            if data["timeout"] is not None:
                config["timeout"] = data["timeout"]
        return {"name": data["name"], "kind": kind, "enabled": data["enabled"],
                "config": config}

    def field_of(self, error_field: str | None) -> str | None:
        name = (error_field or "").removeprefix("config.").split(".")[0]
        return name if name in self.fields else None


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agreement = forms.ModelChoiceField(Agreement.objects.all(), required=False,
                                       empty_label="— every agreement (the global default)",
                                       label="Applies to")

    EXTRA = 2

    def __init__(self, *args, policy: EscalationPolicy | None = None, **kwargs):
        self.policy = policy
        steps = []
        initial = {}
        if policy is not None:
            initial = {"name": policy.name, "description": policy.description,
                       "agreement": policy.agreement_id}
            steps = list(policy.steps.prefetch_related("channels"))
        super().__init__(*args, initial=initial, **kwargs)
        if policy is not None and policy.target_id:
            self.fields["agreement"].disabled = True
            self.fields["agreement"].help_text = (
                f"Set for target #{policy.target_id}: change it through the API.")
        channel_choices = [(c.pk, c.name) for c in Channel.objects.all()]
        self.n = len(steps) + self.EXTRA
        for i in range(self.n):
            step = steps[i] if i < len(steps) else None
            n = f"step {i + 1}"
            self._add(i, "threshold_kind", forms.ChoiceField(
                choices=[("", "—"), *ThresholdKind.choices], required=False,
                initial=step.threshold_kind if step else ""), f"When ({n})")
            self._add(i, "threshold", forms.IntegerField(
                required=False, min_value=0, initial=step.threshold if step else None),
                f"Threshold ({n})")
            self._add(i, "level", forms.ChoiceField(
                choices=Level.choices, required=False,
                initial=step.level if step else Level.L1),
                f"Level ({n})")
            self._add(i, "recipients", forms.CharField(
                required=False, initial=", ".join(step.recipients) if step else ""),
                f"Recipients ({n})")
            self._add(i, "channels", forms.MultipleChoiceField(
                required=False, choices=channel_choices, widget=forms.CheckboxSelectMultiple,
                initial=[c.pk for c in step.channels.all()] if step else []),
                f"Channels ({n})")
            self._add(i, "requires_ack", forms.BooleanField(
                required=False, initial=step.requires_ack if step else False),
                f"Needs acknowledgement ({n})")

    def _add(self, i, name, field, label):
        field.label = label
        if not isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["aria-label"] = label
        self.fields[f"s{i}_{name}"] = field

    def step_rows(self):
        return [[self[f"s{i}_{name}"] for name in STEP_FIELDS] for i in range(self.n)]

    def values(self) -> dict:
        data = self.cleaned_data
        steps, self.row_of = [], []
        for i in range(self.n):
            kind = data.get(f"s{i}_threshold_kind")
            if not kind:
                continue
            steps.append({
                "threshold_kind": kind, "threshold": data.get(f"s{i}_threshold"),
                "level": data.get(f"s{i}_level") or Level.L1,
                "recipients": _words(data.get(f"s{i}_recipients")),
                "channel_ids": [int(c) for c in data.get(f"s{i}_channels") or []],
                "requires_ack": bool(data.get(f"s{i}_requires_ack")),
            })
            self.row_of.append(i)
        out = {"name": data["name"], "description": data["description"], "steps": steps}
        if not self.fields["agreement"].disabled:
            agreement = data.get("agreement")
            out["agreement_id"] = agreement.pk if agreement else None
            out["target_id"] = None
        return out

    def field_of(self, error_field: str | None) -> str | None:
        match = re.fullmatch(r"steps\.(\d+)\.(\w+)(\..*)?", error_field or "")
        if match:
            k = int(match[1])
            if k < len(self.row_of):
                name = {"channel_ids": "channels"}.get(match[2], match[2])
                field = f"s{self.row_of[k]}_{name}"
                return field if field in self.fields else None
            return None
        name = {"agreement_id": "agreement", "target_id": "agreement"}.get(error_field,
                                                                           error_field)
        return name if name in self.fields else None
