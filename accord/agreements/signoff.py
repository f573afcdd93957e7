"""Checks run when a version is about to be frozen (both parties have signed): apps above
agreements register them (``register``) from their ``AppConfig.ready()``; a check raises
``DomainError`` to refuse the signature (planning: an SLA whose OLA/UC targets do not fit it
needs a recorded acknowledgement first)."""

from collections.abc import Callable

_checks: list[Callable] = []


def register(check: Callable) -> None:
    """``check(version, by, now)``; raises DomainError to refuse freezing ``version``."""
    if check not in _checks:
        _checks.append(check)


def run(version, by, now) -> None:
    for check in _checks:
        check(version, by, now)
