"""Lifecycles as data: one transition table per stateful entity (the django-oscar order-status pipeline).

A table lists every allowed move as a row ``(from_state, action) → to_state``. An action the table does
not allow from the current state raises :class:`IllegalTransition` — the API's 409, with the state, the
action and the actions that are allowed — and nothing changes: states are values, and a new state is only
returned when the move is allowed. Pages ask the same table what a user may do next
(:meth:`TransitionTable.actions_from`); they never compare status strings of their own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Generic, TypeVar

from mamori.errors import FieldError, Refused

__all__ = [
    "E_ILLEGAL_TRANSITION",
    "IllegalTransition",
    "Transition",
    "TransitionTable",
    "TransitionTableError",
]

#: Code of an action the current state does not allow (the API's 409).
E_ILLEGAL_TRANSITION: Final = "E_ILLEGAL_TRANSITION"

S = TypeVar("S", bound=enum.StrEnum)
A = TypeVar("A", bound=enum.StrEnum)


class IllegalTransition(Refused):
    """``action`` is not allowed from ``from_state``; nothing changed.

    ``to_state`` is where the action would have led (None for an action the table does not know);
    ``action`` is None when a move to ``to_state`` was asked and no action of the table leads there.
    ``allowed`` are the actions the table allows from ``from_state``.
    """

    def __init__(
        self,
        *,
        from_state: str,
        to_state: str | None,
        action: str | None,
        allowed: Iterable[str],
        entity: str = "",
        code: str = E_ILLEGAL_TRANSITION,
    ) -> None:
        self.code = code
        self.from_state = from_state
        self.to_state = to_state
        self.action = action
        self.allowed = tuple(allowed)
        self.entity = entity
        params = {
            "entity": entity,
            "status": str(from_state).lower(),
            "action": str(action or "").lower(),
            "allowed": [str(a).lower() for a in self.allowed],
        }
        what = " ".join(part for part in (action, f"to {to_state}" if to_state is not None else None) if part)
        allowed_now = list(self.allowed)
        Exception.__init__(self, f"{self.code}: {what} is not allowed from {from_state} (allowed: {allowed_now})")
        self.error = FieldError("status", self.code, params)


class TransitionTableError(Exception):
    """A transition table that is not one: a (state, action) twice, or an action leading to two states."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition(Generic[S, A]):
    from_state: S
    action: A
    to_state: S


@dataclass(frozen=True, slots=True)
class TransitionTable(Generic[S, A]):
    """Every allowed transition of one entity, one row each.

    An action either moves, always to the same state wherever it is allowed, or stays (a row whose target
    is its source: work on an open case, a reserve set on an open or a decided claim). ``entity`` names the
    lifecycle in messages (``policy``, ``claim``, …).
    """

    entity: str
    rows: tuple[Transition[S, A], ...]
    #: The code a refusal from a state is told with, when the catalogue words it better than the general
    #: E_ILLEGAL_TRANSITION ("this case is closed").
    refusals: Mapping[S, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: set[tuple[S, A]] = set()
        targets: dict[A, S | None] = {}
        for row in self.rows:
            if (row.from_state, row.action) in seen:
                raise TransitionTableError(f"{row.action} from {row.from_state} is in the table twice")
            seen.add((row.from_state, row.action))
            target = None if row.to_state == row.from_state else row.to_state  # None: the action stays
            if targets.setdefault(row.action, target) != target:
                raise TransitionTableError(
                    f"{row.action} leads to {targets[row.action] or 'where it is'} and to {target or 'where it is'}"
                )

    def actions_from(self, state: S) -> tuple[A, ...]:
        return tuple(r.action for r in self.rows if r.from_state == state)

    def can(self, *, current: S, action: A) -> bool:
        return any(r.from_state == current and r.action == action for r in self.rows)

    def allows(self, *, from_state: S, to_state: S) -> bool:
        """Whether some action leads from ``from_state`` to ``to_state``."""
        return any(r.from_state == from_state and r.to_state == to_state for r in self.rows)

    def apply(self, *, current: S, action: A) -> S:
        """The state ``action`` leads to from ``current``; :class:`IllegalTransition` if not allowed."""
        for row in self.rows:
            if row.from_state == current and row.action == action:
                return row.to_state
        target = next((r.to_state for r in self.rows if r.action == action), None)
        raise IllegalTransition(
            from_state=current,
            to_state=target,
            action=action,
            allowed=self.actions_from(current),
            entity=self.entity,
            code=self.refusals.get(current, E_ILLEGAL_TRANSITION),
        )

    def move(self, *, current: S, to_state: S) -> S:
        """Move to ``to_state`` (oscar's ``set_status``); :class:`IllegalTransition` if no row allows it."""
        if self.allows(from_state=current, to_state=to_state):
            return to_state
        action = next((r.action for r in self.rows if r.to_state == to_state != r.from_state), None)
        raise IllegalTransition(
            from_state=current,
            to_state=to_state,
            action=action,
            allowed=self.actions_from(current),
            entity=self.entity,
            code=self.refusals.get(current, E_ILLEGAL_TRANSITION),
        )


def table(entity: str, *rows: tuple[S, A, S], refusals: Mapping[S, str] | None = None) -> TransitionTable[S, A]:
    """A table from ``(from_state, action, to_state)`` triples (the tables read as a list of moves)."""
    moves = tuple(Transition(from_state=f, action=a, to_state=t) for f, a, t in rows)
    return TransitionTable(entity, moves, dict(refusals or {}))
