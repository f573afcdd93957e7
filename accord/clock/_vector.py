"""The vectorized path: elapsed and due for many tickets at once, with no Python loop per ticket.

Inputs become int64 µs; the work runs in chunks that fit the CPU cache, through a ``Table``
of the local years in use (built lazily, widened when new years appear). Results are the
scalar path's, bit for bit: the same integer µs, turned into seconds the same way.
"""

import numpy as np

from ._spec import MAX_SECONDS, MAX_US, MIN_US, seconds_to_us, to_us
from ._tables import Table
from ._wall import local_date, local_year_start

CHUNK = 1 << 15
_LAST_YEAR = 2200  # local years beyond the supported instants are never needed
_YEAR_US = 365 * 86400 * 1_000_000


class Instants:
    """Many instants as int64 µs since the epoch, converted one chunk at a time.

    From a datetime64 array (UTC, any unit; finer units round down to the µs) or a
    sequence of aware datetimes. ``lo`` and ``hi`` are the earliest and latest instants.
    """

    def __init__(self, values, where: str):
        self.mul = self.div = 1
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            unit, count = np.datetime_data(values.dtype)
            if unit in ("Y", "M", "generic"):
                values = values.astype("M8[us]")
                unit, count = "us", 1
            ratio = np.timedelta64(count, unit) / np.timedelta64(1, "us")
            if ratio >= 1:
                self.mul = int(ratio)
            else:
                self.div = int(round(1 / ratio))
            self.raw = np.ascontiguousarray(values).ravel().view(np.int64)
        elif isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"{where}: expected datetime64 values or aware datetimes, "
                             f"got {values!r}")
        elif isinstance(values, np.ndarray) and values.dtype.kind != "O":
            raise ValueError(f"{where}: expected datetime64 or aware datetimes, got {values.dtype}")
        else:
            self.raw = np.array(
                [to_us(v, f"{where}[{i}]") for i, v in enumerate(values)], dtype=np.int64
            )
        if len(self.raw):
            raw_lo, raw_hi = self.raw.min(), self.raw.max()
            nat = np.iinfo(np.int64).min
            self.lo = self.us(raw_lo) if raw_lo != nat else MIN_US - 1
            self.hi = self.us(raw_hi)
            if self.lo < MIN_US or self.hi >= MAX_US:
                i = int(np.argmax(self.raw == (raw_lo if self.lo < MIN_US else raw_hi)))
                bad = np.ravel(values)[i]
                raise ValueError(f"{where}[{i}]: {bad!r} is NaT or outside 1900-2199")

    def __len__(self):
        return len(self.raw)

    def us(self, raw) -> int:
        return int(raw) * self.mul // self.div

    def chunk(self, i: int, j: int, out: np.ndarray) -> np.ndarray:
        """The µs of instants i..j, in ``out`` unless no conversion is needed."""
        if self.div != 1:
            return np.floor_divide(self.raw[i:j], self.div, out=out)
        if self.mul != 1:
            return np.multiply(self.raw[i:j], self.mul, out=out)
        return self.raw[i:j]


def durations(seconds, size: int) -> np.ndarray:
    """Seconds (array-like or one number) as float64 or int64 of matching size, validated."""
    arr = np.asarray(seconds)
    if arr.dtype.kind == "m":
        arr = arr.astype("m8[us]").view(np.int64) / 1e6
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind in "fb":
        arr = arr.astype(np.float64, copy=False)
    else:
        raise ValueError(f"seconds: expected numbers of seconds, got {arr.dtype} {seconds!r}")
    arr = np.broadcast_to(arr, (size,)) if arr.ndim == 0 else arr.ravel()
    if len(arr) != size:
        raise ValueError(f"seconds: {len(arr)} values for {size} starts")
    if size:
        low, high = arr.min(), arr.max()
        if not (low >= 0 and high <= MAX_SECONDS):  # also catches NaN
            bad = ~((arr >= 0) & (arr <= MAX_SECONDS))
            i = int(np.argmax(bad))
            raise ValueError(f"seconds[{i}]: must be in [0, {MAX_SECONDS:.0f}], got {arr[i]!r}")
    return arr


def _to_us(sec: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """``seconds_to_us`` of each value (the least u with u / 1e6 >= s), into ``out``.

    ceil(s * 1e6) is within 2 of that u for any allowed s, so two steps each way make it exact.
    """
    if sec.dtype.kind == "i":
        return np.multiply(sec, 1_000_000, out=out)
    np.multiply(sec, 1e6, out=tmp)
    np.ceil(tmp, out=tmp)
    out[:] = tmp
    for _ in range(2):
        np.subtract(out, 1, out=tmp, casting="unsafe")
        tmp /= 1e6
        np.subtract(out, tmp >= sec, out=out, casting="unsafe")
    for _ in range(2):
        np.divide(out, 1e6, out=tmp)
        np.add(out, tmp < sec, out=out, casting="unsafe")
    return out


def table(cal, lo: int, hi: int) -> Table:
    """A table whose window holds the instants lo..hi (µs), widening the cached one."""
    y0 = local_date(cal._zone, int(lo)).year
    y1 = local_date(cal._zone, int(hi)).year
    have = cal._table
    if have is not None and have[0] <= y0 and y1 <= have[1]:
        return have[2]
    if have is not None:
        y0, y1 = min(y0, have[0]), max(y1, have[1])
    t = _build(cal, y0, y1)
    for _ in range(3):  # widen only if a zone moved its clocks across New Year
        if t.lo <= lo and hi < t.hi:
            break
        y0, y1 = y0 - (lo < t.lo), y1 + (hi >= t.hi)
        t = _build(cal, y0, y1)
    return t


def _build(cal, y0: int, y1: int) -> Table:
    lo = local_year_start(cal._zone, y0)
    hi = local_year_start(cal._zone, y1 + 1)
    t = Table(lo, hi, cal._walk_all(lo, hi))
    t.years = (y0, y1)
    cal._table = (y0, y1, t)
    return t


def _reaching(cal, t: Table, need: int) -> Table:
    """A table (from the same first year) whose open time reaches ``need`` if possible."""
    y0, y1 = t.years
    while need > t.total and y1 < _LAST_YEAR:
        rate = t.total / (t.hi - t.lo)
        more = _LAST_YEAR if rate == 0 else int((need - t.total) / rate / _YEAR_US) + 1
        y1 = min(y1 + more, _LAST_YEAR)
        t = _build(cal, y0, y1)
    return t


def elapsed_many(cal, starts, ends) -> np.ndarray:
    s, e = Instants(starts, "starts"), Instants(ends, "ends")
    if len(s) != len(e):
        raise ValueError(f"starts and ends differ in length: {len(s)} and {len(e)}")
    out = np.empty(len(s), dtype=np.float64)
    if not len(s):
        return out
    tab = None if cal._always else table(cal, min(s.lo, e.lo), max(s.hi, e.hi))
    size = min(CHUNK, len(s))
    cs, ce, fs, fe, b, g = (np.empty(size, dtype=np.int64) for _ in range(6))
    for i in range(0, len(s), size):
        j = min(i + size, len(s))
        m = j - i
        ts, te = s.chunk(i, j, cs[:m]), e.chunk(i, j, ce[:m])
        if tab is None:
            np.subtract(te, ts, out=fe[:m])
        else:
            tab.forward(ts, b[:m], g[:m], fs[:m])
            tab.forward(te, b[:m], g[:m], fe[:m])
            fe[:m] -= fs[:m]
        np.maximum(fe[:m], 0, out=fe[:m])
        np.divide(fe[:m], 1e6, out=out[i:j])  # the same conversion as us_to_seconds
    return out


def due_many(cal, starts, seconds) -> np.ndarray:
    s = Instants(starts, "starts")
    sec = durations(seconds, len(s))
    out = np.empty(len(s), dtype=np.int64)
    if not len(s):
        return out.view("M8[ns]")
    tab = None
    if not cal._always:
        tab = table(cal, s.lo, s.hi)
        need = int(tab.exact(np.array([s.hi]))[0]) + seconds_to_us(float(sec.max()))
        tab = _reaching(cal, tab, need)
    size = min(CHUNK, len(s))
    cs, u, v, b, g = (np.empty(size, dtype=np.int64) for _ in range(5))
    f = np.empty(size, dtype=np.float64)
    for i in range(0, len(s), size):
        j = min(i + size, len(s))
        m = j - i
        ts, res = s.chunk(i, j, cs[:m]), out[i:j]
        _to_us(sec[i:j], u[:m], f[:m])
        if tab is None:
            np.add(ts, u[:m], out=res)
        else:
            tab.forward(ts, b[:m], g[:m], v[:m])
            v[:m] += u[:m]
            if v[:m].max() > tab.total:
                _beyond(i + int(np.argmax(v[:m] > tab.total)))
            tab.inverse(v[:m], b[:m], g[:m], res)
            np.copyto(res, ts, where=u[:m] == 0)
        if res.max() >= MAX_US:
            _beyond(i + int(np.argmax(res >= MAX_US)))
        res *= 1000
    return out.view("M8[ns]")


def _beyond(i: int):
    raise ValueError(f"due(starts[{i}], seconds[{i}]) falls beyond the year 2199")


# --- integer µs in and out, for the clock engine --------------------------------------------


def elapsed_us_many(cal, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Business µs in each [a[i], b[i]) (int64 µs in 1900-2199), 0 where b <= a."""
    if cal._always or not len(a):
        return np.maximum(b - a, 0)
    tab = table(cal, int(min(a.min(), b.min())), int(max(a.max(), b.max())))
    scratch, gather = np.empty_like(a), np.empty_like(a)
    fa, fb = np.empty_like(a), np.empty_like(a)
    tab.forward(a, scratch, gather, fa)
    tab.forward(b, scratch, gather, fb)
    fb -= fa
    return np.maximum(fb, 0, out=fb)


def due_us_many(cal, a: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The earliest t with ``elapsed_us(a[i], t) >= need[i]`` for each i (int64 µs);
    ``MAX_US`` where that falls beyond 2199."""
    if not len(a):
        return a.copy()
    if cal._always:
        out = a + need
    else:
        tab = table(cal, int(a.min()), int(a.max()))
        scratch, gather, v = np.empty_like(a), np.empty_like(a), np.empty_like(a)
        tab = _reaching(cal, tab, int(tab.exact(np.array([a.max()]))[0]) + int(need.max()))
        tab.forward(a, scratch, gather, v)
        v += need
        beyond = v > tab.total
        if beyond.any():
            v[beyond] = max(tab.total, 1)
        out = np.empty_like(a)
        tab.inverse(v, scratch, gather, out)
        np.copyto(out, a, where=need == 0)
        out[beyond] = MAX_US
    return np.minimum(out, MAX_US, out=out)


def first_open_us_many(cal, at: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``cal._first_open_us(at[i], limit[i])`` for each i: the instants at which the
    calendar is open answer themselves (one vector call), the others walk the calendar."""
    out = at.copy()
    for k in np.flatnonzero(elapsed_us_many(cal, at, at + 1) == 0).tolist():
        out[k] = cal._first_open_us(int(at[k]), int(limit[k]))
    return out
