"""`blame`: who set each fact of an audit to its current value, following merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from auditdesk.audit.document import Audit, item_order
from auditdesk.audit.facts import ABSENT, EMPTY, facts

R = TypeVar("R")


@dataclass(frozen=True)
class Blame(Generic[R]):
    """Who set a fact to its current value, in which revision, and from what."""

    key: str
    value: str
    revision: R
    old: str


def _values(audit: Audit) -> dict[str, str]:
    return {f.key: f.value or EMPTY for f in facts(audit)}


def blame(history: Sequence[tuple[R, Audit, Sequence[int]]]) -> list[Blame[R]]:
    """For every fact of the newest revision, the revision that introduced its value.

    `history` is oldest first (parents before children), each revision with the
    positions of its parents in the list.  Through a merge a value
    is traced to the parent it came from, so a synced value stays credited to
    the person who set it in their clone, not to whoever ran the sync."""
    states: list[dict[str, Blame[R]]] = []
    values: list[dict[str, str]] = []
    for revision, audit, parents in history:
        current = _values(audit)
        state: dict[str, Blame[R]] = {}
        for key, value in current.items():
            source = next((p for p in parents if values[p].get(key) == value), None)
            if source is not None:
                state[key] = states[source][key]
            else:
                old = values[parents[0]].get(key, ABSENT) if parents else ABSENT
                state[key] = Blame(key, value, revision, old)
        states.append(state)
        values.append(current)
    return sorted(states[-1].values(), key=lambda b: _blame_order(b.key)) if states else []


def linear(revisions: Sequence[tuple[R, Audit]]) -> list[tuple[R, Audit, tuple[int, ...]]]:
    """A history without merges: each revision follows the one before."""
    return [(r, a, (i - 1,) if i else ()) for i, (r, a) in enumerate(revisions)]


def _blame_order(key: str) -> tuple[int, Any]:
    if key.startswith("items."):
        code, _, rest = key[6:].partition(".")
        return (2, (item_order(code), rest))
    if key.startswith("transitions["):
        return (1, (int(key[12:-1]), ""))
    return (0, key)
