"""The three templates the demo ships: a service-based SLA, an internal OLA, a supplier UC."""

from .templating import save_template

MATRIX = [{"impact": i, "urgency": u, "priority": p} for i, u, p in (
    ("high", "high", "P1"), ("high", "medium", "P2"), ("high", "low", "P3"),
    ("medium", "high", "P2"), ("medium", "medium", "P3"), ("medium", "low", "P4"),
    ("low", "high", "P3"), ("low", "medium", "P4"), ("low", "low", "P4"))]
STEPS = [{"threshold_kind": "percent_used", "threshold": 75, "level": "L1"},
         {"threshold_kind": "percent_used", "threshold": 100, "level": "L2",
          "requires_ack": True}]


def load(*, by, now, calendars: dict) -> list:
    """``calendars``: the demo's, by key ("uk" office hours, "24x7")."""
    return [
        save_template(
            "Service-based SLA", by=by, now=now, kind="sla", structure="service_based",
            description="One service for every customer, on UK business hours.",
            calendar=calendars["uk"], review_cadence_months=12, priority_matrix=MATRIX,
            escalation_steps=STEPS,
            sections=[
                {"title": "1. Scope", "text": "This agreement covers {service} for every "
                 "customer from {effective_from}."},
                {"title": "2. Service hours", "text": "Incidents are worked on UK business "
                 "days, 08:00–18:00; P1 incidents around the clock."},
                {"title": "3. Reviews", "text": "Reviewed every twelve months."}],
            targets=[
                {"metric": "response", "priority": "P1", "duration": "15m",
                 "objective_percent": "95", "calendar": calendars["24x7"].name},
                {"metric": "resolution", "priority": "P1", "duration": "4h",
                 "objective_percent": "95", "calendar": calendars["24x7"].name},
                {"metric": "resolution", "priority": "P2", "duration": "1d",
                 "objective_percent": "90"},
                {"metric": "availability", "percentage": "99.9",
                 "calendar": calendars["24x7"].name}]),
        save_template(
            "Internal OLA", by=by, now=now, kind="ola",
            description="What a support team promises the service desk.",
            calendar=calendars["uk"], review_cadence_months=6,
            sections=[{"title": "Scope", "text": "{team} supports the service desk on "
                       "incidents escalated to it."}],
            targets=[{"metric": "resolution", "priority": "P1", "duration": "90m"},
                     {"metric": "resolution", "priority": "P2", "duration": "6h"}]),
        save_template(
            "Supplier UC", by=by, now=now, kind="uc",
            description="An external supplier's underpinning contract.",
            calendar=calendars["24x7"], review_cadence_months=12, escalation_steps=STEPS[:1],
            sections=[{"title": "Scope", "text": "{supplier} supports {service} around the "
                       "clock from {effective_from}."}],
            targets=[{"metric": "response", "priority": "P1", "duration": "15m"},
                     {"metric": "resolution", "priority": "P1", "duration": "90m"},
                     {"metric": "availability", "percentage": "99.95"}]),
    ]
