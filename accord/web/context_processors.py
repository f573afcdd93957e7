"""Template context for every page: the navigation, shaped by the user's role, and the zone
dates are shown in."""

from django.urls import reverse

# (label, url name or path, path prefixes that make it the active item, who sees it)
_NAV = (
    ("Dashboard", "dashboard", ("/",), "all"),
    ("Services", "catalogue:services",
     ("/services/", "/components/", "/customers/", "/teams/", "/suppliers/"), "staff"),
    ("Agreements", "agreements:list", ("/agreements/",), "all"),
    ("Tickets", "measurement:tickets", ("/tickets/",), "all"),
    ("Clocks", "measurement:clocks", ("/clocks/",), "all"),
    ("Reports", "reports:page", ("/reports/",), "all"),
    ("Notifications", "escalation:notifications", ("/notifications/", "/escalations/"), "staff"),
    ("Calendars", "catalogue:calendars", ("/calendars/",), "all"),
    ("Reviews overdue", "overdue_reviews", ("/reviews/overdue/",), "staff"),
    ("Reviews", "reviews:reviews", ("/reviews/",), "all"),
    ("Actions", "reviews:actions", ("/actions/",), "staff"),
    ("Feedback", "experience:feedback", ("/feedback/",), "staff"),
    ("Connectors", "connectors:list", ("/connectors/",), "manage_connectors"),
    ("Admin", "/admin/", ("/admin/",), "is_staff"),
    ("API docs", "/api/v1/docs", ("/api/",), "all"),
)


def _shown(user, who: str) -> bool:
    if who == "all":
        return True
    if who == "is_staff":
        return user.is_staff
    if who == "manage_connectors":  # a permission: only the roles holding it see the item
        return user.can(who)
    return not user.is_portal


def navigation(request) -> dict:
    """``nav_items``: [{label, url, active}] for the signed-in user (none when signed out)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, target, prefixes, who in _NAV:
        if not _shown(user, who):
            continue
        url = target if target.startswith("/") else reverse(target)
        if prefixes == ("/",):
            active = request.path == "/"
        else:
            active = request.path.startswith(prefixes)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}


def viewer_time_zone(request) -> dict:
    """``viewer_tz``: the zone dates are shown in (see accord.web.middleware), to say so next to
    them; ``viewer_tz_source``: whose choice it is."""
    return {"viewer_tz": getattr(request, "viewer_tz", "UTC"),
            "viewer_tz_source": getattr(request, "viewer_tz_source", "the default")}
