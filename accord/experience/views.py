"""Pages: the one-question survey (no account), the feedback list, and the form a service
owner enters a complaint or compliment with."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.agreements.models import Agreement
from accord.catalogue.models import Service
from accord.lib.errors import DomainError, InvalidInput

from . import queries, services, survey
from .choices import HAND_KINDS, FeedbackKind


@require_http_methods(["GET", "POST"])
def survey_page(request, ticket: int, token: str):
    """Rate 1-5 and comment; once answered, the answer given is shown and no other taken."""
    now = timezone.now()
    try:
        invite = survey.invite_from(ticket, token, now)
    except survey.Refused as exc:
        return render(request, "experience/survey.html", {"refused": exc.message},
                      status=exc.status)
    error = None
    if request.method == "POST" and invite.feedback_id is None:
        try:
            score = survey.score_value(request.POST.get("score"))
            survey.answer(invite, score=score, comment=request.POST.get("comment", "")[:2000],
                          now=now)
            return redirect(request.path)
        except survey.Refused as exc:
            return render(request, "experience/survey.html", {"refused": exc.message},
                          status=exc.status)
        except InvalidInput as exc:
            error = exc.message
    elif request.method == "POST":
        return render(request, "experience/survey.html",
                      {"invite": invite, "answered": invite.feedback,
                       "refused": "this survey has already been answered"}, status=409)
    return render(request, "experience/survey.html", {
        "invite": invite, "answered": invite.feedback, "error": error,
        "scores": range(1, 6)}, status=422 if error else 200)


@login_required
def feedback_list(request):
    user = request.user
    rows = queries.visible_to(user)
    kind = request.GET.get("kind")
    if kind in FeedbackKind.values:
        rows = rows.filter(kind=kind)
    page = [(f, queries.may_see_respondent(user, f)) for f in rows[:200]]
    return render(request, "experience/feedback_list.html", {
        "page": page, "kinds": FeedbackKind.choices, "kind": kind,
        "may_enter": user.can("change_own_service")})


class ByHandForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in HAND_KINDS])
    service = forms.ModelChoiceField(Service.objects.all())
    agreement = forms.ModelChoiceField(Agreement.objects.all())
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    respondent = forms.CharField(required=False)


@login_required
def enter_by_hand(request):
    if not request.user.can("change_own_service"):
        return render(request, "web/forbidden.html", status=403)
    form = ByHandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_by_hand(by=request.user, now=timezone.now(), kind=data["kind"],
                                   service=data["service"], agreement=data["agreement"],
                                   text=data["text"], respondent=data["respondent"])
            return redirect("experience:feedback")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "experience/by_hand.html", {"form": form},
                  status=422 if form.errors else 200)
