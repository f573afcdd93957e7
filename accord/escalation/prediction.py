"""Breach prediction from the history of similar tickets.

For a running clock that has used ``x`` % of its target, the probability of breaching is the
empirical conditional probability over completed clocks (met or breached) of similar tickets:

    P(final > 100 % | final > x %)  =  #(final > 100 %) / #(final > x %)

(survival style: only tickets that were still open at ``x`` count). Similar means, first, the
same target; when that history has fewer than ACCORD_AT_RISK_MIN_SAMPLE clocks that ran past
``x``, clocks of the same metric on tickets of the same service and priority; when that is too
small as well, the probability is unknown (None) and the clock is never "at risk": no guess
is made from too few tickets. Final percents come from the most recent
ACCORD_AT_RISK_HISTORY completed clocks of each cohort.

Because #(final > x) only shrinks as ``x`` grows, the probability only grows with time used
(below 100 %) while the sample shrinks; ``risk_percent`` finds the first ``x`` at which the
probability reaches a level with the sample still large enough, so the firing worker can
plan the at-risk instant like any other threshold.
"""

from dataclasses import dataclass

import numpy as np

TARGET = "target"
SERVICE_PRIORITY = "service_priority"


@dataclass(frozen=True)
class Prediction:
    probability: float | None  # None: not enough similar history
    sample_size: int  # completed similar clocks that had run past the current percent
    breached: int  # of those, how many breached
    cohort: str | None  # "target", "service_priority", or None
    percent: float  # percent of the target used now

    def at_risk(self, level: float) -> bool:
        return self.probability is not None and self.probability >= level


class History:
    """Sorted final percents of one cohort of completed clocks."""

    def __init__(self, finals, name: str):
        self.finals = np.sort(np.asarray(finals, dtype=float))
        self.name = name
        self.breached = int(len(self.finals) - np.searchsorted(self.finals, 100.0, "right"))

    def beyond(self, percent: float) -> int:
        """How many clocks ran past ``percent``."""
        return int(len(self.finals) - np.searchsorted(self.finals, percent, "right"))

    def predict(self, percent: float, min_sample: int) -> Prediction | None:
        n = self.beyond(percent)
        if n < min_sample or n == 0:
            return None
        breached = self.breached if percent < 100 else n
        return Prediction(breached / n, n, breached, self.name, percent)

    def risk_percent(self, level: float, min_sample: int) -> float | None:
        """The least percent used (below 100) from which the probability is at least
        ``level`` with at least ``min_sample`` clocks behind it; None if there is none."""
        if self.breached == 0 or level <= 0:
            return None if level > 0 else 0.0
        # P(x) >= level  <=>  beyond(x) <= breached / level
        k = int(self.breached / level + 1e-9)
        size = len(self.finals)
        x = 0.0 if k >= size else float(self.finals[size - k - 1])
        if x >= 100 or self.beyond(x) < min_sample:
            return None
        return x


def predict(percent: float, cohorts, min_sample: int) -> Prediction:
    """The prediction from the first cohort with a large enough sample (see module doc)."""
    for history in cohorts:
        if history is None:
            continue
        found = history.predict(percent, min_sample)
        if found is not None:
            return found
    return Prediction(None, 0, 0, None, percent)


def risk_percent(cohorts, level: float, min_sample: int) -> float | None:
    """The at-risk percent from the first cohort that has one (the target's own history
    first, as in ``predict``)."""
    for history in cohorts:
        if history is not None:
            x = history.risk_percent(level, min_sample)
            if x is not None:
                return x
    return None
