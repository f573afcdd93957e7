"""The report's SVG charts: what a reader sees on the axis and the dots."""

import re

from accord.reporting.charts import GREEN, RED, Point, trend_chart


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)


def test_it_leaves_out_an_axis_label_that_would_print_over_another():
    # 0 % in the last month stretches the axis to 0: 95 sits 4 px below 100.
    points = [Point(f"2025-{m:02d}", 100.0) for m in range(1, 12)] + [Point("2025-12", 0.0)]
    svg = trend_chart(points, 95.0, title="P2 resolution", width=300, height=120)
    assert axis_labels(svg) == ["95", "0"]


def test_it_labels_the_objective_and_both_ends_when_they_are_apart():
    points = [Point("2025-01", 91.0), Point("2025-02", 99.0)]
    svg = trend_chart(points, 95.0, title="P1 resolution", width=300, height=120)
    assert axis_labels(svg) == ["95", "85", "100"]
    # One red dot (91 < 95) and one green: a circle in each colour's path.
    dots = dict(re.findall(r'<path class="dots" fill="([^"]+)" d="([^"]+)"', svg))
    assert {colour: d.count("M") for colour, d in dots.items()} == {RED: 1, GREEN: 1}
