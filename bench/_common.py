"""What the benchmarks share: a scratch PostgreSQL database beside DATABASE_URL's, Django set
up and migrated on it, the corporate SLA most of them measure against, and signing a version
the way the product signs one (the provider in person, the counterparty's paper signature
recorded on their behalf with its evidence)."""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]


def scratch_database(scratch: str, default_url: str) -> tuple[str, str]:
    """(the server's URL as DATABASE_URL gives it, the URL of a new empty ``scratch``
    database on that server)."""
    url = os.environ.get("DATABASE_URL", default_url)
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch}")
        conn.execute(f"CREATE DATABASE {scratch}")
    return url, f"{base}/{scratch}"


def drop_scratch(server_url: str, scratch: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch}")


def setup_django(url: str) -> None:
    """Django on ``url``, migrated."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sign(version, by, now) -> None:
    """Both parties approve ``version``: ``by`` (an SLM) for the provider, then records the
    counterparty's paper signature by a contact of theirs (any other staff user for a
    corporate SLA)."""
    from accord.accounts import services as accounts
    from accord.accounts.models import User
    from accord.agreements import versions

    agreement = version.agreement
    contact = User.objects.filter(username="bench-signatory").first() or accounts.create_user(
        "bench-signatory", role="reader", first_name="Pat", last_name="Bench")
    party = agreement.counterparty
    if party is not None:
        (party.members if agreement.kind == "ola" else party.contacts).add(contact)
    versions.approve(version, party="provider", by=by, now=now)
    versions.approve(version, party="counterparty", by=by, now=now, on_behalf_of_contact=contact,
                     evidence="Signed paper copy in the bench's contracts file")


def corporate_sla(objective_percent=None):
    """A signed corporate SLA covering every ticket: resolution in 3 days (paused while the
    user is awaited), response in 4 hours. Returns (the SLA, its version 1, the SLM)."""
    from accord.accounts import services as accounts
    from accord.agreements import services, versions

    now = datetime(2025, 1, 1, tzinfo=UTC)
    slm = accounts.create_user("bench-slm", role="service_level_manager")
    sla = services.create_agreement(by=slm, now=now, name="Bench", kind="sla",
                                    structure="corporate",
                                    effective_from=datetime(2000, 1, 1, tzinfo=UTC))
    version = sla.latest_version()
    objective = {"objective_percent": objective_percent} if objective_percent else {}
    versions.add_target(version, by=slm, now=now, metric="resolution",
                        duration_seconds=3 * 86400,
                        pause_condition={"field": "status", "in": ["Awaiting User"]},
                        **objective)
    versions.add_target(version, by=slm, now=now, metric="response", duration_seconds=4 * 3600)
    sign(version, slm, now)
    sla.refresh_from_db()
    return sla, version, slm
