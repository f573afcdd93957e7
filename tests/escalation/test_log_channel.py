"""The log channel: a local sink that writes each notification to the log and counts it as
delivered (the demo's channel, and a first channel that needs no mail server)."""

import logging

import pytest

from accord.escalation.services import deliver_due, enqueue
from accord.escalation.services.setup import create_channel
from accord.lib.errors import InvalidInput
from tests.conftest import NOW


def test_it_delivers_a_notification_to_the_log(db, caplog):
    channel = create_channel(by=None, name="Ops log", kind="log", config={}, now=NOW)
    note = enqueue(channel, "oscar@example.com", "P1 at 75 %", "body", "", {}, "k1", NOW)

    with caplog.at_level(logging.INFO, logger="accord.notifications"):
        assert deliver_due(NOW, 5, "w") == 1

    note.refresh_from_db()
    assert note.status == "delivered"
    assert "P1 at 75 %" in caplog.text and "oscar@example.com" in caplog.text


def test_it_refuses_an_unknown_level(db):
    with pytest.raises(InvalidInput) as refused:
        create_channel(by=None, name="Ops log", kind="log", config={"level": "loud"}, now=NOW)
    assert refused.value.field == "config.level"
