"""Template context for every page: the navigation, shaped by the user's role, and the zone
dates are shown in."""

from django.urls import reverse

# (label, url name or path, path prefixes that make it the active item, who sees it, place):
# "main" items sit on the bar; "more" items (configuration and tools, used less often) sit in
# its "More" list, so the bar fits on one line at 1280 px.
_NAV = (
    ("Dashboard", "dashboard", ("/",), "all", "main"),
    ("Services", "catalogue:services",
     ("/services/", "/components/", "/customers/", "/teams/", "/suppliers/"), "staff", "main"),
    ("Agreements", "agreements:list", ("/agreements/",), "all", "main"),
    ("Tickets", "measurement:tickets", ("/tickets/",), "all", "main"),
    ("Clocks", "measurement:clocks", ("/clocks/",), "all", "main"),
    ("Reports", "reports:page", ("/reports/",), "all", "main"),
    ("Notifications", "escalation:notifications", ("/notifications/", "/escalations/"), "staff",
     "main"),
    ("Reviews", "reviews:reviews", ("/reviews/",), "all", "main"),
    ("Actions", "reviews:actions", ("/actions/",), "staff", "main"),
    ("Feedback", "experience:feedback", ("/feedback/",), "staff", "main"),
    ("Agreements past review date", "overdue_reviews", ("/reviews/overdue/",), "staff", "more"),
    ("Calendars", "catalogue:calendars", ("/calendars/",), "all", "more"),
    ("Connectors", "connectors:list", ("/connectors/",), "manage_connectors", "more"),
    ("Admin", "/admin/", ("/admin/",), "is_staff", "more"),
    ("API docs", "/api/v1/docs", ("/api/",), "all", "more"),
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
    """``nav_items`` and ``nav_more``: [{label, url, active}] for the signed-in user (none when
    signed out): the bar's items and those of its "More" list; ``nav_more_active``: the page is
    one of the "More" list's."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_active": False}
    places: dict[str, list] = {"main": [], "more": []}
    for label, target, prefixes, who, place in _NAV:
        if not _shown(user, who):
            continue
        url = target if target.startswith("/") else reverse(target)
        if prefixes == ("/",):
            active = request.path == "/"
        else:
            active = request.path.startswith(prefixes)
        places[place].append({"label": label, "url": url, "active": active})
    # "Agreements past review date" (/reviews/overdue/) is under /reviews/ too: only the most
    # specific item is the page's.
    if any(item["active"] for item in places["more"]):
        for item in places["main"]:
            item["active"] = False
    return {"nav_items": places["main"], "nav_more": places["more"],
            "nav_more_active": any(item["active"] for item in places["more"])}


def viewer_time_zone(request) -> dict:
    """``viewer_tz``: the zone dates are shown in (see accord.web.middleware), to say so next to
    them; ``viewer_tz_source``: whose choice it is."""
    return {"viewer_tz": getattr(request, "viewer_tz", "UTC"),
            "viewer_tz_source": getattr(request, "viewer_tz_source", "the default")}
