"""What each role may do. One table, read by the API, the web UI and the admin.

Roles form a ladder (reader < analyst < service owner < service level manager < administrator);
portal roles sit outside it and only ever read what belongs to their own customer or supplier.
"""

from .choices import Role

LADDER = [
    Role.READER,
    Role.ANALYST,
    Role.SERVICE_OWNER,
    Role.SERVICE_LEVEL_MANAGER,
    Role.ADMINISTRATOR,
]

# permission -> the lowest role on the ladder that holds it
PERMISSIONS: dict[str, Role] = {
    "view": Role.READER,
    "import_data": Role.ANALYST,
    "export_reports": Role.ANALYST,
    # Service owners may change the services they own (checked per object) ...
    "change_own_service": Role.SERVICE_OWNER,
    # ... service level managers the whole catalogue and every agreement.
    "change_catalogue": Role.SERVICE_LEVEL_MANAGER,
    "change_agreement": Role.SERVICE_LEVEL_MANAGER,
    "sign_agreement": Role.SERVICE_LEVEL_MANAGER,
    "run_reviews": Role.SERVICE_LEVEL_MANAGER,
    # Reviews, actions and exclusions (issue 10's ladder): analysts claim breach exclusions,
    # service owners own actions, service level managers decide exclusions.
    "claim_exclusion": Role.ANALYST,
    "record_minutes": Role.ANALYST,  # minutes and attendees of a review; review packs
    "manage_actions": Role.SERVICE_OWNER,  # also risks of their services, and proposing plans
    "approve_exclusion": Role.SERVICE_LEVEL_MANAGER,
    # Administrators own policy: calendars, templates, users.
    "change_calendar": Role.ADMINISTRATOR,
    "change_policy": Role.ADMINISTRATOR,
    "manage_users": Role.ADMINISTRATOR,
    "manage_connectors": Role.ADMINISTRATOR,  # service desk connectors hold secrets
}


def role_allows(role: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if role in (Role.CUSTOMER, Role.SUPPLIER):
        return permission == "view"
    if role not in LADDER:
        return False
    return LADDER.index(role) >= LADDER.index(PERMISSIONS[permission])
