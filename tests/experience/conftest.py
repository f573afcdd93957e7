"""The experience world: the reporting world (Acme in Tokyo buys the Web Shop under the SLA
"Acme Web Shop", March = [2025-02-28T15:00Z, 2025-03-31T15:00Z)) plus a draft-then-signed
second version is not needed: experience targets are added to a fresh SLA per test."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services
from tests.conftest import NOW
from tests.reporting.conftest import JAN_1, add_target, sign, world_fixture  # noqa: F401

__all__ = ["NOW", "JAN_1", "add_target", "sign"]
MID_MARCH = datetime(2025, 3, 15, 12, tzinfo=UTC)


def xla(agreement, slm, **values):
    values = {"metric": "experience", **values}
    return add_target(agreement, slm, **values)


@pytest.fixture(name="sla")
def sla_fixture(world, slm):
    """A signed SLA for Acme's Web Shop with no targets but experience ones, per test."""
    agreement = services.create_agreement(
        by=slm, now=NOW, name="Acme experience", kind="sla", structure="customer_based",
        customer=world["acme"], services=[world["shop"]], effective_from=JAN_1)
    return agreement


def item(n, kind="csat", score=None, at=MID_MARCH, **more):
    data = {"source": "desk", "id": f"F{n}", "timestamp": at.isoformat(), "kind": kind,
            "service": "Web Shop", "customer": "Acme"}
    if score is not None:
        data["score"] = score
    data.update(more)
    return data
