"""An audit as facts, one a line, in its own terms: what every view of a change is built from.

`facts()` turns an audit into facts, each one line: a field, an item's score,
its evidence note, its N/A reason, its sample counts, one attribute of a team
member (named by name), of a sub-site, of a special item (named by its
nonconformity), one stage move (stage, person, time, reason).  `diff`
(`audit.diff`), `blame` (`audit.blame`) and git's textconv driver
(`readable`, printed by `audit.textconv`) are all built from these facts, so
they always agree; nothing here prints a Python repr.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from auditdesk.audit.document import STAGE_ORDER, Audit, Transition, item_order
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import fmt_2, fmt_item, fmt_number, score_audit

if TYPE_CHECKING:
    from auditdesk.audit.diff import AuditDiff

#: What a fact is about; the review view's filters group them (see `GROUPS`).
Kind = Literal["field", "score", "evidence", "member", "site", "special", "transition", "total"]
#: The review view's filters, each a superset of the one before.
Group = Literal["scores", "evidence", "everything"]
GROUPS: dict[Group, frozenset[str]] = {
    "scores": frozenset({"score", "total"}),
    "evidence": frozenset({"score", "total", "evidence", "special"}),
    "everything": frozenset({"field", "score", "evidence", "member", "site", "special", "transition", "total"}),
}
EMPTY = "(empty)"
ABSENT = "(none)"


@dataclass(frozen=True)
class Fact:
    """One line of an audit: `key` is stable and path-like (for blame and scripts),
    `label` says it in the audit's terms, `value` is one line ("" when empty)."""

    key: str
    label: str
    value: str
    kind: Kind
    entity: str = ""
    """The team member, sub-site or special item the fact belongs to (its key), if any."""
    entity_label: str = ""


# ------------------------------------------------------------------ values


def text(value: Any) -> str:
    """A value as one readable line: no reprs, newlines shown as \\n, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return fmt_number(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {text(v)}" for k, v in value.items() if text(v))
    return str(value).replace("\r\n", "\n").replace("\n", "\\n")


def show(value: Any) -> str:
    """A value for a one-line message (sync conflicts, commit subjects): shortened."""
    shown = text(value)
    if not shown:
        return EMPTY
    return shown if len(shown) <= 60 else shown[:57] + "…"


def describe(result: ItemResult | None) -> str:
    """An item's result as the report prints it: "95", "N/A" or "unscored"."""
    if result is None or not result.is_scored:
        return "unscored"
    if result.na:
        return "N/A"
    assert result.pct is not None
    return fmt_number(result.pct)


def samples_text(result: ItemResult) -> str:
    return f"{result.samples} sampled, {result.nonconforming} nonconforming"


def transition_text(move: Transition, before: str | None) -> str:
    """"returned to conclusion by 王审 at 2024-04-12 09:30: B17 证据不足"."""
    when = f"{move.at:%Y-%m-%d %H:%M}"
    if move.to == "approved":
        verb = "approved"
    elif move.to == "review":
        verb = "submitted for review"
    elif move.reason and before == "approved":
        verb = "reopened, back to " + move.to
    elif move.reason or (before in STAGE_ORDER and STAGE_ORDER.index(move.to) < STAGE_ORDER.index(before)):
        verb = "returned to " + move.to
    else:
        verb = "moved to " + move.to
    reason = f": {text(move.reason)}" if move.reason else ""
    return f"{verb} by {move.by} at {when}{reason}"


# ------------------------------------------------------------------- facts

#: Lists of tables whose rows are things with a name, not positions.
_MEMBER_ATTRS = ("code", "role", "certificate", "professional_code", "phone")
_DEDUCTION_ATTRS = ("kind", "description", "nonconformity", "corrective_action", "owner", "due")


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _entities(path: str, rows: list[dict[str, Any]], noun: str, name_of: Any, attrs: Iterable[str],
              kind: Kind) -> Iterator[Fact]:
    """Facts of a list of named rows: one per attribute, keyed by the row's name."""
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        name = name_of(row) or f"#{n}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        entity, label = f"{path}[{name}]", f"{noun} {name}"
        for attr in attrs:
            yield Fact(f"{entity}.{attr}", f"{label} {attr}", text(row.get(attr)), kind, entity, label)


def _kind_of(key: str) -> Kind:
    if key.startswith("onsite.special"):
        return "special"
    if key == "onsite.sampling":
        return "evidence"
    return "field"


def _fields(data: dict[str, Any], prefix: str = "") -> Iterator[Fact]:
    """Plain fields in file order; lists of named rows as entities, transitions one a line."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if path == "planning.team":
            yield from _entities(path, value, "team member", lambda r: r.get("name") or r.get("code"),
                                 ("name", *_MEMBER_ATTRS), "member")
        elif path == "planning.subsites":
            yield from _entities(path, value, "sub-site", lambda r: r.get("name"), ("name", "address"), "site")
        elif path == "onsite.special.deductions":
            yield from _entities(path, value, "special deduction",
                                 lambda r: _short(r.get("nonconformity") or r.get("description") or ""),
                                 _DEDUCTION_ATTRS, "special")
        elif isinstance(value, dict):
            yield from _fields(value, path)
        elif isinstance(value, list) and not (prefix == "" and key == "transitions"):
            for i, entry in enumerate(value):
                yield Fact(f"{path}[{i}]", f"{path}[{i}]", text(entry), _kind_of(path))
        elif not (prefix == "" and key == "transitions"):
            yield Fact(path, path, text(value), _kind_of(path))


def _transitions(audit: Audit) -> Iterator[Fact]:
    before: str | None = None
    for i, move in enumerate(audit.transitions):
        yield Fact(f"transitions[{i}]", f"stage move {i + 1}", transition_text(move, before), "transition")
        before = move.to


def _items(audit: Audit, codes: Iterable[str]) -> Iterator[Fact]:
    for code in codes:
        result = audit.items.get(code)
        yield Fact(f"items.{code}", code, describe(result), "score")
        if result is None:
            continue
        if result.samples is not None:
            yield Fact(f"items.{code}.samples", f"{code} samples", samples_text(result), "evidence")
        if result.reason:
            added = " (added later)" if result.reason_added else ""
            yield Fact(f"items.{code}.reason", f"{code} N/A reason", text(result.reason) + added, "evidence")
        if result.note:
            yield Fact(f"items.{code}.note", f"{code} note", text(result.note), "evidence")


def _codes(audit: Audit, catalog: Catalog | None) -> list[str]:
    known = list(catalog.items) if catalog is not None else []
    return known + sorted((c for c in audit.items if c not in known), key=item_order)


def field_data(audit: Audit) -> dict[str, Any]:
    """The audit's fields as plain data, defaults included, items left out."""
    data: dict[str, Any] = tomldata.to_data(dataclasses.replace(audit, items={}), defaults=True)
    data.pop("items", None)
    return data


def facts(audit: Audit, catalog: Catalog | None = None, data: dict[str, Any] | None = None) -> list[Fact]:
    """Every fact of the audit, in file order: fields (with team, sub-sites and special
    items by name), stage moves, then item results in catalog order with their evidence."""
    out = list(_fields(field_data(audit) if data is None else data))
    out += _transitions(audit)
    out += _items(audit, _codes(audit, catalog))
    return out


# --------------------------------------------------------------- readable


def readable(audit: Audit, catalog: Catalog, known: AuditDiff | None = None) -> str:
    """The audit as one fact a line, for `git diff` through the textconv driver.

    Line-oriented on purpose: a changed score shows as one changed item line
    plus the section, part and totals it moved, whatever the TOML layout; a
    changed note, reason or sample count as its own line.  `known`: a diff
    whose newer side is `audit` (its facts and scores are reused).
    """
    card = known.after if known is not None else score_audit(catalog, audit.items, audit.special)
    lines = []
    for f in (known.new_facts if known is not None and known.new_facts else facts(audit, catalog)):
        if not f.value or (f.entity and f.label == f"{f.entity_label} name" and f.entity_label.endswith(" " + f.value)):
            continue
        if f.kind == "score":
            item = card.items.get(f.label)
            clause = catalog.items[f.label].clause if f.label in catalog.items else "?"
            lines.append(f"item {f.label} {clause} = {f.value} → {fmt_item(item.score) if item else '0'}")
        elif f.key.startswith("items."):
            lines.append(f"item {f.label} = {f.value}")
        else:
            lines.append(f"{f.label} = {f.value}")
    for part in card.parts:
        lines += [f"section {s.code} {s.title} = {fmt_2(s.score)} / {fmt_number(s.points)}" for s in part.sections]
    lines += [f"part {p.code} = {fmt_2(p.score)} / {fmt_number(p.points)}" for p in card.parts]
    if card.special:
        lines.append(f"special items = {fmt_number(card.special)}")
    lines += [f"total = {fmt_2(card.total)} / {fmt_number(card.max)}", f"applicable = {fmt_number(card.applicable)}",
              f"rate = {fmt_2(card.rate)}", f"star = {card.star}"]
    return "\n".join(lines) + "\n"
