"""Web forms of the catalogue. They only parse what a browser sends; the rules live in
services.py and calendars.py, whose errors the views attach to the field they name."""

import re

from django import forms

from accord.accounts.choices import Role
from accord.accounts.models import User

from .choices import STATUS_MOVES, ComponentKind, Criticality, ServiceStatus
from .models import DAYS, Calendar, Service

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                            "Saturday", "Sunday"), strict=True))
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def _any(choices):
    return [("", "Any"), *choices]


class ServiceFilter(forms.Form):
    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(required=False, choices=_any(ServiceStatus.choices))
    criticality = forms.TypedChoiceField(
        required=False, choices=_any(Criticality.choices), coerce=int, empty_value=None
    )


class ComponentFilter(forms.Form):
    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=_any(ComponentKind.choices))


class NameFilter(forms.Form):
    q = forms.CharField(required=False, label="Search")


def possible_owners():
    """Active staff users: portal users cannot own a service."""
    return User.objects.filter(is_active=True).exclude(role__in=(Role.CUSTOMER, Role.SUPPLIER))


class ServiceForm(forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="(nobody)")
    criticality = forms.TypedChoiceField(choices=Criticality.choices, coerce=int)
    status = forms.ChoiceField(choices=ServiceStatus.choices)
    calendar = forms.ModelChoiceField(queryset=Calendar.objects.all(), required=False,
                                      empty_label="(none: 24x7)", label="Service hours")

    def __init__(self, *args, service: Service | None, may_reassign: bool, **kwargs):
        initial = {"status": ServiceStatus.PIPELINE, "criticality": 3}
        if service is not None:
            initial = {
                "name": service.name, "description": service.description,
                "owner": service.owner_id, "criticality": service.criticality,
                "status": service.status, "calendar": service.calendar_id,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["owner"].queryset = possible_owners()
        # Only a service level manager hands a service to someone else.
        self.fields["owner"].disabled = not may_reassign
        if service is None:  # a new service starts anywhere but retired
            moves = set(ServiceStatus.values) - {ServiceStatus.RETIRED}
        else:
            moves = {service.status, *STATUS_MOVES[service.status]}
        self.fields["status"].choices = [c for c in ServiceStatus.choices if c[0] in moves]


def format_spans(spans) -> str:
    return ", ".join(f"{a}–{b}" for a, b in spans)


def parse_spans(text: str, field: str) -> list[list[str]]:
    """"08:00-12:00, 13:00-17:00" -> [["08:00", "12:00"], ["13:00", "17:00"]]; "" -> []."""
    spans = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _SPAN.match(part)
        if match is None:
            raise forms.ValidationError(f"{field}: write opening hours as 09:00-17:00, got "
                                        f"{part!r}")
        spans.append([match[1].zfill(5), match[2].zfill(5)])
    return spans


class CalendarForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tz = forms.CharField(label="Time zone", max_length=64,
                         help_text="IANA name, e.g. Europe/London.")
    always_open = forms.BooleanField(required=False, label="Always open (24x7)")
    country = forms.CharField(required=False, max_length=8,
                              help_text="Public holidays of this country, e.g. GB.")
    subdivision = forms.CharField(required=False, max_length=16, help_text="e.g. ENG.")
    holidays = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="Closed all day: one date (YYYY-MM-DD) per line.")
    exceptions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dated hours replacing the weekday's, one per line: "
                  "2025-12-24 09:00-12:00 (or: 2025-12-27 closed).",
    )

    closures = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Closed between two instants, one per line: "
                  "2025-06-01T10:00+01:00 2025-06-01T12:00+01:00.",
    )

    def __init__(self, *args, calendar: Calendar | None, **kwargs):
        if calendar is None:  # a new calendar: office hours in UTC to start from
            calendar = Calendar(tz="UTC", hours={d: [["09:00", "17:00"]] for d in DAYS[:5]})
        initial = {
            "name": calendar.name, "description": calendar.description, "tz": calendar.tz,
            "always_open": calendar.always_open, "country": calendar.country,
            "subdivision": calendar.subdivision, "holidays": "\n".join(calendar.holidays),
            "exceptions": "\n".join(
                f"{day} {format_spans(spans) or 'closed'}"
                for day, spans in sorted(calendar.exceptions.items())
            ),
            "closures": "\n".join(f"{a} {b}" for a, b in calendar.closures),
        }
        initial.update({f"hours_{d}": format_spans(calendar.hours.get(d, [])) for d in DAYS})
        super().__init__(*args, initial=initial, **kwargs)
        for day in DAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                required=False, label=DAY_NAMES[day],
                widget=forms.TextInput(attrs={"placeholder": "closed"}),
            )

    def hour_fields(self):
        return [self[f"hours_{day}"] for day in DAYS]

    def other_fields(self):
        return [f for f in self if not f.name.startswith("hours_")]

    def clean_holidays(self):
        return [line.strip() for line in self.cleaned_data["holidays"].splitlines()
                if line.strip()]

    def clean_exceptions(self):
        exceptions = {}
        for line in filter(None, (x.strip() for x in self.cleaned_data["exceptions"].splitlines())):
            day, _, rest = line.partition(" ")
            rest = rest.strip()
            exceptions[day] = [] if rest.lower() in ("", "closed") else parse_spans(
                rest, f"exceptions {day}")
        return exceptions

    def clean_closures(self):
        closures = []
        for line in filter(None, (x.strip() for x in self.cleaned_data["closures"].splitlines())):
            parts = line.split()
            if len(parts) != 2:
                raise forms.ValidationError(f"write a closure as two instants with offsets, "
                                            f"start and end, got {line!r}")
            closures.append(parts)
        return closures

    def clean(self):
        data = super().clean()
        hours = {}
        for day in DAYS:
            try:
                spans = parse_spans(data.get(f"hours_{day}", ""), DAY_NAMES[day])
            except forms.ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
                continue
            if spans:
                hours[day] = spans
        data["hours"] = hours
        return data

    def changes(self) -> dict:
        """The cleaned values as ``calendars.update_calendar`` takes them."""
        keys = ("name", "description", "tz", "always_open", "country", "subdivision",
                "holidays", "exceptions", "closures", "hours")
        return {key: self.cleaned_data[key] for key in keys}
