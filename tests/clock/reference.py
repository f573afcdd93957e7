"""The clock engine as first written: one machine that computes as it replays, kept as an
executable specification. ``accord.clock`` now splits the same rules into a structural
pass and a numeric pass (scalar or vectorized); the tests hold both to this one, result
for result, on random histories (see ``test_clocks_reference.py``).

The rules themselves are stated in ``accord/clock/clocks.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from accord.clock.clock_types import (
    Action,
    Clock,
    ClockState,
    Segment,
    Transition,
    fmt_seconds,
)
from accord.clock.events import PAYLOAD_PREFIX, TICKET_FIELDS, Event, aware_utc, holder_of, replay
from accord.clock.targets import RESUME, UPDATE_INTERVAL, TargetDefinition

_TICK = timedelta(microseconds=1)


def describe_change(event: Event, before: Mapping, after: Mapping) -> str:
    """A short human reason for an event: what it changed, else its kind."""
    if event.kind == "created":
        return "created"
    changes = []
    for name in TICKET_FIELDS:
        if before.get(name) != after.get(name):
            value = after.get(name)
            changes.append(f"{name} cleared" if value is None else f"{name} became {value}")
    for key in sorted(set(before) | set(after)):
        if key.startswith(PAYLOAD_PREFIX) and before.get(key) != after.get(key):
            value = after.get(key)
            changes.append(f"{key} cleared" if value is None else f"{key} became {value}")
    kind = event.kind + (", public" if event.public else "")
    if not changes:
        return kind
    if event.kind in ("updated", "status_changed") and not event.public:
        return "; ".join(changes)
    return f"{kind}: " + "; ".join(changes)
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)


class _Cycle:
    """The mutable accounting of one cycle, kept whether or not the target applies."""

    __slots__ = ("spec", "started_at", "state", "mode", "holder", "seg_start", "elapsed",
                 "paused", "segments", "transitions", "warnings", "next_warning", "reached_at",
                 "breached_at", "stopped_at")

    def __init__(self, spec: TargetDefinition, at: datetime, holder, transitions: list):
        self.spec = spec
        self.started_at = at
        self.state = ClockState.RUNNING  # RUNNING/PAUSED while open; the end state after
        self.mode = ClockState.RUNNING
        self.holder = holder
        self.seg_start = at
        self.transitions = transitions
        self._zero()

    def _zero(self):
        self.elapsed = 0  # business microseconds, exact
        self.paused = 0
        self.segments = []
        self.warnings = {}
        self.next_warning = 0
        self.reached_at = None
        self.breached_at = None
        self.stopped_at = None

    @property
    def open(self) -> bool:
        return self.state in _OPEN

    def copy(self) -> _Cycle:
        other = _Cycle.__new__(_Cycle)
        for name in _Cycle.__slots__:
            setattr(other, name, getattr(self, name))
        other.segments = list(self.segments)
        other.transitions = list(self.transitions)
        other.warnings = dict(self.warnings)
        return other

    def close(self, at: datetime):
        """Account business time from the open segment's start up to ``at``."""
        start = self.seg_start
        if at <= start:
            return
        cal = self.spec.calendar
        seconds = cal.elapsed(start, at)
        used = round(seconds * 1e6)
        if self.mode is ClockState.RUNNING:
            before = self.elapsed
            after = before + used
            target = self.spec._target_us
            thresholds = self.spec._thresholds
            while self.next_warning < len(thresholds) and thresholds[self.next_warning][1] <= after:
                percent, level = thresholds[self.next_warning]
                crossed = cal.due(start, (level - before) / 1e6)
                self.warnings[percent] = crossed
                self.transitions.append(Transition(
                    crossed, Action.WARNED, None,
                    f"{percent:g}% of {fmt_seconds(self.spec.seconds)} used"))
                self.next_warning += 1
            if self.reached_at is None and after >= target:
                self.reached_at = cal.due(start, (target - before) / 1e6)
            if self.breached_at is None and after > target:
                self.breached_at = _accrues_from(cal, max(self.reached_at, start), at)
                self.transitions.append(Transition(
                    self.breached_at, Action.BREACHED, None,
                    f"{fmt_seconds(self.spec.seconds)} target exceeded"))
            self.elapsed = after
        else:
            self.paused += used
        self.segments.append(Segment(start, at, self.mode, self.holder, seconds))
        self.seg_start = at

    def note(self, at, action, event, reason):
        self.transitions.append(Transition(at, action, event.event_id, reason))

    def set_mode(self, at, event, paused: bool, holder, why):
        """Close the open segment when the mode or holder changes; ``why()`` gives the reason."""
        mode = ClockState.PAUSED if paused else ClockState.RUNNING
        if mode is self.mode and holder == self.holder:
            return
        self.close(at)
        self.holder = holder
        if mode is not self.mode:
            self.mode = mode
            self.note(at, Action.PAUSED if paused else Action.RESUMED, event, why())
        if self.open:
            self.state = mode

    def end(self, at, event, state, action, reason):
        self.close(at)
        if state is None:
            state = ClockState.BREACHED if self.elapsed > self.spec._target_us else ClockState.MET
        self.state = state
        self.stopped_at = at
        self.note(at, action, event, reason)

    def restart(self, at, event, reason):
        self.close(at)
        self._zero()
        self.seg_start = at
        self.note(at, Action.RESET, event, reason)

    def resume(self, at, event, paused, holder, reason):
        self.stopped_at = None
        self.holder = holder
        self.seg_start = at
        self.mode = ClockState.PAUSED if paused else ClockState.RUNNING
        self.state = self.mode
        self.note(at, Action.RESUMED, event, reason)
        if paused:
            self.note(at, Action.PAUSED, event, "pause condition holds")


def _paused(spec: TargetDefinition, mode, before, after, event) -> bool:
    """Whether a clock in ``mode`` (None: just starting) is paused after ``event``."""
    if mode is ClockState.PAUSED:
        return not spec.resume.evaluate(before, after, event)
    return spec.pause.evaluate(before, after, event) and not spec.resume.evaluate(
        before, after, event)


def _due(cal, start: datetime, seconds: float) -> datetime | None:
    """``cal.due``, or None when the calendar never opens long enough (before 2200)."""
    try:
        return cal.due(start, seconds)
    except ValueError:
        return None


def _accrues_from(cal, at: datetime, limit: datetime) -> datetime:
    """The first instant at or after ``at`` from which business time accrues (before limit)."""
    if cal.elapsed(at, at + _TICK) > 0:
        return at
    for start, end in cal.open_intervals(at, limit):
        if end > at:
            return max(start, at)
    return at


class _Record:
    """A visible clock: a cycle seen while the target applies (or a frozen snapshot)."""

    __slots__ = ("cycle", "number", "since", "frozen")

    def __init__(self, cycle: _Cycle, number: int, since):
        self.cycle = cycle
        self.number = number
        self.since = since  # (event_id, reason) when the clock started retroactively
        self.frozen = None


class _Machine:
    """Runs one target over one ticket's replayed events."""

    def __init__(self, spec: TargetDefinition, ticket_id: str):
        self.spec = spec
        self.ticket_id = ticket_id
        self.cycle: _Cycle | None = None
        self.live: _Record | None = None
        self.records: list[_Record] = []

    def step(self, event: Event, before: Mapping, after: Mapping):
        spec, at = self.spec, event.timestamp
        applies = spec.applies.evaluate(before, after, event)
        cycle = self.cycle
        ended = False

        def why():
            return describe_change(event, before, after)

        if cycle is not None and cycle.open:
            if spec.cancel.evaluate(before, after, event):
                cycle.end(at, event, ClockState.CANCELLED, Action.CANCELLED,
                          "cancel condition: " + why())
                ended = True
            elif spec.stop.evaluate(before, after, event):
                cycle.end(at, event, None, Action.STOPPED, why())
                ended = True
            elif spec.reset.evaluate(before, after, event):
                if spec.metric == UPDATE_INTERVAL:
                    cycle.end(at, event, None, Action.STOPPED, "next update: " + why())
                    cycle = self._begin(event, before, after, why())
                else:
                    cycle.restart(at, event, why())
                    cycle.set_mode(at, event, _paused(spec, cycle.mode, before, after, event),
                                   holder_of(after), why)
            else:
                cycle.set_mode(at, event, _paused(spec, cycle.mode, before, after, event),
                               holder_of(after), why)
        if (not ended and (cycle is None or not cycle.open)
                and spec.start.evaluate(before, after, event)
                and not spec.stop.evaluate(before, after, event)):
            if (spec.reopen == RESUME and cycle is not None
                    and cycle.state is not ClockState.CANCELLED):
                if not applies and self.live is not None and self.live.cycle is cycle:
                    self._freeze(self.live, at, None)
                cycle.resume(at, event, _paused(spec, None, before, after, event),
                             holder_of(after), why())
            else:
                cycle = self._begin(event, before, after, why())
        self._show(cycle, applies, event, before, after)

    def _begin(self, event, before, after, reason) -> _Cycle:
        at = event.timestamp
        cycle = self.cycle = _Cycle(self.spec, at, holder_of(after), [])
        cycle.note(at, Action.STARTED, event, reason)
        if _paused(self.spec, None, before, after, event):
            cycle.set_mode(at, event, True, cycle.holder, lambda: "pause condition holds")
        return cycle

    def _show(self, cycle, applies, event, before, after):
        if cycle is None or not cycle.open:
            return
        live = self.live
        if applies:
            if live is None or live.cycle is not cycle:
                since = None
                if cycle.transitions[0].event_id != event.event_id:
                    since = (event.event_id, describe_change(event, before, after))
                self.live = _Record(cycle, len(self.records) + 1, since)
                self.records.append(self.live)
        elif live is not None and live.cycle is cycle:
            reason = "target no longer applies: " + describe_change(event, before, after)
            self._freeze(live, event.timestamp, (event.event_id, reason))
            self.live = None

    def _freeze(self, record: _Record, at: datetime, cancel):
        record.frozen = self._build(record, at, cancel)
        self.live = None

    def finish(self, now: datetime) -> list[Clock]:
        return [r.frozen or self._build(r, now, None) for r in self.records]

    def _build(self, record: _Record, at: datetime, cancel) -> Clock:
        """The clock of ``record`` as of ``at``; ``cancel`` = (event_id, reason) cancels it."""
        spec = self.spec
        cycle = record.cycle.copy()
        if cycle.open:
            cycle.close(at)
            if cancel is not None:
                cycle.state = ClockState.CANCELLED
                cycle.stopped_at = at
                cycle.transitions.append(Transition(at, Action.CANCELLED, *cancel))
        target, used = spec._target_us, cycle.elapsed
        state = cycle.state
        if state in _OPEN and used > target:
            state = ClockState.BREACHED
        end = cycle.stopped_at or at
        if used >= target:
            due = cycle.reached_at
        else:
            due = _due(spec.calendar, end, (target - used) / 1e6)
        next_at = None
        if cycle.open and cycle.mode is ClockState.RUNNING and used <= target:
            if cycle.next_warning < len(spec._thresholds):
                level = spec._thresholds[cycle.next_warning][1]
                next_at = _due(spec.calendar, at, (level - used) / 1e6)
            elif due is not None:  # the breach starts where business time next accrues
                start = max(due, at)
                next_at = _accrues_from(spec.calendar, start, start + timedelta(days=400))
        transitions = cycle.transitions
        if record.since is not None:
            first = transitions[0]
            event_id, reason = record.since
            transitions[0] = first._replace(
                reason=f"{first.reason}; retroactive: applies since event {event_id}: {reason}")
        shares: dict = {}
        for seg in cycle.segments:
            if seg.state is ClockState.RUNNING:
                shares[seg.holder] = shares.get(seg.holder, 0) + round(seg.seconds * 1e6)
        return Clock(
            target_id=spec.id, ticket_id=self.ticket_id, cycle=record.number, state=state,
            started_at=cycle.started_at, stopped_at=cycle.stopped_at, elapsed=used / 1e6,
            paused=cycle.paused / 1e6, target=spec.seconds, due_at=due,
            breached_at=cycle.breached_at, percent=used / target * 100, warnings=cycle.warnings,
            next_event_at=next_at,
            transitions=transitions, segments=cycle.segments,
            attribution={holder: us / 1e6 for holder, us in shares.items()})


def compute_ticket_clocks(targets: Iterable[TargetDefinition], events: Iterable[Event | Mapping],
                          now: datetime) -> list[Clock]:
    """Every clock of every target for one ticket's events, as of ``now``.

    Events are replayed once for all targets; clocks are listed target by target.
    """
    return _run(targets, replay(events), aware_utc(now, "now"))


def _run(targets, steps, now: datetime) -> list[Clock]:
    """``compute_ticket_clocks`` over already replayed (event, before, after) steps."""
    targets = list(targets)
    machines: list[_Machine] | None = None
    ticket_id = None
    for event, before, after in steps:
        if machines is None:
            ticket_id = event.ticket_id
            machines = [_Machine(t, ticket_id) for t in targets]
        elif event.ticket_id != ticket_id:
            raise ValueError(f"ticket_id: events of several tickets ({ticket_id!r} and "
                             f"{event.ticket_id!r})")
        if event.timestamp > now:
            continue
        for machine in machines:
            machine.step(event, before, after)
    if machines is None:
        return []
    return [clock for machine in machines for clock in machine.finish(now)]


def compute_clocks(target: TargetDefinition, events: Iterable[Event | Mapping],
                   now: datetime) -> list[Clock]:
    """Every clock (one per cycle) of ``target`` for one ticket's events, as of ``now``."""
    return compute_ticket_clocks((target,), events, now)
