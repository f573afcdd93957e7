"""Web forms of the agreements pages. They parse; services.py and versions.py decide."""

from django import forms

from accord.catalogue.models import Customer, Service

from .choices import AgreementKind, AgreementStatus, Party


def _any(choices):
    return [("", "Any"), *choices]


class AgreementFilter(forms.Form):
    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=_any(AgreementKind.choices))
    status = forms.ChoiceField(required=False, choices=_any(AgreementStatus.choices))
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False,
                                      empty_label="Any")
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False,
                                     widget=forms.HiddenInput)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=AgreementStatus.choices)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    party = forms.ChoiceField(choices=Party.choices)
    # Recording the counterparty's signature on its behalf: who signed, and where the copy is.
    on_behalf_of_contact = forms.IntegerField(required=False, min_value=1)
    evidence = forms.CharField(required=False, max_length=2000)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(coerce=int, label="From version")
    b = forms.TypedChoiceField(coerce=int, label="To version")

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].choices = [(n, f"v{n}") for n in numbers]
