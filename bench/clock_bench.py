"""Benchmark: Accord's vectorized business time against its peers and the searchsorted floor.

    python bench/clock_bench.py [--n 10000000] [--sample 2000] [--repeat 3]

Calendar: Europe/London, Mon 08:00-12:30 and 13:30-18:00, Tue-Fri 08:00-18:00, England's
bank holidays (GB/ENG) 2023-2026. Tickets start uniformly in 2024-2025 (datetime64[us],
UTC); elapsed runs over 0-5 real days, due asks for 1 h to 3 days of business time.
Accord's bulk calls are timed on 1 M and N tickets (best of --repeat, output allocation
included); peers, which work one ticket at a time, are timed on --sample tickets.
The floor is two bare numpy.searchsorted calls of the same instants into the calendar's
boundary array (what any bulk lookup must at least do without tables).
"""

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accord.clock import BusinessCalendar  # noqa: E402

TZ = "Europe/London"
LUNCH = (dt.time(12, 30), dt.time(13, 30))
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = 10**6
DAY_US = 86400 * US


def calendar() -> BusinessCalendar:
    hours = {"mon": [("08:00", "12:30"), ("13:30", "18:00")]}
    hours |= {d: [("08:00", "18:00")] for d in ("tue", "wed", "thu", "fri")}
    return BusinessCalendar(tz=TZ, hours=hours, country="GB", subdivision="ENG")


def tickets(n: int, seed: int = 2025):
    rng = np.random.default_rng(seed)
    lo = np.datetime64("2024-01-01", "us").astype(np.int64)
    hi = np.datetime64("2026-01-01", "us").astype(np.int64)
    starts = rng.integers(lo, hi, n)
    ends = starts + rng.integers(0, 5 * DAY_US, n)
    seconds = rng.uniform(3600, 3 * 86400, n)
    return starts.view("M8[us]"), ends.view("M8[us]"), seconds


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def boundaries(cal: BusinessCalendar) -> np.ndarray:
    """Every open/close instant (µs) of 2023-2026, from the public open_intervals."""
    start, end = dt.datetime(2023, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    edges = [x for pair in cal.open_intervals(start, end) for x in pair]
    return np.array([(x - EPOCH) // dt.timedelta(microseconds=1) for x in edges], np.int64)


def aware(us) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(us))


def peers(sample_starts, sample_ends, sample_seconds):
    """Per-ticket seconds for businesstimedelta (elapsed, due) and pandas (due), or None."""
    import holidays

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(2023, 2027))
    out = {}
    try:
        import businesstimedelta as btd
        import pytz

        london = pytz.timezone(TZ)
        rules = btd.Rules([
            btd.WorkDayRule(dt.time(8), dt.time(18), working_days=[0, 1, 2, 3, 4], tz=london),
            btd.LunchTimeRule(*LUNCH, working_days=[0], tz=london),
            btd.HolidayRule(days, tz=london),
        ])
        pairs = list(zip(sample_starts, sample_ends, strict=True))
        t0 = time.perf_counter()
        got = [rules.difference(a, b).timedelta.total_seconds() for a, b in pairs]
        out["btd elapsed"] = ((time.perf_counter() - t0) / len(pairs), got)
        t0 = time.perf_counter()
        due = [a + btd.BusinessTimeDelta(rules, seconds=s)
               for a, s in zip(sample_starts, sample_seconds, strict=True)]
        out["btd due"] = ((time.perf_counter() - t0) / len(pairs), due)
    except ImportError:
        pass
    # pandas: the same hours every weekday (it cannot give Monday alone a lunch break),
    # naive local times, whole hours only.
    try:
        import pandas as pd
    except ImportError:  # a peer to compare with, not a dependency of Accord
        return out
    offsets = {}
    local = [pd.Timestamp(a.astimezone(ZoneInfo(TZ)).replace(tzinfo=None)) for a in sample_starts]
    hours_n = [max(1, round(s / 3600)) for s in sample_seconds]
    t0 = time.perf_counter()
    for ts, h in zip(local, hours_n, strict=True):
        off = offsets.get(h)
        if off is None:
            off = offsets[h] = pd.offsets.CustomBusinessHour(
                n=h, start="08:00", end="18:00", holidays=list(days))
        ts + off
    out["pandas due"] = ((time.perf_counter() - t0) / len(local), None)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cal = calendar()
    sizes = sorted({min(1_000_000, args.n), args.n})
    starts, ends, seconds = tickets(max(sizes))
    cal.elapsed_many(starts[:1000], ends[:1000])  # build the tables for 2024-2026
    cal.due_many(starts[:1000], seconds[:1000])

    rows = []  # (label, kind, tickets, seconds per run)
    for n in sizes:
        s, e, x = starts[:n], ends[:n], seconds[:n]
        t = best_of(args.repeat, lambda s=s, e=e: cal.elapsed_many(s, e))
        rows.append(("Accord elapsed_many", "ours elapsed", n, t))
        t = best_of(args.repeat, lambda s=s, x=x: cal.due_many(s, x))
        rows.append(("Accord due_many", "ours due", n, t))
    n = max(sizes)
    ours = {kind: count / secs for _, kind, count, secs in rows if count == n}
    bounds = boundaries(cal)
    s_us, e_us = starts.view(np.int64), ends.view(np.int64)
    floor = best_of(args.repeat, lambda: (np.searchsorted(bounds, s_us, "right"),
                                          np.searchsorted(bounds, e_us, "right")))
    rows.append(("floor: 2 x numpy.searchsorted", "floor", n, floor))

    k = min(args.sample, n)
    sample_starts = [aware(u) for u in s_us[:k]]
    sample_ends = [aware(u) for u in e_us[:k]]
    sample_seconds = [float(v) for v in seconds[:k]]
    pairs = list(zip(sample_starts, sample_ends, strict=True))
    t_el = best_of(1, lambda: [cal.elapsed(a, b) for a, b in pairs])
    jobs = list(zip(sample_starts, sample_seconds, strict=True))
    t_due = best_of(1, lambda: [cal.due(a, v) for a, v in jobs])
    rows.append(("Accord elapsed (scalar, one at a time)", "elapsed", k, t_el))
    rows.append(("Accord due (scalar, one at a time)", "due", k, t_due))
    scalar = {"elapsed": k / t_el, "due": k / t_due}
    peer = peers(sample_starts, sample_ends, sample_seconds)
    labels = {"btd elapsed": ("businesstimedelta difference", "elapsed"),
              "btd due": ("businesstimedelta add (due)", "due"),
              "pandas due": ("pandas CustomBusinessHour add (due)", "due")}
    for key, (per, _) in peer.items():
        rows.append((*labels[key], k, per * k))

    print(" ".join(__doc__.split("\n\n")[2].split()))
    print(f"\n{'what':40} {'tickets':>11} {'seconds':>9} {'tickets/s':>13}  Accord bulk is")
    for label, kind, count, secs in rows:
        r = count / secs
        if kind == "floor":
            ratio = f"{ours['ours elapsed'] / r:.1f} x (elapsed)"
            ratio += f", {ours['ours due'] / r:.1f} x (due)"
        elif kind in ("elapsed", "due"):
            ratio = f"{ours['ours ' + kind] / r:,.0f} x faster"
            if not label.startswith("Accord"):
                ratio += f" (scalar: {scalar[kind] / r:,.0f} x)"
        else:
            ratio = ""
        print(f"{label:40} {count:>11,} {secs:9.4f} {r:13,.0f}  {ratio}")
    agree = ""
    if "btd elapsed" in peer:
        ours_el = [cal.elapsed(a, b) for a, b in pairs]
        ours_due = [cal.due(a, v) for a, v in jobs]
        el_ok = sum(abs(a - b) < 1 for a, b in zip(ours_el, peer["btd elapsed"][1], strict=True))
        due_ok = sum(abs((a - b).total_seconds()) < 1
                     for a, b in zip(ours_due, peer["btd due"][1], strict=True))
        agree = (f"\nbusinesstimedelta agrees to within 1 s (it drops sub-second parts) on "
                 f"{el_ok}/{k} elapsed and {due_ok}/{k} due results")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    inputs = (starts.nbytes + ends.nbytes + seconds.nbytes) / 2**20
    print(f"\npeak memory (ru_maxrss): {peak:,.0f} MB, of which {inputs:,.0f} MB are the "
          f"input arrays{agree}")


if __name__ == "__main__":
    main()
