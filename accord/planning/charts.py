"""Server-side SVG: one comparison chart per target of a what-if replay (no JavaScript, so it
prints). Compliance per month, simulated (solid) beside the version in force (dashed), and
the objective as a horizontal line. A month with no data has no point."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40
SIMULATED, BASELINE, OBJECTIVE = "#1f6feb", "#6e7781", "#cf222e"


def _scale(values: list[float | None], objective: float) -> tuple[float, float]:
    known = [v for v in values if v is not None] + [objective]
    low = min(known)
    low = max(0.0, (int(low) // 10) * 10 - (10 if low % 10 == 0 and low > 0 else 0))
    return low, 100.0


def comparison_svg(entry: dict, simulated_label: str, baseline_label: str) -> str:
    """The chart of one ``simulate.comparison`` entry."""
    months = entry["months"]
    sim = [m["compliance_percent"] for m in months]
    base = [m["baseline_percent"] for m in months]
    objective = float(entry["objective_percent"])
    low, high = _scale(sim + base, objective)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(months) - 1) if len(months) > 1 else 0

    def x(i):
        return LEFT + (i * step if len(months) > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h * (1 - (v - low) / ((high - low) or 1))

    title = f"{entry['name']}: compliance per month, {simulated_label} beside {baseline_label}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="whatif-chart" role="img" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" '
           f'stroke="#d0d7de"/>']
    for tick in range(int(low), 101, 10 if high - low > 20 else 5):
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" '
                   f'stroke="#eaeef2"/><text x="{LEFT - 6}" y="{ty + 4:.1f}" font-size="11" '
                   f'text-anchor="end" fill="#57606a">{tick}%</text>')
    oy = y(objective)
    out.append(f'<line class="objective" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{oy:.1f}" '
               f'y2="{oy:.1f}" stroke="{OBJECTIVE}" stroke-dasharray="2 3"/>')
    every = max(1, len(months) // 12 + (1 if len(months) > 12 else 0))
    for i, m in enumerate(months):
        if i % every == 0:
            anchor = ("start" if i == 0 and len(months) > 1 else
                      "end" if i == len(months) - 1 and len(months) > 1 else "middle")
            out.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                       f'text-anchor="{anchor}" fill="#57606a">{escape(m["month"])}</text>')
    # The baseline is drawn last, dashed, so it shows where the two lines coincide.
    for values, colour, dash, name in ((sim, SIMULATED, "", "simulated"),
                                       (base, BASELINE, ' stroke-dasharray="6 4"', "baseline")):
        segment: list[str] = []
        segments = []
        for i, v in enumerate(values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(f'<circle class="{name}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" '
                       f'fill="{colour}"><title>{escape(months[i]["month"])}: {v}%</title>'
                       f'</circle>')
        if segment:
            segments.append(segment)
        for points in segments:
            out.append(f'<polyline class="{name}" fill="none" stroke="{colour}" '
                       f'stroke-width="2"{dash} points="{" ".join(points)}"/>')
    ly = HEIGHT - 8
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + 20}" y1="{ly - 4}" y2="{ly - 4}" stroke="{SIMULATED}" '
        f'stroke-width="2"/><text x="{LEFT + 24}" y="{ly}" font-size="11">'
        f'{escape(simulated_label)}</text>'
        f'<line x1="{LEFT + 170}" x2="{LEFT + 190}" y1="{ly - 4}" y2="{ly - 4}" '
        f'stroke="{BASELINE}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 194}" y="{ly}" font-size="11">{escape(baseline_label)}</text>'
        f'<line x1="{LEFT + 340}" x2="{LEFT + 360}" y1="{ly - 4}" y2="{ly - 4}" '
        f'stroke="{OBJECTIVE}" stroke-dasharray="2 3"/><text x="{LEFT + 364}" y="{ly}" '
        f'font-size="11">objective {objective:g}%</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text in it is escaped above
