"""What intake answers: one ``ItemResult`` per item, and their counts."""

from collections import Counter
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quote

from ..choices import IngestStatus
from ._bulk import compact_json


@dataclass(slots=True)
class ItemResult:
    index: int
    status: str
    event_id: str | None = None
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "event_id": self.event_id,
                "errors": self.errors}


@dataclass
class IngestResult:
    """Counts and one ``ItemResult`` per item, in input order."""

    results: list[ItemResult]
    ticket_ids: set[int] = field(default_factory=set)

    def count(self, status: str) -> int:
        return Counter(r.status for r in self.results)[status]

    @property
    def stored(self) -> int:
        return self.count(IngestStatus.STORED)

    @property
    def duplicates(self) -> int:
        return self.count(IngestStatus.DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(IngestStatus.REJECTED)

    @property
    def conflicts(self) -> int:
        return self.count(IngestStatus.CONFLICT)

    def as_dict(self) -> dict:
        counts = Counter(r.status for r in self.results)
        return {"stored": counts[IngestStatus.STORED],
                "duplicates": counts[IngestStatus.DUPLICATE],
                "rejected": counts[IngestStatus.REJECTED],
                "conflicts": counts[IngestStatus.CONFLICT],
                "results": [r.as_dict() for r in self.results]}

    def as_json(self) -> str:
        """``json.dumps(self.as_dict())``, written directly: a third of the time for a
        batch of 10,000."""
        counts = Counter(r.status for r in self.results)
        items = ",".join([
            f'{{"index":{r.index},"status":"{r.status}","event_id":'
            f'{"null" if r.event_id is None else _quote(r.event_id)},'
            f'"errors":{compact_json(r.errors) if r.errors else "[]"}}}' for r in self.results])
        return (f'{{"stored":{counts[IngestStatus.STORED]},'
                f'"duplicates":{counts[IngestStatus.DUPLICATE]},'
                f'"rejected":{counts[IngestStatus.REJECTED]},'
                f'"conflicts":{counts[IngestStatus.CONFLICT]},"results":[{items}]}}')


