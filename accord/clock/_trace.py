"""The structure of a ticket's clocks, without a single calendar computation.

Which cycles start, pause, resume, reset, stop and are cancelled, and when a clock shows
or stops applying, depends only on the conditions evaluated over the replayed events --
never on business time. ``trace`` runs each target over a ticket's steps (the rules of
``clocks``) and returns, per clock, a ``Template`` in *index space*: instants are step
indexes (or ``NOW``, the instant computed as of), event ids are step indexes, holders
are the holder of a step's state, and reasons are parts to join (text, or a step index
whose change is described). ``_measure`` then adds the numbers for many tickets at once.

Two tickets whose steps look alike to the targets -- the same kinds, public flags and
values of every field a condition reads, the same pattern of holder changes and of
repeated event ids -- get the same templates, so ``shape`` is a memo key: a batch of
similar tickets is traced once.

A cycle keeps a log of ``ops``: segments (start, end, mode, holder) and ``ZERO`` (a
reset); an int in its transitions marks where a segment closed, which is where the
warnings and the breach crossed inside that segment belong. A segment whose end is not
after its start adds nothing (the scalar engine skips it the same way).
"""

from __future__ import annotations

import json

from .clock_types import Action, ClockState
from .conditions import All, Any, Changed, Field, Not
from .events import holder_of
from .targets import RESUME, UPDATE_INTERVAL

NOW = -1  # the instant clocks are computed as of
ZERO = None  # an op: the cycle's numbers restart from zero
ENDED = "ended"  # a stopped cycle: met or breached, as its numbers decide
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)
_PAUSE_HOLDS = "pause condition holds"


class Template:
    """One clock in index space; ``_measure`` turns it into a ``Clock``."""

    __slots__ = ("number", "started", "stopped", "state", "mode", "open", "at", "ops",
                 "transitions", "resets")

    def __init__(self, number, cycle: _Cycle, at):
        self.number = number
        self.started = cycle.started
        self.stopped = cycle.stopped
        self.state = cycle.state
        self.mode = cycle.mode
        self.open = cycle.state in _OPEN
        self.at = at
        self.ops = cycle.ops
        self.transitions = cycle.transitions
        self.resets = ZERO in self.ops


class _Cycle:
    __slots__ = ("started", "state", "mode", "holder", "holder_ref", "seg_start", "ops",
                 "transitions", "stopped")

    def __init__(self, at, holder, holder_ref):
        self.started = at
        self.state = ClockState.RUNNING
        self.mode = ClockState.RUNNING
        self.holder, self.holder_ref = holder, holder_ref
        self.seg_start = at
        self.ops = []
        self.transitions = []
        self.stopped = None

    @property
    def open(self) -> bool:
        return self.state in _OPEN

    def copy(self) -> _Cycle:
        other = _Cycle.__new__(_Cycle)
        for name in _Cycle.__slots__:
            setattr(other, name, getattr(self, name))
        other.ops = list(self.ops)
        other.transitions = list(self.transitions)
        return other

    def close(self, at):
        self.ops.append((self.seg_start, at, self.mode, self.holder_ref))
        self.transitions.append(len(self.ops) - 1)
        self.seg_start = at

    def note(self, at, action, event, reason):
        self.transitions.append((at, action, event, reason))

    def set_mode(self, i, paused: bool, holder, reason):
        mode = ClockState.PAUSED if paused else ClockState.RUNNING
        if mode is self.mode and holder == self.holder:
            return
        self.close(i)
        self.holder, self.holder_ref = holder, i
        if mode is not self.mode:
            self.mode = mode
            self.note(i, Action.PAUSED if paused else Action.RESUMED, i, reason)
        if self.open:
            self.state = mode

    def end(self, i, state, action, reason):
        self.close(i)
        self.state = state
        self.stopped = i
        self.note(i, action, i, reason)

    def restart(self, i, reason):
        self.close(i)
        self.ops.append(ZERO)
        self.stopped = None
        self.note(i, Action.RESET, i, reason)

    def resume(self, i, paused, holder, reason):
        self.stopped = None
        self.holder, self.holder_ref = holder, i
        self.seg_start = i
        self.mode = ClockState.PAUSED if paused else ClockState.RUNNING
        self.state = self.mode
        self.note(i, Action.RESUMED, i, reason)
        if paused:
            self.note(i, Action.PAUSED, i, _PAUSE_HOLDS)


def _paused(spec, mode, before, after, event) -> bool:
    if mode is ClockState.PAUSED:
        return not spec.resume.evaluate(before, after, event)
    return spec.pause.evaluate(before, after, event) and not spec.resume.evaluate(
        before, after, event)


class _Record:
    __slots__ = ("cycle", "number", "since", "frozen")

    def __init__(self, cycle, number, since):
        self.cycle = cycle
        self.number = number
        self.since = since  # the step from which the clock applies, when retroactive
        self.frozen = None


class _Machine:
    """One target over one ticket's steps, in index space (see ``clocks._Machine``)."""

    def __init__(self, spec, steps):
        self.spec = spec
        self.steps = steps
        self.cycle: _Cycle | None = None
        self.live: _Record | None = None
        self.records: list[_Record] = []

    def step(self, i):
        spec = self.spec
        event, before, after = self.steps[i]
        applies = spec.applies.evaluate(before, after, event)
        cycle = self.cycle
        ended = False
        if cycle is not None and cycle.open:
            if spec.cancel.evaluate(before, after, event):
                cycle.end(i, ClockState.CANCELLED, Action.CANCELLED, ("cancel condition: ", i))
                ended = True
            elif spec.stop.evaluate(before, after, event):
                cycle.end(i, ENDED, Action.STOPPED, (i,))
                ended = True
            elif spec.reset.evaluate(before, after, event):
                if spec.metric == UPDATE_INTERVAL:
                    cycle.end(i, ENDED, Action.STOPPED, ("next update: ", i))
                    cycle = self._begin(i)
                else:
                    cycle.restart(i, (i,))
                    cycle.set_mode(i, _paused(spec, cycle.mode, before, after, event),
                                   holder_of(after), (i,))
            else:
                cycle.set_mode(i, _paused(spec, cycle.mode, before, after, event),
                               holder_of(after), (i,))
        if (not ended and (cycle is None or not cycle.open)
                and spec.start.evaluate(before, after, event)
                and not spec.stop.evaluate(before, after, event)):
            if spec.reopen == RESUME and cycle is not None and cycle.state != ClockState.CANCELLED:
                if not applies and self.live is not None and self.live.cycle is cycle:
                    self._freeze(self.live, i, None)
                cycle.resume(i, _paused(spec, None, before, after, event), holder_of(after),
                             (i,))
            else:
                cycle = self._begin(i)
        self._show(cycle, applies, i)

    def _begin(self, i) -> _Cycle:
        event, before, after = self.steps[i]
        cycle = self.cycle = _Cycle(i, holder_of(after), i)
        cycle.note(i, Action.STARTED, i, (i,))
        if _paused(self.spec, None, before, after, event):
            cycle.set_mode(i, True, cycle.holder, _PAUSE_HOLDS)
        return cycle

    def _show(self, cycle, applies, i):
        if cycle is None or not cycle.open:
            return
        live = self.live
        if applies:
            if live is None or live.cycle is not cycle:
                first = cycle.transitions[0][2]
                since = None
                if self.steps[first][0].event_id != self.steps[i][0].event_id:
                    since = i
                self.live = _Record(cycle, len(self.records) + 1, since)
                self.records.append(self.live)
        elif live is not None and live.cycle is cycle:
            self._freeze(live, i, (i, ("target no longer applies: ", i)))
            self.live = None

    def _freeze(self, record, i, cancel):
        record.frozen = self._build(record, i, cancel)
        self.live = None

    def finish(self) -> list[Template]:
        return [r.frozen or self._build(r, NOW, None) for r in self.records]

    def _build(self, record, at, cancel) -> Template:
        cycle = record.cycle.copy()
        if cycle.open:
            cycle.close(at)
            if cancel is not None:
                cycle.state = ClockState.CANCELLED
                cycle.stopped = at
                cycle.transitions.append((at, Action.CANCELLED, *cancel))
        if record.since is not None:
            at0, action, event, reason = cycle.transitions[0]
            since = record.since
            cycle.transitions[0] = (at0, action, event, (
                *(reason if isinstance(reason, tuple) else (reason,)),
                "; retroactive: applies since event ", ("id", since), ": ", since))
        return Template(record.number, cycle, at)


def trace(targets, steps) -> list[list[Template]]:
    """The templates of each target's clocks over ``steps`` (replayed, none after now)."""
    machines = [_Machine(spec, steps) for spec in targets]
    for i in range(len(steps)):
        for machine in machines:
            machine.step(i)
    return [machine.finish() for machine in machines]


def read_fields(targets) -> tuple[str, ...]:
    """The state fields any condition of ``targets`` reads (``public`` excluded)."""
    found = set()

    def walk(node):
        if isinstance(node, (Field, Changed)):
            if node.field != "public":
                found.add(node.field)
        elif isinstance(node, (All, Any)):
            for item in node.items:
                walk(item)
        elif isinstance(node, Not):
            walk(node.item)

    for spec in targets:
        for name in ("applies", "start", "pause", "resume", "stop", "reset", "cancel"):
            walk(getattr(spec, name))
    return tuple(sorted(found))


def shape(steps, fields, holders, hashable=False) -> tuple:
    """What the targets can see of ``steps``: equal shapes give equal templates.
    ``holders`` is the holder of each step's state. ``hashable`` spells out the lists and
    objects a payload may hold (tagged, so never equal to text that reads the same)."""
    seen_holders: dict = {}
    seen_ids: dict = {}
    repeated = False
    key = []
    for (event, _, after), holder in zip(steps, holders, strict=True):
        who = seen_holders.setdefault(holder, len(seen_holders))
        fresh = len(seen_ids)
        if seen_ids.setdefault(event.event_id, fresh) != fresh:
            repeated = True
        values = [after.get(f) for f in fields]
        if hashable:
            values = [_spelled(v) if isinstance(v, (list, dict)) else v for v in values]
        key.append((event.kind, event.public, who, *values))
    if repeated:  # event ids shared across sources: which steps share them matters
        key.append(tuple(seen_ids[event.event_id] for event, _, _ in steps))
    return tuple(key)


def _spelled(value) -> tuple:
    return ("json", json.dumps(value, sort_keys=True))
