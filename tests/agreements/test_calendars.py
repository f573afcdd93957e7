from datetime import UTC, datetime

from accord.agreements import services
from accord.agreements.calendars import explain_calendar, resolve_calendar
from accord.agreements.engine import clock_definition
from accord.catalogue.models import Calendar, Customer
from tests.conftest import NOW

from .conftest import add_target

OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _calendar(name, tz="Europe/London", **fields):
    return Calendar.objects.create(name=name, tz=tz, hours=OFFICE, country="GB", **fields)


def _target(draft_sla, slm, **fields):
    return add_target(draft_sla.latest_version(), slm, priority="P2", **fields)


def test_a_target_with_its_own_calendar_keeps_it(draft_sla, slm, acme):
    acme.calendar = _calendar("Acme hours")
    acme.save()
    fixed = _calendar("Night shift")

    target = _target(draft_sla, slm, calendar=fixed)

    assert explain_calendar(target).source == "target"
    assert resolve_calendar(target) == fixed


def test_the_chain_runs_customer_agreement_service_then_24x7(draft_sla, slm, acme, web_shop):
    target = _target(draft_sla, slm)
    # Nothing anywhere: 24x7 in UTC.
    default = explain_calendar(target)
    assert default.source == "default"
    assert (default.calendar.always_open, default.calendar.tz) == (True, "UTC")

    web_shop.calendar = _calendar("Shop hours")
    web_shop.save()
    assert explain_calendar(target).calendar.name == "Shop hours"

    services.update_agreement(draft_sla, by=slm, now=NOW, calendar=_calendar("SLA hours"))
    target.refresh_from_db()
    assert explain_calendar(target).calendar.name == "SLA hours"

    acme.calendar = _calendar("Acme hours")
    acme.save()
    target.refresh_from_db()
    assert explain_calendar(target).calendar.name == "Acme hours"


def test_agreement_hours_apply_in_the_customers_time_zone(draft_sla, slm, acme):
    sla_hours = _calendar("SLA hours", tz="Europe/London")
    services.update_agreement(draft_sla, by=slm, now=NOW, calendar=sla_hours)
    acme.tz = "America/New_York"
    acme.save()
    target = _target(draft_sla, slm)

    resolved = explain_calendar(target)

    assert resolved.source == "agreement_in_customer_tz"
    calendar = resolved.calendar
    assert (calendar.tz, calendar.hours, calendar.country) == ("America/New_York", OFFICE, "GB")
    assert calendar.pk is None  # derived, never saved
    assert Calendar.objects.get(pk=sla_hours.pk).tz == "Europe/London"


def test_a_service_based_sla_resolves_with_the_tickets_customer(slm, web_shop):
    sla = services.create_agreement(by=slm, now=NOW, name="Web Shop for all", kind="sla",
                                    structure="service_based", services=[web_shop])
    target = add_target(sla.latest_version(), slm)
    globex = Customer.objects.create(name="Globex", calendar=_calendar("Globex hours"))

    assert resolve_calendar(target).always_open
    assert resolve_calendar(target, customer=globex).name == "Globex hours"


def test_a_target_becomes_a_clock_definition_in_its_resolved_calendar(draft_sla, slm, acme):
    services.update_agreement(draft_sla, by=slm, now=NOW, calendar=_calendar("SLA hours"))
    acme.tz = "America/New_York"
    acme.save()
    target = _target(draft_sla, slm, ticket_type="incident",
                     pause_condition={"field": "status", "in": ["Pending customer"]})

    definition = clock_definition(target)

    assert (definition.metric, definition.seconds, definition.warnings) == (
        "resolution", 4 * 3600.0, (50, 75, 90)
    )
    assert definition.applies.to_json() == {"all": [
        {"field": "type", "equals": "incident"}, {"field": "priority", "equals": "P2"}
    ]}
    assert definition.pause.to_json() == {"field": "status", "in": ["Pending customer"]}
    # The agreement's 09:00-17:00 apply in New York: Monday 3 March 2025, 09:00 EST is
    # 14:00 UTC, so four business hours from then are due at 18:00 UTC.
    monday_nine = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    assert definition.calendar.due(monday_nine, 4 * 3600) == datetime(2025, 3, 3, 18, 0,
                                                                       tzinfo=UTC)
