"""Availability against a service calendar, and composite availability of a dependency tree."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock.availability import Outage, availability
from accord.clock.availability_graph import (
    Leaf,
    Redundant,
    Series,
    measured_outages,
    modelled_availability,
)
from accord.clock.calendar import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = BusinessCalendar(tz="Europe/London", hours={d: [("08:00", "18:00")] for d in WEEKDAYS})
ALWAYS = BusinessCalendar.always()

# Monday 3 June 2024 .. Monday 10 June 2024, London on BST (UTC+1).
MONDAY = datetime(2024, 6, 3, tzinfo=LONDON)
NEXT_MONDAY = datetime(2024, 6, 10, tzinfo=LONDON)
DAY = datetime(2024, 6, 1, tzinfo=UTC)


def at(hours, day=DAY):
    return day + timedelta(hours=hours)


def london(month, day, hour, minute=0):
    return datetime(2024, month, day, hour, minute, tzinfo=LONDON)


# The measurement itself.


def test_it_allows_43_2_minutes_of_downtime_for_99_9_percent_over_30_days():
    month_end = DAY + timedelta(days=30)
    clean = availability([], ALWAYS, DAY, month_end)
    assert clean.agreed_seconds == 30 * 86400
    assert clean.availability == 100.0
    assert clean.allowed_downtime_seconds(99.9) == 2592.0

    # Exactly 43 min 12 s down is exactly 99.9 %; one microsecond more misses it.
    allowed = Outage(at(10), at(10) + timedelta(seconds=2592))
    result = availability([allowed], ALWAYS, DAY, month_end)
    assert result.downtime_seconds == 2592.0
    assert result.availability == 99.9
    assert result.meets(99.9)

    longer = Outage(at(10), at(10) + timedelta(seconds=2592, microseconds=1))
    assert not availability([longer], ALWAYS, DAY, month_end).meets(99.9)


def test_it_counts_only_the_part_of_an_outage_inside_service_hours():
    # Monday 17:00 to Tuesday 09:00 London: one hour each side of the night.
    outage = Outage(london(6, 3, 17), london(6, 4, 9))
    result = availability([outage], OFFICE, MONDAY, NEXT_MONDAY)

    assert result.agreed_seconds == 5 * 10 * 3600
    assert result.downtime_seconds == 2 * 3600
    assert result.outages[0].inside_seconds == 2 * 3600
    assert result.availability == pytest.approx(100 * (1 - 7200 / 180000))


def test_it_reads_service_hours_in_local_time_when_the_outage_is_given_in_utc():
    # 06:30-07:30 UTC on Monday 1 April 2024 is 07:30-08:30 BST: half an hour is inside.
    outage = Outage(
        datetime(2024, 4, 1, 6, 30, tzinfo=UTC), datetime(2024, 4, 1, 7, 30, tzinfo=UTC)
    )
    result = availability([outage], OFFICE, london(4, 1, 0), london(4, 2, 0))
    assert result.downtime_seconds == 1800


def test_it_counts_service_hours_across_the_autumn_clock_change():
    # Friday 25 Oct 17:00 BST to Monday 28 Oct 09:00 GMT: 65 real hours, 2 of them agreed.
    outage = Outage(london(10, 25, 17), london(10, 28, 9))
    result = availability([outage], OFFICE, london(10, 21, 0), london(10, 28, 18))
    assert (outage.end - outage.start) / timedelta(hours=1) == 64  # wall clock
    assert outage.end.timestamp() - outage.start.timestamp() == 65 * 3600  # real time
    assert result.agreed_seconds == 6 * 10 * 3600
    assert result.downtime_seconds == 2 * 3600


def test_it_does_not_double_count_overlapping_outages():
    first = Outage(at(10), at(11), id="INC-1")
    second = Outage(at(10.5), at(12), id="INC-2")
    result = availability([first, second], ALWAYS, DAY, at(24))

    assert result.downtime_seconds == 2 * 3600
    # The shared half hour is charged once, to the outage listed first.
    shares = {share.outage.id: share for share in result.outages}
    assert shares["INC-1"].downtime_seconds == 3600
    assert shares["INC-2"].downtime_seconds == 3600
    assert shares["INC-2"].inside_seconds == 5400


def test_it_counts_degraded_service_at_its_impact():
    degraded = Outage(at(10), at(12), impact=0.5)
    assert availability([degraded], ALWAYS, DAY, at(24)).downtime_seconds == 3600

    # A full outage inside the degraded spell counts in full there, not 1.5 times.
    full = Outage(at(11), at(11.5))
    result = availability([degraded, full], ALWAYS, DAY, at(24))
    assert result.downtime_seconds == 1.5 * 3600 * 0.5 + 0.5 * 3600
    assert [s.downtime_seconds for s in result.outages] == [2700, 1800]


def test_it_excludes_planned_work_inside_an_agreed_maintenance_window():
    window = (at(2), at(4))
    planned = Outage(at(2), at(4), planned=True)
    result = availability([planned], ALWAYS, DAY, at(24), maintenance=[window])

    assert result.maintenance_seconds == 7200
    assert result.agreed_seconds == 86400 - 7200
    assert result.downtime_seconds == 0
    assert result.availability == 100.0


def test_it_counts_planned_work_that_overruns_its_maintenance_window():
    overrun = Outage(at(2), at(5), planned=True)
    result = availability([overrun], ALWAYS, DAY, at(24), maintenance=[(at(2), at(4))])
    assert result.downtime_seconds == 3600


def test_it_counts_planned_work_without_a_maintenance_window_as_downtime():
    planned = Outage(at(2), at(4), planned=True)
    assert availability([planned], ALWAYS, DAY, at(24)).downtime_seconds == 7200


def test_it_does_not_count_a_failure_inside_a_maintenance_window():
    # The window is outside agreed service time, so nothing in it is downtime.
    failure = Outage(at(3), at(5))
    result = availability([failure], ALWAYS, DAY, at(24), maintenance=[(at(2), at(4))])
    assert result.downtime_seconds == 3600


def test_maintenance_outside_service_hours_does_not_shrink_agreed_time():
    saturday = (london(6, 8, 8), london(6, 8, 18))
    friday_evening = (london(6, 7, 17), london(6, 7, 20))
    overlapping = (london(6, 7, 17, 30), london(6, 7, 19))
    result = availability(
        [], OFFICE, MONDAY, NEXT_MONDAY, maintenance=[saturday, friday_evening, overlapping]
    )

    # Only Friday 17:00-18:00 was agreed service time, and it is removed once.
    assert result.service_seconds == 180000
    assert result.maintenance_seconds == 3600
    assert result.agreed_seconds == 180000 - 3600


def test_it_measures_a_maintenance_window_across_the_autumn_clock_change():
    # 27 Oct 2024: 00:30 BST is 23:30 UTC, 02:30 GMT is 02:30 UTC: three real hours.
    window = (
        datetime(2024, 10, 27, 0, 30, tzinfo=LONDON),
        datetime(2024, 10, 27, 2, 30, tzinfo=LONDON),
    )
    day = datetime(2024, 10, 26, 12, tzinfo=UTC)
    result = availability([], ALWAYS, day, day + timedelta(days=1), maintenance=[window])
    assert result.maintenance_seconds == 3 * 3600


def test_it_has_no_availability_figure_when_no_service_time_was_agreed():
    weekend = availability([], OFFICE, london(6, 8, 0), NEXT_MONDAY)
    assert weekend.agreed_seconds == 0
    assert weekend.availability is None
    assert weekend.meets(99.99)


def test_it_leaves_outages_outside_the_period_out_of_the_breakdown():
    before = Outage(at(-5), at(-4), id="before")
    straddling = Outage(at(-1), at(1), id="straddling")
    result = availability([before, straddling], ALWAYS, DAY, at(24))
    assert [share.outage.id for share in result.outages] == ["straddling"]
    assert result.downtime_seconds == 3600


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 180), st.integers(1, 60), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        max_size=8,
    ),
    st.lists(st.tuples(st.integers(0, 180), st.integers(1, 60)), max_size=3),
)
def test_downtime_agrees_with_a_minute_by_minute_count(spells, windows):
    outages = [Outage(at(m / 60), at((m + n) / 60), impact=i) for m, n, i in spells]
    maintenance = [(at(m / 60), at((m + n) / 60)) for m, n in windows]
    result = availability(outages, ALWAYS, DAY, at(3), maintenance=maintenance)

    in_window = [any(m <= t < m + n for m, n in windows) for t in range(180)]
    worst = [max([i for m, n, i in spells if m <= t < m + n], default=0) for t in range(180)]
    agreed = [t for t in range(180) if not in_window[t]]
    assert result.agreed_seconds == 60 * len(agreed)
    assert result.downtime_seconds == 60 * sum(worst[t] for t in agreed)
    assert sum(s.downtime_seconds for s in result.outages) == pytest.approx(result.downtime_seconds)
    reordered = availability(outages[::-1], ALWAYS, DAY, at(3), maintenance=maintenance)
    assert reordered.downtime_seconds == result.downtime_seconds


# Bad input is refused with an error that names the field.


def test_an_outage_refuses_naive_and_backwards_times():
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        Outage(datetime(2024, 6, 1, 10), at(11))
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        Outage(at(10), datetime(2024, 6, 1, 11))
    with pytest.raises(ValueError, match="end .* must be after start"):
        Outage(at(11), at(10))


def test_an_outage_refuses_an_impact_outside_0_to_1():
    with pytest.raises(ValueError, match="impact must be between 0 and 1, got 1.5"):
        Outage(at(10), at(11), impact=1.5)
    with pytest.raises(TypeError, match="impact"):
        Outage(at(10), at(11), impact="0.5")
    assert Outage(at(10), at(11), impact=1).impact == 1.0


def test_availability_names_the_bad_argument():
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        availability([], ALWAYS, datetime(2024, 6, 1), at(24))
    with pytest.raises(ValueError, match="end .* must be after start"):
        availability([], ALWAYS, at(24), DAY)
    with pytest.raises(ValueError, match=r"maintenance\[1\]\.end must be timezone-aware"):
        availability(
            [], ALWAYS, DAY, at(24), maintenance=[(at(1), at(2)), (at(3), datetime(2024, 6, 2))]
        )
    with pytest.raises(ValueError, match=r"maintenance\[0\]\.end .* must be after start"):
        availability([], ALWAYS, DAY, at(24), maintenance=[(at(2), at(1))])
    with pytest.raises(TypeError, match=r"outages\[0\] must be an Outage"):
        availability([(at(1), at(2))], ALWAYS, DAY, at(24))
    with pytest.raises(ValueError, match="target must be between 0 and 100"):
        availability([], ALWAYS, DAY, at(24)).meets(999)


# Composite availability: modelled from component figures.


def test_two_99_percent_components_in_series_give_98_01_percent():
    service = Series([Leaf("app"), Leaf("db")])
    assert modelled_availability(service, {"app": 0.99, "db": 0.99}) == pytest.approx(0.9801)


def test_a_redundant_pair_of_99_percent_components_gives_99_99_percent():
    pair = Redundant([Leaf("web1"), Leaf("web2")])
    assert modelled_availability(pair, {"web1": 0.99, "web2": 0.99}) == pytest.approx(0.9999)


def test_two_of_three_needs_any_two_up():
    trio = Redundant([Leaf("a"), Leaf("b"), Leaf("c")], k=2)
    # All three up, or exactly one of three down.
    assert modelled_availability(trio, dict(a=0.9, b=0.9, c=0.9)) == pytest.approx(
        0.9**3 + 3 * 0.9**2 * 0.1
    )
    # Unequal members: P(a b up) + P(a c up) + P(b c up) - 2 P(all up).
    ups = dict(a=0.9, b=0.8, c=0.7)
    expected = 0.9 * 0.8 + 0.9 * 0.7 + 0.8 * 0.7 - 2 * 0.9 * 0.8 * 0.7
    assert modelled_availability(trio, ups) == pytest.approx(expected)


def test_a_nested_tree_combines_its_parts():
    shop = Series([Leaf("lb"), Redundant([Leaf("web1"), Leaf("web2")]), Leaf("db")])
    ups = {"lb": 0.999, "web1": 0.99, "web2": 0.98, "db": 0.995}
    expected = 0.999 * (1 - 0.01 * 0.02) * 0.995
    assert modelled_availability(shop, ups) == pytest.approx(expected)
    assert shop.components() == {"lb", "web1", "web2", "db"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_a_group_needing_all_members_is_a_series(ups):
    leaves = [Leaf(f"c{i}") for i in range(len(ups))]
    figures = {leaf.component: up for leaf, up in zip(leaves, ups, strict=True)}
    everyone = Redundant(leaves, k=len(leaves))
    assert modelled_availability(everyone, figures) == modelled_availability(
        Series(leaves), figures
    )


def test_modelling_names_the_bad_component_or_k():
    with pytest.raises(ValueError, match="no availability given for component 'db'"):
        modelled_availability(Series([Leaf("app"), Leaf("db")]), {"app": 0.99})
    with pytest.raises(ValueError, match=r"availabilities\['db'\] must be a fraction"):
        modelled_availability(Leaf("db"), {"db": 99.5})
    with pytest.raises(ValueError, match=r"k must be between 1 and the number of members \(2\)"):
        Redundant([Leaf("a"), Leaf("b")], k=3)
    with pytest.raises(ValueError, match="members must not be empty"):
        Series([])
    with pytest.raises(TypeError, match=r"members\[1\] must be a Leaf"):
        Series([Leaf("a"), "b"])


# Composite availability: measured from component outages.


def test_a_series_is_down_whenever_any_member_is():
    service = Series([Leaf("app"), Leaf("db")])
    recorded = {
        "app": [Outage(at(10), at(10.5))],
        "db": [Outage(at(10.25), at(11)), Outage(at(14), at(15))],
    }
    assert spells(measured_outages(service, recorded)) == [(10, 11, 1.0), (14, 15, 1.0)]


def test_a_redundant_pair_is_down_only_while_both_are_down():
    pair = Redundant([Leaf("web1"), Leaf("web2")])
    recorded = {"web1": [Outage(at(10), at(11))], "web2": [Outage(at(10.5), at(11.5))]}
    assert spells(measured_outages(pair, recorded)) == [(10.5, 11, 1.0)]


def test_two_of_three_is_down_when_two_are_down():
    trio = Redundant([Leaf("a"), Leaf("b"), Leaf("c")], k=2)
    recorded = {
        "a": [Outage(at(9), at(12))],
        "b": [Outage(at(10), at(11))],
        "c": [Outage(at(10.5), at(13))],
    }
    assert spells(measured_outages(trio, recorded)) == [(10, 12, 1.0)]


def test_degradation_propagates_by_the_documented_rule():
    # Series: the worst member. Pair (k=1): the better member.
    recorded = {"app": [Outage(at(10), at(12), impact=0.5)], "db": [Outage(at(11), at(13))]}
    series = measured_outages(Series([Leaf("app"), Leaf("db")]), recorded)
    assert spells(series) == [(10, 11, 0.5), (11, 13, 1.0)]
    pair = measured_outages(Redundant([Leaf("app"), Leaf("db")]), recorded)
    assert spells(pair) == [(11, 12, 0.5)]


def test_a_failure_during_planned_maintenance_of_the_partner_is_unplanned():
    pair = Redundant([Leaf("web1"), Leaf("web2")])
    recorded = {
        "web1": [Outage(at(2), at(4), planned=True)],
        "web2": [Outage(at(3), at(5))],
    }
    [outage] = measured_outages(pair, recorded, service="shop")
    assert (outage.start, outage.end, outage.planned, outage.component) == (
        at(3),
        at(4),
        False,
        "shop",
    )


def test_planned_work_on_a_series_member_is_a_planned_service_outage():
    recorded = {"db": [Outage(at(2), at(4), planned=True)], "app": [Outage(at(3), at(5))]}
    outages = measured_outages(Series([Leaf("app"), Leaf("db")]), recorded)
    assert [(o.start, o.end, o.planned) for o in outages] == [
        (at(2), at(4), True),
        (at(4), at(5), False),
    ]


def test_measured_service_outages_feed_the_availability_report():
    shop = Series([Leaf("lb"), Redundant([Leaf("web1"), Leaf("web2")])])
    recorded = {
        "lb": [Outage(at(1), at(1.5))],
        "web1": [Outage(at(6), at(8))],
        "web2": [Outage(at(7), at(7.25)), Outage(at(20), at(21))],
    }
    result = availability(measured_outages(shop, recorded), ALWAYS, DAY, at(24))
    assert result.downtime_seconds == 1800 + 900
    assert result.availability == pytest.approx(100 * (1 - 2700 / 86400))


def test_measuring_refuses_an_outage_filed_under_another_component():
    recorded = {"db": [Outage(at(1), at(2), component="app")]}
    with pytest.raises(ValueError, match=r"outages\['db'\]\[0\]\.component is 'app'"):
        measured_outages(Series([Leaf("app"), Leaf("db")]), recorded)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 60), st.integers(1, 30), st.booleans()),
        max_size=8,
    ),
    st.integers(1, 3),
)
def test_measured_outages_agree_with_a_minute_by_minute_evaluation(spells_, k):
    tree = Series([Leaf("lb"), Redundant([Leaf("a"), Leaf("b"), Leaf("c")], k=k)])
    recorded = {}
    for c, m, n, planned in spells_:
        recorded.setdefault(c, []).append(Outage(at(m / 60), at((m + n) / 60), planned=planned))
    result = measured_outages(tree, recorded)

    def group_down(t, planned_only):
        down = {
            c for c, m, n, planned in spells_ if m <= t < m + n and (planned or not planned_only)
        }
        return 3 - len(down) < k

    for t in range(100):
        covering = [o for o in result if o.start <= at(t / 60) < o.end]
        assert len(covering) == int(group_down(t, False))
        if covering:
            assert covering[0].planned == group_down(t, True)


def spells(outages):
    """(start hour, end hour, impact) of each outage, for comparing with hand-made tables."""
    return [
        ((o.start - DAY) / timedelta(hours=1), (o.end - DAY) / timedelta(hours=1), o.impact)
        for o in outages
    ]
