"""Reporting periods: months, quarters and years in an agreement's reporting time zone.

A period is ``[start, end)``: local midnight of its first day to local midnight of the first
day after it, in the reporting zone, so March in Europe/London starts at 00:00 GMT and ends
at 00:00 BST (743 hours). ``Period.parse`` reads "2025-03", "2025-Q1" and "2025".
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from accord.agreements.choices import Period as PeriodKind
from accord.lib.errors import InvalidInput

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")
MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def reporting_zone(agreement) -> str:
    """The agreement's reporting time zone: its own ``reporting_time_zone`` if set, else its
    calendar's zone, else its customer's zone, else UTC."""
    return agreement.reporting_zone


@dataclass(frozen=True)
class Period:
    """One month, quarter or year in a time zone: ``first`` is the (year, month) it starts."""

    kind: str
    year: int
    month: int  # the first month
    tz: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def months(self) -> int:
        return MONTHS_IN[self.kind]

    @property
    def start(self) -> datetime:
        """The local start (aware, in the reporting zone)."""
        return datetime(self.year, self.month, 1, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return self.shift(1).start

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        return f"{self.year:04d}"

    def __str__(self):
        return self.label

    def shift(self, n: int) -> "Period":
        """The period ``n`` periods later (earlier for negative ``n``)."""
        index = self.year * 12 + self.month - 1 + n * self.months
        return Period(self.kind, index // 12, index % 12 + 1, self.tz)

    def in_zone(self, tz: str) -> "Period":
        return Period(self.kind, self.year, self.month, tz)

    def split(self, kind: str) -> list["Period"]:
        """The sub-periods of ``kind`` (month or quarter) this period consists of."""
        step = MONTHS_IN[kind]
        if step > self.months:
            return [self]
        first = Period(kind, self.year, self.month, self.tz)
        return [first.shift(i) for i in range(self.months // step)]

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "time_zone": self.tz}

    @classmethod
    def containing(cls, kind: str, at: datetime, tz: str = "UTC") -> "Period":
        local = at.astimezone(ZoneInfo(tz))
        step = MONTHS_IN[kind]
        return cls(kind, local.year, (local.month - 1) // step * step + 1, tz)

    @classmethod
    def parse(cls, text: str, kind: str | None = None, tz: str = "UTC",
              field: str = "period") -> "Period":
        """"2025-03" (a month), "2025-Q1" (a quarter) or "2025" (a year); ``kind`` demands
        one of them. Errors name ``field``."""
        value = (text or "").strip()
        found = None
        if m := _MONTH.fullmatch(value):
            if 1 <= int(m[2]) <= 12:
                found = cls(PeriodKind.MONTH, int(m[1]), int(m[2]), tz)
        elif m := _QUARTER.fullmatch(value):
            found = cls(PeriodKind.QUARTER, int(m[1]), (int(m[2]) - 1) * 3 + 1, tz)
        elif m := _YEAR.fullmatch(value):
            found = cls(PeriodKind.YEAR, int(m[1]), 1, tz)
        if found is not None and found.year < 1900:
            found = None
        examples = {PeriodKind.MONTH: "a month like 2025-03",
                    PeriodKind.QUARTER: "a quarter like 2025-Q1",
                    PeriodKind.YEAR: "a year like 2025"}
        if found is None or (kind is not None and found.kind != kind):
            wanted = examples[kind] if kind else "2025-03, 2025-Q1 or 2025"
            raise InvalidInput(f"{field} must be {wanted}, got {text!r}", field)
        return found


def period_from(month=None, quarter=None, year=None, tz: str = "UTC") -> Period:
    """Exactly one of ``month`` ("2025-03"), ``quarter`` ("2025-Q1"), ``year`` ("2025")."""
    given = {name: value for name, value in
             (("month", month), ("quarter", quarter), ("year", year)) if value not in (None, "")}
    if len(given) != 1:
        field = next(iter(given), "month") if len(given) > 1 else "month"
        if len(given) > 1:
            field = sorted(given)[1]
        raise InvalidInput("give exactly one of month (2025-03), quarter (2025-Q1) or year "
                           "(2025)", field)
    (name, value), = given.items()
    return Period.parse(str(value), kind=name, tz=tz, field=name)
