"""Lifecycles: for a model with a status, one table of the events that may happen to a row and the
statuses each event is allowed from (and the status it leads to). The tables themselves sit beside
the models' ``Status`` choices (``workorders.models``); every predicate that pages, the API and the
services ask (``is_open``, ``can_be_stamped``, ...) is derived from them, and the services check
the same table under ``select_for_update`` before they write.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from workorders.exceptions import WorkOrderError


@dataclass(frozen=True)
class Event:
    """An event allowed from ``sources``; it moves the row to ``target`` (None: the status stays)."""

    sources: frozenset[str]
    target: str | None = None


def event(sources: Iterable[str], target: str | None = None) -> Event:
    return Event(frozenset(str(s) for s in sources), None if target is None else str(target))


@dataclass(frozen=True)
class Lifecycle:
    """One model's table of events. ``statuses`` is every status the model knows, in order."""

    name: str
    statuses: tuple[str, ...]
    events: Mapping[str, Event]
    refusal: str = field(default=_("This is not possible in the current state."))

    def __post_init__(self):
        known = set(self.statuses)
        for name, rule in self.events.items():
            unknown = (rule.sources | ({rule.target} if rule.target else set())) - known
            if unknown:
                raise ValueError(f"{self.name}.{name}: unknown statuses {sorted(unknown)}")

    def allows(self, status: str, event_name: str) -> bool:
        return str(status) in self.events[event_name].sources

    def target(self, status: str, event_name: str) -> str:
        """The status after the event (the same status when the event does not move it)."""
        rule = self.events[event_name]
        return rule.target if rule.target is not None else str(status)

    def require(self, status: str, event_name: str, message=None, *, code: str = "wrong_status") -> str:
        """The status after the event, or ``WorkOrderError`` (with ``code``) when the table does not
        allow the event from ``status``."""
        if not self.allows(status, event_name):
            raise WorkOrderError(message or self.refusal, code=code)
        return self.target(status, event_name)

    def statuses_for(self, event_name: str) -> tuple[str, ...]:
        """The statuses the event is allowed from, in the model's order (for ``status__in=``)."""
        sources = self.events[event_name].sources
        return tuple(s for s in self.statuses if s in sources)

    @property
    def transitions(self) -> dict[str, frozenset[str]]:
        """For each status, the other statuses an event can move it to."""
        moves: dict[str, set[str]] = {s: set() for s in self.statuses}
        for rule in self.events.values():
            if rule.target is None:
                continue
            for source in rule.sources:
                if source != rule.target:
                    moves[source].add(rule.target)
        return {s: frozenset(t) for s, t in moves.items()}
