"""Period labels of the service report: ``2025-03`` (month), ``2025-Q1`` (quarter), ``2025``
(year), their titles and the periods before them (for 12-period trends).

Only labels: where a period starts and ends in the reporting zone is the compliance
function's business (it returns ``period.start``/``end`` with their offsets).
"""

import re
from dataclasses import dataclass

from accord.lib.errors import InvalidInput

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_PATTERNS = {
    MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}
_PER_YEAR = {MONTH: 12, QUARTER: 4, YEAR: 1}


@dataclass(frozen=True, order=True)
class PeriodLabel:
    kind: str  # month, quarter or year
    year: int
    index: int = 1  # month 1-12, quarter 1-4, 1 for a year

    @classmethod
    def parse(cls, kind: str, text: str) -> "PeriodLabel":
        if kind not in _PATTERNS:
            raise InvalidInput("must be month, quarter or year", field="period")
        match = _PATTERNS[kind].match(str(text or "").strip())
        example = {MONTH: "2025-03", QUARTER: "2025-Q1", YEAR: "2025"}[kind]
        if not match:
            raise InvalidInput(f"must look like {example}", field=kind)
        year = int(match.group(1))
        index = int(match.group(2)) if kind != YEAR else 1
        if not 1 <= index <= _PER_YEAR[kind] or not 1900 <= year <= 9999:
            raise InvalidInput(f"is not a valid {kind}: {text}", field=kind)
        return cls(kind, year, index)

    @classmethod
    def from_label(cls, text: str, field: str = "period") -> "PeriodLabel":
        """A label of any kind: ``2025-03``, ``2025-Q1`` or ``2025``."""
        for kind, pattern in _PATTERNS.items():
            if pattern.match(str(text or "").strip()):
                return cls.parse(kind, text)
        raise InvalidInput("must be a month (2025-03), a quarter (2025-Q1) or a year (2025)",
                           field=field)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"

    @property
    def title(self) -> str:
        if self.kind == MONTH:
            return f"{_MONTHS[self.index - 1]} {self.year}"
        if self.kind == QUARTER:
            return f"Q{self.index} {self.year}"
        return f"{self.year}"

    def shifted(self, n: int) -> "PeriodLabel":
        """The period ``n`` periods later (earlier when negative)."""
        per = _PER_YEAR[self.kind]
        ordinal = self.year * per + (self.index - 1) + n
        return PeriodLabel(self.kind, ordinal // per, ordinal % per + 1)

    def trailing(self, n: int = 12) -> list["PeriodLabel"]:
        """The ``n`` periods ending with this one, oldest first."""
        return [self.shifted(i) for i in range(-(n - 1), 1)]

    def first_month(self) -> tuple[int, int]:
        """(year, month) of the period's first month."""
        if self.kind == MONTH:
            return self.year, self.index
        if self.kind == QUARTER:
            return self.year, 3 * (self.index - 1) + 1
        return self.year, 1

    @classmethod
    def containing(cls, kind: str, year: int, month: int) -> "PeriodLabel":
        if kind == MONTH:
            return cls(MONTH, year, month)
        if kind == QUARTER:
            return cls(QUARTER, year, (month - 1) // 3 + 1)
        return cls(YEAR, year, 1)
