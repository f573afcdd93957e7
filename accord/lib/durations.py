"""How durations read, the same on every page.

Business time (a clock's elapsed time, a target, time held by a team) reads in business
hours and minutes -- "45 min", "4 h", "121 h 30 min" -- never folded into 24-hour days,
which would make 24 business hours (three working days) read "1 d". Business days appear
only where the calendar says how long its business day is (``day_seconds``). Wall-clock
time (how long a segment lasted on the calendar) may read in days.
"""

_HOUR = 3600


def business_duration(seconds, day_seconds: float | None = None) -> str:
    """Business seconds as people read them: 3660 -> "1 h 1 min", 86400 -> "24 h";
    with ``day_seconds`` (a business day of that length) 86400 / 28800 -> "3 d"."""
    if seconds is None:
        return "—"
    seconds = int(abs(seconds))
    days = 0
    if day_seconds:
        days, seconds = divmod(seconds, int(day_seconds))
    hours, rest = divmod(seconds, _HOUR)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours:,} h" if hours else "",
             f"{minutes} min" if minutes else ""]
    text = " ".join(p for p in parts if p)
    return text or (f"{seconds} s" if seconds or not days else "0 min")


def wall_duration(seconds) -> str:
    """Wall-clock seconds: "45 min", "3 h 20 min", "2 d 4 h" (calendar days)."""
    if seconds is None:
        return "—"
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, _HOUR)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"
