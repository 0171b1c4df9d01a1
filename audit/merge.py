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
            taken.append(at)
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
    """The merge as plain data, with its conflicts and the fields taken from theirs."""
    taken: list[str] = []
    merged, conflicts = merge3(tomldata.to_data(base) if base is not None else None, tomldata.to_data(ours),
                               tomldata.to_data(theirs), prefer, choices=choices, taken=taken)
    return merged, conflicts, taken


def merge_audits(base: Audit | None, ours: Audit, theirs: Audit, prefer: Prefer | None = None,
                 choices: Mapping[str, Prefer] | None = None, source: str = "merged audit") -> AuditMerge:
    """Merge two audits edited from `base` (None: both created independently)."""
    merged, conflicts, taken = merge_data(base, ours, theirs, prefer, choices)
    reader = tomldata.Reader("", source)
    audit = reader.record(Audit, merged)
    if audit is None or reader.problems:
        return AuditMerge(None, conflicts, taken, reader.problems[0] if reader.problems else None)
    return AuditMerge(audit, conflicts, taken)
