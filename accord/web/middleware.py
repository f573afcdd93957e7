"""The viewer's time zone: every page shows dates in it and says which it is.

The zone is, in order: the user's own setting (``User.time_zone``, on the "Your settings"
page), the browser's zone (``accord.js`` reads ``Intl.DateTimeFormat().resolvedOptions()
.timeZone`` and keeps it in the ``accord_tz`` cookie), else UTC. Django converts every aware
datetime a template shows into the active zone; stored values stay in UTC. Reports that
declare their own reporting zone activate it themselves, inside this.
"""

from zoneinfo import ZoneInfo

from django.utils import timezone

from accord.accounts.services import is_time_zone

COOKIE = "accord_tz"
DEFAULT = "UTC"


class Source:
    SETTING = "your setting"
    BROWSER = "your browser"
    DEFAULT = "the default"


def viewer_time_zone(request) -> tuple[str, str]:
    """(zone name, where it came from) for this request."""
    user = getattr(request, "user", None)
    chosen = getattr(user, "time_zone", "") if user is not None else ""
    if chosen and is_time_zone(chosen):
        return chosen, Source.SETTING
    browser = request.COOKIES.get(COOKIE, "")
    if browser and is_time_zone(browser):
        return browser, Source.BROWSER
    return DEFAULT, Source.DEFAULT


class ViewerTimeZoneMiddleware:
    """Activates the viewer's zone for the request (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name, source = viewer_time_zone(request)
        request.viewer_tz, request.viewer_tz_source = name, source
        timezone.activate(ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
