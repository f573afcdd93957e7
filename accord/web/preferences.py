""""Your settings": what a signed-in user chooses for themselves (the zone dates are shown in)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accord.accounts import services as accounts
from accord.lib.errors import InvalidInput

from .middleware import COOKIE


def _zone_choices():
    return [("", "Your browser's zone (UTC when it does not say)")] + [
        (name, name) for name in sorted(accounts._zones())
    ]


class SettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone", required=False, choices=_zone_choices,
        help_text="Every page shows dates and times in this zone and says which it is. "
                  "Reports keep their own reporting zone.")


@login_required
def your_settings(request):
    user = request.user
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                accounts.set_time_zone(user, form.cleaned_data["time_zone"], by=user)
            except InvalidInput as exc:
                form.add_error("time_zone", exc.message)
            else:
                messages.success(request, "Your settings are saved.")
                return redirect("your_settings")
        status = 400
    else:
        form = SettingsForm(initial={"time_zone": user.time_zone})
        status = 200
    return render(request, "web/your_settings.html", {
        "form": form, "browser_tz": request.COOKIES.get(COOKIE, ""),
    }, status=status)
