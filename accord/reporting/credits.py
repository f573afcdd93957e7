"""Service credits: the amount per unit, the units due, and the agreement-level cap.

Per target: amount per unit = ``credit_amount`` if set, else ``credit_percent`` × the
agreement's ``monthly_charge`` if both are set, else no credit (``credit_due`` None and a note
saying why). The unit is a breach or a missed objective (``credit_basis``). SLA credits are owed
to the customer, UC credits are owed by the supplier, OLAs carry none. The agreement's
``credit_cap_percent`` of the monthly charge per month of the reporting period caps the total.
Money is a string with two decimals in the agreement's currency.
"""

from decimal import ROUND_HALF_UP, Decimal

from accord.agreements.choices import AgreementKind, CreditBasis, CreditDirection

CENTS = Decimal("0.01")
HUNDRED = Decimal(100)


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(CENTS, ROUND_HALF_UP))


def direction(agreement) -> str | None:
    return {AgreementKind.SLA: CreditDirection.OWED_TO_CUSTOMER.value,
            AgreementKind.UC: CreditDirection.OWED_BY_SUPPLIER.value}.get(agreement.kind)


def unit_amount(target, agreement) -> tuple[Decimal | None, str]:
    """(amount per unit, "") or (None, why there is no credit)."""
    if agreement.kind == AgreementKind.OLA:
        return None, "OLAs carry no service credits"
    if target.credit_amount is not None:
        return Decimal(target.credit_amount), ""
    if target.credit_percent is None:
        return None, "the target has no credit_amount or credit_percent"
    if agreement.monthly_charge is None:
        return None, "credit_percent needs the agreement's monthly_charge, which is not set"
    return Decimal(target.credit_percent) * Decimal(agreement.monthly_charge) / HUNDRED, ""


def credit_due(target, agreement, *, breaches: int, missed: int | None,
               judged_per: str | None = None) -> tuple[Decimal | None, str]:
    """The credit a target's row owes: ``breaches`` (net of exclusions) for per-breach
    credits, ``missed`` objective periods for per-missed-objective ones (None: the report's
    period is shorter than the target's objective period ``judged_per``)."""
    unit, why = unit_amount(target, agreement)
    if unit is None:
        return None, why
    if target.credit_basis == CreditBasis.PER_BREACH:
        return unit * breaches, ""
    if missed is None:
        return None, f"credits for this target are judged per {judged_per}"
    return unit * missed, ""


def cap(agreement, months: int) -> Decimal | None:
    """The most credit due for a reporting period of ``months`` months, or None (no cap)."""
    if agreement.credit_cap_percent is None or agreement.monthly_charge is None:
        return None
    return (Decimal(agreement.credit_cap_percent) * Decimal(agreement.monthly_charge)
            * months / HUNDRED)


def totals(agreement, dues: list[Decimal], months: int) -> tuple[str | None, str | None]:
    """(credits_total, credits_uncapped) as money strings: "0.00" when credits can be
    earned but none are due; both None only when no target of the report can earn a credit
    (``dues`` holds one amount, maybe 0, per target that can)."""
    if not dues:
        return None, None
    uncapped = sum(dues, Decimal(0))
    limit = cap(agreement, months)
    total = uncapped if limit is None else min(uncapped, limit)
    return money(total), money(uncapped)
