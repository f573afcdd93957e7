"""The planning world is the reporting world (Acme in Tokyo, SLA P1 4 h / P2 8 h, an OLA and
a UC) with real ticket histories ingested, so the engine has events to replay."""

from datetime import UTC, datetime

import pytest

from accord.measurement.services import ingest_events
from tests.reporting.conftest import AFTER, world_fixture  # noqa: F401 -- the fixture
from tests.reporting.test_backends import history


@pytest.fixture(name="history_world")
def history_world_fixture(world):
    """60 tickets around Tokyo's February/March boundary, their clocks stored as of AFTER."""
    ingest_events([e for i in range(60) for e in history(i)], now=AFTER)
    return world


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
