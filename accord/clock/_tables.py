"""Lookup tables for vectorized business time over a window of local years.

F(t) is the business µs in [lo, t) for an instant t in the window [lo, hi). With sorted
open/close boundaries B and cumulative open time, F is piecewise linear (slope 1 while
open, 0 while closed). The window is cut into power-of-two buckets no wider than the
shortest closed gap, so within one bucket F is a single clamp,

    F(t) = min(max(t + X[b], L[b]), U[b])    with b = (t - lo) >> shift,

three gathers from a small table and no search. Its inverse, for ``due``, is found the
same way in the value domain: buckets of business µs no wider than the shortest open
interval, each pointing at the interval whose close is the first at or above the bucket
start, plus one comparison to step over a close inside the bucket; then t = v + Z[i].
Where a calendar's gaps or intervals are too short for that (rare: seconds-long closures)
the affected tickets fall back to ``numpy.searchsorted``, which gives the same numbers.
"""

import numpy as np

_BIG = np.int64(2**62)
_MIN_SHIFT = 20  # buckets of at least ~1 s
_MAX_SHIFT = 36  # and at most ~19 h
_MAX_BUCKETS = 1 << 20
_MAX_STEPS = 3  # value-domain corrections before falling back to searchsorted


def _shift_for(shortest: int, span: int) -> int:
    shift = int(shortest).bit_length() - 1 if shortest > 0 else _MIN_SHIFT
    shift = min(max(shift, _MIN_SHIFT), _MAX_SHIFT)
    while (span >> shift) >= _MAX_BUCKETS:
        shift += 1
    return shift


class Table:
    """F and its inverse for the open intervals (sorted, non-overlapping) of [lo, hi)."""

    def __init__(self, lo: int, hi: int, intervals):
        self.lo, self.hi = lo, hi
        pairs = np.array(list(intervals), dtype=np.int64).reshape(-1, 2)
        if len(pairs) > 1:  # join touching intervals
            joined = pairs[1:, 0] == pairs[:-1, 1]
            opens = pairs[np.concatenate(([True], ~joined)), 0]
            closes = pairs[np.concatenate((~joined, [True])), 1]
        else:
            opens, closes = pairs[:, 0], pairs[:, 1]
        lengths = closes - opens
        cum_close = np.cumsum(lengths)
        cum_open = cum_close - lengths
        self.total = int(cum_close[-1]) if len(cum_close) else 0
        self.bounds = np.column_stack((opens, closes)).ravel()
        self._prev_bound = np.concatenate(([lo], self.bounds))
        self._prev_cum = np.concatenate(([0], np.column_stack((cum_open, cum_close)).ravel()))
        self._build_time_buckets(opens, closes)
        self._build_value_buckets(opens, cum_open, cum_close, lengths)

    def exact(self, t: np.ndarray) -> np.ndarray:
        """F(t) by binary search: the reference the bucket tables are built from."""
        k = np.searchsorted(self.bounds, t, side="right")
        return self._prev_cum[k] + (k & 1) * (t - self._prev_bound[k])

    def exact_inverse(self, v: np.ndarray) -> np.ndarray:
        """The earliest t with F(t) >= v, for 0 < v <= total."""
        i = np.searchsorted(self._cum_close, v, side="left")
        return v + self._z[i]

    def _build_time_buckets(self, opens, closes):
        gaps = opens[1:] - closes[:-1]
        span = self.hi - self.lo
        self.shift = _shift_for(gaps.min() if len(gaps) else span, span)
        width = 1 << self.shift
        starts = self.lo + (np.arange(((span - 1) >> self.shift) + 1, dtype=np.int64) << self.shift)
        ends = starts + width
        bounds, last = self.bounds, max(len(self.bounds) - 1, 0)
        k0 = np.searchsorted(bounds, starts, side="right")  # boundaries at or before the start
        n = np.searchsorted(bounds, ends - 1, side="right") - k0  # boundaries inside
        open0 = (k0 & 1).astype(bool)
        safe = np.minimum(k0, last)
        # The one open run of the bucket: [run_start, run_end); empty if the bucket is closed.
        if len(bounds):
            run_start = np.where(open0 | (n == 0), starts, bounds[safe])
            after = np.where(open0, n >= 1, n >= 2)
            close_at = bounds[np.minimum(np.where(open0, k0, k0 + 1), last)]
            run_end = np.where(after, close_at, ends)
        else:
            run_start, run_end = starts, ends
        f_start = self.exact(run_start)
        self.x = f_start - run_start
        self.low = f_start
        self.high = self.exact(run_end)
        complicated = np.where(open0, n >= 2, n >= 3)  # closed gap strictly inside a bucket
        self.complicated = complicated if complicated.any() else None

    def _build_value_buckets(self, opens, cum_open, cum_close, lengths):
        self._cum_close = np.concatenate((cum_close, [_BIG]))
        self._z = np.concatenate((opens - cum_open, [0]))
        self.vshift = _shift_for(lengths.min() if len(lengths) else 0, self.total + 1)
        starts = np.arange((self.total >> self.vshift) + 1, dtype=np.int64) << self.vshift
        self.vindex = np.searchsorted(cum_close, starts, side="left")
        inside = np.searchsorted(cum_close, starts + (1 << self.vshift) - 1, side="left")
        self.vsteps = int((inside - self.vindex).max()) if len(starts) else 0

    def forward(self, t: np.ndarray, b: np.ndarray, g: np.ndarray, out: np.ndarray):
        """F(t) into ``out``, using ``b`` and ``g`` (same size, int64) as scratch."""
        np.subtract(t, self.lo, out=b)
        np.right_shift(b, self.shift, out=b)
        np.take(self.x, b, out=out)
        out += t
        np.take(self.low, b, out=g)
        np.maximum(out, g, out=out)
        np.take(self.high, b, out=g)
        np.minimum(out, g, out=out)
        if self.complicated is not None:
            hard = np.flatnonzero(self.complicated[b])
            if len(hard):
                out[hard] = self.exact(t[hard])
        return out

    def inverse(self, v: np.ndarray, b: np.ndarray, g: np.ndarray, out: np.ndarray):
        """The earliest t with F(t) >= v, for 0 < v <= total, into ``out``."""
        if self.vsteps > _MAX_STEPS:
            out[:] = self.exact_inverse(v)
            return out
        np.right_shift(v, self.vshift, out=b)
        np.take(self.vindex, b, out=b)
        for _ in range(self.vsteps):
            np.take(self._cum_close, b, out=g)
            np.add(b, g < v, out=b, casting="unsafe")
        np.take(self._z, b, out=out)
        out += v
        return out
