"""Who an escalation step notifies: a list of recipient specs, resolved per clock.

Specs are strings:

    "user:<username>"     one person
    "role:<role>"         every active user with that role (e.g. role:service_level_manager)
    "service_owner"       the owner of the clock's service
    "team"                the team party to the agreement (its address, else its members)
    "customer_contact"    the customer's contact address, else its portal contacts
    "leadership"          the leadership contacts of the clock's service and customer; if
                          neither names anyone, the administrators

The context (service owner, team, customer) comes from whoever fires the step.
"""

from dataclasses import dataclass

from accord.accounts.choices import Role
from accord.accounts.models import User
from accord.lib.errors import InvalidInput

CONTEXT_SPECS = ("service_owner", "team", "customer_contact", "leadership")


@dataclass(frozen=True)
class Recipient:
    spec: str
    label: str
    email: str


@dataclass(frozen=True)
class Context:
    service_owner: object = None  # accounts.User
    team: object = None  # catalogue.Team
    customer: object = None  # catalogue.Customer
    service: object = None  # catalogue.Service


def clean_recipients(specs, field: str = "recipients") -> list[str]:
    """The specs, checked: each names a known form, user or role. InvalidInput otherwise."""
    if not isinstance(specs, list):
        raise InvalidInput("recipients must be a list of specs", field=field)
    cleaned = []
    for i, spec in enumerate(specs):
        where = f"{field}.{i}"
        if not isinstance(spec, str):
            raise InvalidInput(f"{spec!r} is not a recipient spec", field=where)
        kind, _, value = spec.partition(":")
        if spec in CONTEXT_SPECS:
            pass
        elif kind == "user" and value:
            if not User.objects.filter(username=value, is_active=True).exists():
                raise InvalidInput(f"no active user {value!r}", field=where)
        elif kind == "role" and value:
            if value not in Role.values:
                raise InvalidInput(f"role {value!r} is not one of {', '.join(Role.values)}",
                                   field=where)
        else:
            raise InvalidInput(
                f"{spec!r} is not user:<name>, role:<role> or one of {', '.join(CONTEXT_SPECS)}",
                field=where,
            )
        if spec not in cleaned:
            cleaned.append(spec)
    return cleaned


def _people(spec: str, users) -> list[Recipient]:
    return [Recipient(spec, str(u), u.email) for u in users]


def _expand(spec: str, context: Context) -> list[Recipient]:
    kind, _, value = spec.partition(":")
    if kind == "user":
        return _people(spec, User.objects.filter(username=value, is_active=True))
    if kind == "role":
        return _people(spec, User.objects.filter(role=value, is_active=True))
    if spec == "leadership":
        leaders = [u for party in (context.service, context.customer) if party is not None
                   for u in party.leadership.filter(is_active=True)]
        if leaders:
            return _people(spec, leaders)
        return _people(spec, User.objects.filter(role=Role.ADMINISTRATOR, is_active=True))
    if spec == "service_owner" and context.service_owner is not None:
        return _people(spec, [context.service_owner])
    if spec == "team" and context.team is not None:
        team = context.team
        if team.email:
            return [Recipient(spec, str(team), team.email)]
        return _people(spec, team.members.filter(is_active=True))
    if spec == "customer_contact" and context.customer is not None:
        customer = context.customer
        if customer.contact_email:
            return [Recipient(spec, str(customer), customer.contact_email)]
        return _people(spec, customer.contacts.filter(is_active=True))
    return []


def resolve(specs: list[str], context: Context) -> list[Recipient]:
    """The people and addresses the specs stand for, each address once, in spec order."""
    found, seen = [], set()
    for spec in specs:
        for recipient in _expand(spec, context):
            marker = recipient.email.lower() or recipient.label
            if marker not in seen:
                seen.add(marker)
                found.append(recipient)
    return found
