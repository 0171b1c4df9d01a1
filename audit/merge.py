"""Three-way merge of audits, field by field: the one merge `sync` and the terminal app use.

Both sides' changes are measured against the revision they started from
(the base).  Tables merge key by key (so item results merge item by item
and attribute by attribute); anything else (text, numbers, a whole list such
as the team) is one value.  A value changed on one side only takes that
side's change; a value changed differently on both sides is a conflict:
it keeps ours unless `prefer` or a per-field `choices` entry says theirs.
Nothing is overwritten without being named: every conflict is listed, and
`taken` lists the values that came from their side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditdesk.audit.diff import show
from auditdesk.audit.document import Audit
from auditdesk.criteria import tomldata
from auditdesk.criteria.results import ItemResult
from auditdesk.errors import Problem

__all__ = ["MISSING", "AuditMerge", "FieldConflict", "Prefer", "merge3", "merge_audits", "merge_data"]

Prefer = Literal["ours", "theirs"]


class _Missing:
    """A key one side does not have (a default value, or a removed entry)."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldConflict:
    """A value both sides changed differently: `path` is the file (or ""), `field` the dotted key."""

    path: str
    field: str
    ours: Any
    theirs: Any

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: ours {show(_shown(self.ours))} / theirs {show(_shown(self.theirs))}"


def _shown(value: Any) -> Any:
    return "(absent)" if value is MISSING else value


def merge3(base: Any, ours: Any, theirs: Any, prefer: Prefer | None, at: str = "",
           choices: Mapping[str, Prefer] | None = None, taken: list[str] | None = None) -> tuple[Any, list[FieldConflict]]:
    """Three-way merge of plain TOML data; tables merge key by key, anything else whole.

    A conflict takes `choices[field]` if given, else `prefer`, else ours.
    `taken`, when given, collects the fields whose merged value is theirs'
    change (changed on their side only, or chosen)."""
    if ours == theirs:
        return ours, []
    if ours == base:
        if taken is not None:
            taken += _changed(base, theirs, at)
        return theirs, []
    if theirs == base:
        return ours, []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        base_dict = base if isinstance(base, dict) else {}
        merged: dict[str, Any] = {}
        conflicts: list[FieldConflict] = []
        for key in list(ours) + [k for k in theirs if k not in ours]:
            value, found = merge3(base_dict.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING),
                                  prefer, f"{at}.{key}" if at else key, choices, taken)
            conflicts += found
            if value is not MISSING:
                merged[key] = value
        return merged, conflicts
    choice = (choices or {}).get(at, prefer)
    if choice == "theirs" and taken is not None:
        taken.append(at)
    return (theirs if choice == "theirs" else ours), [FieldConflict("", at, ours, theirs)]


def _changed(old: Any, new: Any, at: str) -> list[str]:
    """The dotted keys of every value that differs from `old` to `new` (tables key by key)."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in list(new) + [k for k in old if k not in new]:
            out += _changed(old.get(key, MISSING), new.get(key, MISSING), f"{at}.{key}" if at else key)
        return out
    if isinstance(new, dict) and old is MISSING:
        return _changed({}, new, at)
    return [at]


@dataclass(frozen=True)
class AuditMerge:
    """The merged audit (None when the merged data is not a valid audit: `problem` says why),
    the conflicts (each settled as chosen, else ours), and the fields taken from theirs."""

    audit: Audit | None
    conflicts: list[FieldConflict]
    taken: list[str] = field(default_factory=list)
    problem: Problem | None = None


def merge_data(base: Audit | None, ours: Audit, theirs: Audit, prefer: Prefer | None = None,
               choices: Mapping[str, Prefer] | None = None) -> tuple[dict[str, Any], list[FieldConflict], list[str]]:
    """The merge as plain data, with its conflicts and the fields taken from theirs.

    An item result merges attribute by attribute (one side's note, the other's
    percentage), unless that makes a result that cannot be (a percentage on an
    item the other side marked not applicable): then the item is one value,
    one conflict, taken whole from the side chosen (for it or any of its attributes)."""
    taken: list[str] = []
    ours_data, theirs_data = tomldata.to_data(ours), tomldata.to_data(theirs)
    merged, conflicts = merge3(tomldata.to_data(base) if base is not None else None, ours_data, theirs_data, prefer,
                               choices=choices, taken=taken)
    items = merged.get("items", {}) if isinstance(merged, dict) else {}
    for code in list(items):
        if _result_holds(items[code]):
            continue
        at = f"items.{code}"
        mine, other = ours_data.get("items", {}).get(code, MISSING), theirs_data.get("items", {}).get(code, MISSING)
        conflicts = [c for c in conflicts if not _under(c.field, at)] + [FieldConflict("", at, mine, other)]
        taken = [name for name in taken if not _under(name, at)]
        chosen = choices or {}
        # A choice made for one of its attributes (what a preview listed) is the choice for the item.
        choice = chosen.get(at) or next((c for name, c in chosen.items() if _under(name, at)), prefer)
        value = other if choice == "theirs" else mine
        if choice == "theirs":
            taken.append(at)
        if value is MISSING:
            del items[code]
        else:
            items[code] = value
    return merged, conflicts, taken


def _result_holds(data: Any) -> bool:
    """Whether plain data is an item result without problems (`ItemResult.problems`)."""
    reader = tomldata.Reader("", "")
    result = reader.record(ItemResult, data)
    return result is not None and not reader.problems and not result.problems()


def _under(field: str, at: str) -> bool:
    return field == at or field.startswith(at + ".")


def merge_audits(base: Audit | None, ours: Audit, theirs: Audit, prefer: Prefer | None = None,
                 choices: Mapping[str, Prefer] | None = None, source: str = "merged audit") -> AuditMerge:
    """Merge two audits edited from `base` (None: both created independently)."""
    merged, conflicts, taken = merge_data(base, ours, theirs, prefer, choices)
    reader = tomldata.Reader("", source)
    audit = reader.record(Audit, merged)
    if audit is None or reader.problems:
        return AuditMerge(None, conflicts, taken, reader.problems[0] if reader.problems else None)
    return AuditMerge(audit, conflicts, taken)
