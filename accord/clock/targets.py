"""Target definitions: what an SLA clock measures, in which scope, on which calendar.

``TargetDefinition`` fills ITIL-normal defaults per metric, so a target needs only an
id, a metric, a number of business seconds and (usually) a calendar and a scope:

- response: starts when the ticket is created; stops at the first ``responded``
  event, the first public update (a comment, update or status change marked public),
  or when the ticket is resolved or closed (a resolution answers the user too).
- resolution and fulfilment: start when created or reopened; stop when resolved or
  closed; a reopened ticket starts a new cycle (``reopen="resume"`` continues instead).
- update_interval: starts when created or reopened; each public update (a
  ``responded`` event or a public comment/update/status change) ends the interval
  (met or breached) and opens the next one (the ``reset`` condition); resolved or
  closed ends the last interval.
- pause, cancel, and (except update_interval) reset: never, unless given.
- resume: a paused clock resumes when ``pause`` stops holding, unless ``resume`` is
  given; then it resumes only when ``resume`` holds (ServiceNow's resume condition), and
  a running clock pauses only when ``pause`` holds and ``resume`` does not.

``to_dict`` writes every condition out explicitly, so a stored target keeps its
meaning even if these defaults change later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .calendar import BusinessCalendar
from .conditions import Condition

RESPONSE = "response"
RESOLUTION = "resolution"
UPDATE_INTERVAL = "update_interval"
FULFILMENT = "fulfilment"
METRICS = (RESPONSE, RESOLUTION, UPDATE_INTERVAL, FULFILMENT)

NEW_CYCLE = "new_cycle"
RESUME = "resume"
REOPEN_POLICIES = (NEW_CYCLE, RESUME)

RULES = ("applies", "start", "pause", "resume", "stop", "reset", "cancel")

_PUBLIC_UPDATE = {"any": [
    {"kind": ["responded"]},
    {"all": [{"kind": ["commented", "updated", "status_changed"]},
             {"field": "public", "equals": True}]},
]}
_NEVER = {"any": []}
_OPENED = {"kind": ["created", "reopened"]}
_FINISHED = {"kind": ["resolved", "closed"]}

DEFAULTS: dict[str, dict] = {
    RESPONSE: {
        "start": {"kind": ["created"]},
        "stop": {"any": [{"kind": ["responded", "resolved", "closed"]}, _PUBLIC_UPDATE]},
        "reset": _NEVER,
    },
    RESOLUTION: {"start": _OPENED, "stop": _FINISHED, "reset": _NEVER},
    FULFILMENT: {"start": _OPENED, "stop": _FINISHED, "reset": _NEVER},
    UPDATE_INTERVAL: {"start": _OPENED, "stop": _FINISHED, "reset": _PUBLIC_UPDATE},
}
_FIELDS = ("id", "metric", "seconds", "calendar", "warnings", *RULES, "reopen")


@dataclass(frozen=True)
class TargetDefinition:
    """One target (SLT) as the clock engine needs it. Conditions may be given as JSON."""

    id: str
    metric: str
    seconds: float
    calendar: BusinessCalendar = None  # None: 24x7 in UTC
    warnings: tuple[float, ...] = (50, 75, 90)
    applies: Condition = None  # None: every ticket
    start: Condition = None  # None: the metric's default (see module docstring)
    pause: Condition = None  # None: never
    resume: Condition = None  # None: when pause no longer holds
    stop: Condition = None
    reset: Condition = None
    cancel: Condition = None  # None: never
    reopen: str = NEW_CYCLE
    _target_us: int = field(init=False, repr=False, compare=False)
    _thresholds: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"id: expected non-empty text, got {self.id!r}")
        if self.metric not in METRICS:
            raise ValueError(f"metric: unknown metric {self.metric!r} "
                             f"(expected one of {', '.join(METRICS)})")
        seconds = self.seconds
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"seconds: expected a number of seconds > 0, got {seconds!r}")
        put("seconds", float(seconds))
        if self.calendar is None:
            put("calendar", BusinessCalendar.always())
        elif not isinstance(self.calendar, BusinessCalendar):
            raise ValueError(f"calendar: expected a BusinessCalendar, got {self.calendar!r}")
        put("warnings", _warnings(self.warnings))
        defaults = DEFAULTS[self.metric]
        for name in RULES:
            value = getattr(self, name)
            if value is None:
                if name == "applies":
                    value = {}
                elif name == "resume":
                    value = ~self.pause  # parsed already: RULES lists pause first
                else:
                    value = defaults.get(name, _NEVER)
            put(name, Condition.from_json(value, name))
        if self.reopen not in REOPEN_POLICIES:
            raise ValueError(f"reopen: expected new_cycle or resume, got {self.reopen!r}")
        target_us = round(self.seconds * 1e6)
        put("_target_us", target_us)
        # (percent, business microseconds at which the warning fires)
        put("_thresholds", tuple((p, round(target_us * p / 100)) for p in self.warnings))

    @classmethod
    def from_dict(cls, d: Mapping) -> TargetDefinition:
        """Read what ``to_dict`` wrote (or a hand-written subset); errors name the field."""
        if not isinstance(d, Mapping):
            raise ValueError(f"target: expected an object, got {type(d).__name__}")
        unknown = [k for k in d if k not in _FIELDS]
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown field")
        for name in ("id", "metric", "seconds"):
            if name not in d:
                raise ValueError(f"{name}: required")
        values = dict(d)
        calendar = values.get("calendar")
        if isinstance(calendar, Mapping):
            try:
                values["calendar"] = BusinessCalendar.from_dict(calendar)
            except ValueError as exc:
                raise ValueError(f"calendar: {exc}") from None
        if "warnings" in values:
            values["warnings"] = _warnings(values["warnings"])
        return cls(**values)

    def to_dict(self) -> dict:
        """A JSON-able dict with every default written out."""
        d = {"id": self.id, "metric": self.metric, "seconds": self.seconds,
             "calendar": self.calendar.to_dict(), "warnings": list(self.warnings)}
        for name in RULES:
            d[name] = getattr(self, name).to_json()
        d["reopen"] = self.reopen
        return d


def _warnings(value) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"warnings: expected a list of percents, got {value!r}")
    for i, p in enumerate(value):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 100:
            raise ValueError(f"warnings[{i}]: expected a percent between 0 and 100, got {p!r}")
    return tuple(sorted(set(value)))
