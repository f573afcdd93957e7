"""Who signs a version for each party, and the rule that the two sides are two people.

As provider: a user who may ``sign_agreement``, in person. As counterparty: a contact of the
customer or supplier (a member of the team for an OLA) in person — or a provider SLM recording
that contact's signature on their behalf (they signed on paper), which names the contact by
id (``on_behalf_of_contact``) and says where the signed copy is (``evidence``). A corporate
SLA's counterparty is the business itself: its signatory is a staff user other than the
provider's. Never the same person on both sides, however the names are spelled.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from accord.lib.errors import DomainError, Forbidden, InvalidInput

from .choices import Party
from .models import AgreementVersion
from .validation import text

EVIDENCE_MAX = 2000


@dataclass(frozen=True)
class Signer:
    user: object  # the person who signs (accounts.User)
    name: str
    on_behalf: bool
    evidence: str = ""


def name_key(name: str) -> str:
    """A name as compared for "the same person": case, accents, spacing and dots ignored."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name or "")
                    if not unicodedata.combining(c))
    return " ".join(plain.replace(".", " ").casefold().split())


def eligible_contacts(agreement):
    """The users who may sign for ``agreement``'s counterparty: its contacts (team members
    for an OLA); for a corporate SLA (no counterparty), any active staff user."""
    if agreement.counterparty is not None:
        return agreement.counterparty_signatories().filter(is_active=True)
    staff = get_user_model().objects.filter(is_active=True).exclude(role__in=("customer",
                                                                            "supplier"))
    return staff


def _contact(agreement, contact):
    if contact is None:
        return None
    pk = getattr(contact, "pk", contact)
    user = eligible_contacts(agreement).filter(pk=pk).first()
    if user is None:
        party = agreement.counterparty
        where = f"a contact of {party}" if party is not None else "an active staff user"
        raise InvalidInput(f"on_behalf_of_contact: user {pk} is not {where}",
                           field="on_behalf_of_contact")
    return user


def signer(version: AgreementVersion, party: str, by, *, contact=None,
           evidence: str = "") -> Signer:
    """Who signs ``version`` for ``party`` when ``by`` records the approval; Forbidden or
    InvalidInput (naming the field) when that is not allowed."""
    agreement = version.agreement
    evidence = text(evidence, "evidence", EVIDENCE_MAX).strip()
    if party == Party.PROVIDER:
        if not by.can("sign_agreement") or by.is_portal:
            raise Forbidden(f"your role ({by.role}) may not sign agreements for the provider")
        if contact is not None:
            raise InvalidInput("on_behalf_of_contact is only for the counterparty's approval",
                               field="on_behalf_of_contact")
        return Signer(by, str(by), False)
    in_person = agreement.counterparty_signatories().filter(pk=by.pk).exists()
    if contact is None or getattr(contact, "pk", contact) == by.pk:
        if in_person:
            return Signer(by, str(by), False)
        if by.can("sign_agreement") and not by.is_portal:
            raise InvalidInput(
                "recording the counterparty's approval on its behalf needs on_behalf_of_contact "
                "(the id of the contact who signed) and evidence", "on_behalf_of_contact")
        raise Forbidden(f"you are not a signatory of {agreement.counterparty or 'the business'}")
    if not by.can("sign_agreement") or by.is_portal:
        raise Forbidden(f"your role ({by.role}) may not record a signature on another's behalf")
    user = _contact(agreement, contact)
    if not evidence:
        raise InvalidInput("evidence: say where the signed copy is (e.g. 'paper copy in the "
                           "contracts file, ref. 2025-17')", "evidence")
    return Signer(user, str(user), True, evidence)


def check_two_people(version: AgreementVersion, party: str, who: Signer) -> None:
    """Refuse when the person signing for ``party`` signed (or was recorded) for the other."""
    others = version.approvals.filter(invalidated_at__isnull=True).exclude(party=party)
    names = {name_key(who.name), name_key(who.user.get_full_name()),
             name_key(who.user.username)} - {""}
    for other in others:
        if other.signatory_user_id is not None:
            same = other.signatory_user_id == who.user.pk
        else:  # recorded before signatories were people: compare the names
            same = name_key(other.signatory) in names
        if same:
            raise DomainError(f"{who.name} already signed for the other party (the "
                              f"{other.party}): each party needs its own signatory",
                              field="party")
