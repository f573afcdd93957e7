"""Server-side SVG charts for reports and pages: no JavaScript, so they print and render in
PDF (WeasyPrint draws inline SVG) exactly as on screen.

Every chart is an accessible image: ``role="img"`` with a ``<title>`` and a ``<desc>`` that
says in words what the chart shows (each value), so a screen reader, a text-only mail client
or a search has the figures without the picture.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

GREEN, AMBER, RED, GREY = "#1e7b3a", "#a86a00", "#b3261e", "#8a93a6"
INK, LINE, BLUE = "#1d2433", "#dde2ea", "#2457a6"

_ids = count(1)


@dataclass(frozen=True)
class Point:
    label: str  # the period, e.g. "2025-03"
    value: float | None  # None: no data in that period (a gap, never 0 or 100)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, desc: str, body: list[str],
         css_class: str) -> SafeString:
    n = next(_ids)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart{n}-title chart{n}-desc">'
        f'<title id="chart{n}-title">{escape(title)}</title>'
        f'<desc id="chart{n}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def trend_chart(points: Sequence[Point], objective: float | None, *, title: str,
                unit: str = "%", width: int = 340, height: int = 130) -> SafeString:
    """A line of compliance per period with the objective as a dashed line; each point green
    when it met the objective, red when it missed it; periods without data are gaps."""
    known = [p.value for p in points if p.value is not None]
    floor_candidates = known + ([objective] if objective is not None else [])
    low = min(floor_candidates) if floor_candidates else 0.0
    y_min = max(0.0, min(low - 2.0, 90.0))
    y_min = float(int(y_min // 5 * 5))
    y_max = 100.0
    left, right, top, bottom = 34, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(points), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        v = min(max(v, y_min), y_max)
        return top + plot_h * (1 - (v - y_min) / (y_max - y_min or 1))

    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafbfc" '
            f'stroke="{LINE}"/>']
    # Axis labels: the objective first, then the ends; one too close to a placed one (95
    # beside 100 on an axis from 0) is left out rather than printed over it.
    placed: list[float] = []
    for tick in ([objective] if objective is not None else []) + [y_min, y_max]:
        if any(abs(y(tick) - y(other)) < 10 for other in placed):
            continue
        placed.append(tick)
        body.append(f'<text x="{left - 4}" y="{y(tick) + 3:.1f}" font-size="9" '
                    f'text-anchor="end" fill="{GREY}">{_fmt(tick)}</text>')
    if objective is not None:
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(objective):.1f}" '
                    f'y2="{y(objective):.1f}" stroke="{INK}" stroke-dasharray="4 3" '
                    f'stroke-width="1"/>')
    # The line, broken at periods without data.
    run: list[str] = []
    for i, p in enumerate([*points, Point("", None)]):
        if p.value is None:
            if len(run) > 1:
                body.append(f'<polyline fill="none" stroke="{BLUE}" stroke-width="1.5" '
                            f'points="{" ".join(run)}"/>')
            run = []
        else:
            run.append(f"{x(i):.1f},{y(p.value):.1f}")
    # The dots: one path of circles per colour (a PDF draws one shape, not twelve).
    dots: dict[str, list[str]] = {GREEN: [], RED: []}
    for i, p in enumerate(points):
        if p.value is None:
            body.append(f'<text x="{x(i):.1f}" y="{top + plot_h - 3}" font-size="8" '
                        f'text-anchor="middle" fill="{GREY}">–</text>')
            continue
        colour = GREEN if objective is None or p.value >= objective else RED
        dots[colour].append(f"M{x(i) - 3:.1f} {y(p.value):.1f}a3 3 0 1 0 6 0a3 3 0 1 0-6 0")
    for colour, circles in dots.items():
        if circles:
            body.append(f'<path class="dots" fill="{colour}" d="{"".join(circles)}"/>')
    for i in {0, len(points) - 1} if points else set():
        body.append(f'<text x="{x(i):.1f}" y="{height - 6}" font-size="9" '
                    f'text-anchor="middle" fill="{GREY}">{escape(points[i].label)}</text>')
    words = "; ".join(
        f"{p.label}: {'no data' if p.value is None else _fmt(p.value) + ' ' + unit}"
        for p in points)
    objective_words = (f"Objective {_fmt(objective)} {unit}. " if objective is not None
                       else "")
    return _svg(width, height, title, objective_words + words, body, "chart trend")


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str = "",
              colour: str = RED, width: int = 340, bar_height: int = 18) -> SafeString:
    """Horizontal bars, one per (label, value), longest first as given."""
    left, right, gap = 90, 44, 6
    height = max(1, len(items)) * (bar_height + gap) + gap
    top_value = max([v for _, v in items] + [1])
    body = []
    for i, (label, value) in enumerate(items):
        y0 = gap + i * (bar_height + gap)
        w = (width - left - right) * value / top_value
        body.append(f'<text x="{left - 6}" y="{y0 + bar_height * 0.7:.1f}" font-size="11" '
                    f'text-anchor="end" fill="{INK}">{escape(label)}</text>')
        body.append(f'<rect x="{left}" y="{y0}" width="{w:.1f}" height="{bar_height}" '
                    f'fill="{colour}" rx="2"/>')
        body.append(f'<text x="{left + w + 4:.1f}" y="{y0 + bar_height * 0.7:.1f}" '
                    f'font-size="11" fill="{INK}">{_fmt(value)}{unit}</text>')
    if not items:
        body.append(f'<text x="{left}" y="{gap + bar_height * 0.7}" font-size="11" '
                    f'fill="{GREY}">none</text>')
    words = "; ".join(f"{label}: {_fmt(value)}{unit}" for label, value in items) or "none"
    return _svg(width, height, title, words, body, "chart bars")


LIGHTS = {"met": GREEN, "edge": AMBER, "missed": RED, "no_data": GREY}


def traffic_light(state: str, label: str) -> SafeString:
    """A small filled circle in the light's colour; ``label`` says the state in words."""
    colour = LIGHTS.get(state, GREY)
    # No ids: one light appears several times on a page (summary and table).
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="light light-{escape(state)}" '
        f'role="img" aria-label="{escape(label)}" width="14" height="14" viewBox="0 0 14 14">'
        f'<title>{escape(label)}</title>'
        f'<circle cx="7" cy="7" r="6" fill="{colour}" stroke="#fff"/></svg>')
