"""What changed between two revisions of an audit, in the audit's own terms.

One source for every view of a change: the facts of `audit.facts`.  The
command line's `diff` (text and JSON), commit messages and the TUI's review
view are built from `diff_audits` (year over year: `diff_years`); `blame`
(`audit.blame`) and git's textconv driver (`audit.facts.readable`) from the
same facts, so they always agree.

Reviewers want "B17: 95 → 97 (score 2.85 → 2.91)" and "B17 note: (empty) →
抽查送货单 30 份", not TOML lines; nothing here prints a Python repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from auditdesk.audit.blame import Blame, blame, linear
from auditdesk.audit.document import Audit
from auditdesk.audit.facts import (
    ABSENT,
    EMPTY,
    GROUPS,
    Fact,
    Group,
    Kind,
    describe,
    facts,
    field_data,
    readable,
    samples_text,
    show,
    text,
    transition_text,
)
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_item, fmt_number, score_audit

__all__ = ["ABSENT", "EMPTY", "GROUPS", "AuditDiff", "Blame", "Change", "Fact", "FieldChange", "Group", "ItemChange",
           "Kind", "blame", "describe", "diff_audits", "diff_years", "facts", "flatten", "linear", "readable",
           "samples_text", "show", "text", "transition_text"]


# -------------------------------------------------------------------- diff

Action = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class Change:
    """One changed fact, or a team member / sub-site / special item / stage move added or removed."""

    kind: Kind
    key: str
    label: str
    old: str | None
    new: str | None
    action: Action = "changed"
    scores: tuple[Decimal, Decimal] | None = None
    """An item's score before and after (item changes only)."""

    @property
    def line(self) -> str:
        return self.text()

    def text(self, limit: int | None = None) -> str:
        """The change as one line; `limit` shortens long values (commit messages)."""
        old, new = _clip(self.old, limit), _clip(self.new, limit)
        if self.kind == "transition" and self.action == "added":
            return f"stage: {new}"
        if self.action == "added":
            return f"{self.label} added: {new}" if new else f"{self.label} added"
        if self.action == "removed":
            return f"{self.label} removed (was: {old})" if old else f"{self.label} removed"
        line = f"{self.label}: {old or EMPTY} → {new or EMPTY}"
        if self.scores is not None:
            line += f" (score {fmt_item(self.scores[0])} → {fmt_item(self.scores[1])})"
        return line

    def shape(self) -> dict[str, Any]:
        """The change as `diff --json` prints it (documented in the README)."""
        out: dict[str, Any] = {"kind": self.kind, "key": self.key, "label": self.label, "action": self.action,
                               "old": self.old, "new": self.new, "text": self.line}
        if self.scores is not None:
            out.update(old_score=fmt_number(self.scores[0]), new_score=fmt_number(self.scores[1]),
                       delta=fmt_number(self.scores[1] - self.scores[0]))
        return out


@dataclass(frozen=True)
class FieldChange:
    """A changed field by its path in the file (`diff --json`'s "fields")."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemChange:
    code: str
    old: ItemResult | None
    new: ItemResult | None
    old_score: Decimal
    new_score: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new_score - self.old_score


@dataclass(frozen=True)
class AuditDiff:
    fields: tuple[FieldChange, ...]
    items: tuple[ItemChange, ...]
    before: Scorecard
    after: Scorecard
    changes: tuple[Change, ...] = ()
    """Every change in the audit's terms, one a line (what people read)."""
    totals: tuple[Change, ...] = field(default=())
    """Score lines that moved: sections (year over year), parts, total, rate, star."""
    new_facts: tuple[Fact, ...] = field(default=(), repr=False, compare=False)
    """The newer audit's facts (so a save can reuse them for git's textconv cache)."""

    @property
    def empty(self) -> bool:
        return not self.changes and not self.fields and not self.items

    def lines(self, group: Group = "everything", limit: int | None = None) -> list[str]:
        """Every change, one a line, in the order of the file; `group` filters as the review view
        does; `limit` shortens long values."""
        kinds = GROUPS[group]
        return [c.text(limit) for c in (*self.changes, *self.totals) if c.kind in kinds]

    def details(self, group: Group = "everything", limit: int | None = None) -> str:
        """Every change, one a line, for a commit body (with a `limit`) or a terminal."""
        return "\n".join(self.lines(group, limit))

    def summary(self, limit: int = 4) -> str:
        """A one-line commit subject naming every kind of change:
        "score B17 95 → 97; note B17; team member 李四 added; edit conclusion.overview"."""
        parts: list[str] = []

        def add(verb: str, names: list[str]) -> None:
            names = list(dict.fromkeys(names))
            if names:
                more = len(names) - limit
                parts.append(verb + ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else ""))

        scored = [c for c in self.changes if c.kind == "score"]
        add("score ", [f"{c.label} {c.old} → {c.new}" for c in scored])
        evidence = [c for c in self.changes if c.kind == "evidence" and c.key.startswith("items.")]
        for what in ("note", "N/A reason", "samples"):
            add(f"{what} ", [c.label.split(" ")[0] for c in evidence if c.label.endswith(" " + what)])
        for kind, noun in (("member", "team"), ("site", "sub-sites"), ("special", "special items")):
            touched = [c for c in self.changes if c.kind == kind]
            add(f"{noun}: ", [_entity_summary(c) for c in touched])
        moves = [c for c in self.changes if c.kind == "transition"]
        add("", [(c.new or c.label).split(" by ", 1)[0] for c in moves if c.action == "added"])
        add("edit stage moves ", [c.label for c in moves if c.action != "added"])
        edited = [c for c in self.changes if c.kind == "field" or (c.kind == "evidence" and not c.key.startswith("items."))]
        add("edit ", [_top(c.key) for c in edited if not (c.key == "stage" and moves)])
        return "; ".join(parts) or "no changes"


_NOUNS = ("team member ", "sub-site ", "special deduction ")


def _clip(value: str | None, limit: int | None) -> str | None:
    if value is None or limit is None or len(value) <= limit:
        return value
    return value[:limit - 1] + "…"


def _entity_summary(change: Change) -> str:
    name = next((change.label[len(n):] for n in _NOUNS if change.label.startswith(n)), change.label)
    if change.action == "added":
        return f"+{name}"
    if change.action == "removed":
        return f"−{name}"
    return name


def _top(key: str) -> str:
    """Group a field path for the summary: planning.criteria[1] → planning.criteria."""
    return key.split("[", 1)[0]


def _same(a: Any, b: Any) -> bool:
    """Equal, counting an absent value and empty text as the same."""
    return a == b or (a in (None, "") and b in (None, ""))


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of every leaf; lists of tables by index, lists of text whole."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else key))
        return out
    if data == [] and prefix.split(".")[-1] in _TABLE_LISTS:
        return {}  # no rows: nothing to compare, rows added later show field by field
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        out = {}
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
        return out
    return {prefix: data}


_TABLE_LISTS = {"transitions", "team", "subsites", "deductions"}


def _field_changes(old_data: dict[str, Any], new_data: dict[str, Any]) -> tuple[FieldChange, ...]:
    a, b = flatten(old_data), flatten(new_data)
    return tuple(FieldChange(k, a.get(k), b.get(k)) for k in list(a) + [k for k in b if k not in a] if not _same(a.get(k), b.get(k)))


def _fact_changes(old: list[Fact], new: list[Fact], before: Scorecard, after: Scorecard) -> list[Change]:
    """Facts compared: entities matched by name (then by position, so a renamed member is
    one change), everything else by key; in the order of the newer file."""
    old_by = {f.key: f for f in old}
    new_by = {f.key: f for f in new}
    renamed = _pair_renamed(old, new)
    out: list[Change] = []
    done_entities: set[str] = set()
    for f in new:
        if f.entity:
            if f.entity in done_entities:
                continue
            done_entities.add(f.entity)
            out += _entity_changes(f.entity, renamed.get(f.entity, f.entity), old, new)
            continue
        was = old_by.get(f.key)
        if was is None and f.kind == "transition":
            out.append(Change(f.kind, f.key, f.label, None, f.value, "added"))
        elif was is None or was.value != f.value:
            scores = (_score(before, f.label), _score(after, f.label)) if f.kind == "score" else None
            if f.kind == "score" and was is None and f.value == "unscored":
                continue
            out.append(Change(f.kind, f.key, f.label, was.value if was else "", f.value, scores=scores))
    gone_entities = {f.entity for f in old if f.entity} - {renamed.get(e, e) for e in done_entities}
    for f in old:
        if f.entity in gone_entities:
            gone_entities.discard(f.entity)
            out.append(Change(f.kind, f.entity, f.entity_label, _summary(old, f.entity), None, "removed"))
        elif not f.entity and f.key not in new_by and f.value:
            action: Action = "removed" if f.kind == "transition" else "changed"
            out.append(Change(f.kind, f.key, f.label, f.value, "" if action == "changed" else None, action))
    return out


def _pair_renamed(old: list[Fact], new: list[Fact]) -> dict[str, str]:
    """new entity -> old entity, for rows whose name changed (matched by position among the unmatched)."""
    def rows(found: list[Fact]) -> dict[str, list[str]]:
        lists: dict[str, list[str]] = {}
        for f in found:
            if f.entity:
                group = lists.setdefault(f.entity.split("[", 1)[0], [])
                if f.entity not in group:
                    group.append(f.entity)
        return lists

    old_rows, new_rows = rows(old), rows(new)
    pairs: dict[str, str] = {}
    for path, entities in new_rows.items():
        before = old_rows.get(path, [])
        lone_new = [e for e in entities if e not in before]
        lone_old = [e for e in before if e not in entities]
        pairs.update(zip(lone_new, lone_old, strict=False))
    return pairs


def _summary(found: list[Fact], entity: str) -> str:
    """A team member's (sub-site's, special item's) attributes on one line, its name left out."""
    return "; ".join(f"{f.key.rsplit('.', 1)[1]} {f.value}" for f in found
                     if f.entity == entity and f.value and not f.entity_label.endswith(" " + f.value))


def _entity_changes(entity: str, was: str, old: list[Fact], new: list[Fact]) -> list[Change]:
    mine = [f for f in new if f.entity == entity]
    label = mine[0].entity_label
    before = {f.key.rsplit(".", 1)[1]: f for f in old if f.entity == was}
    if not before:
        return [Change(mine[0].kind, entity, label, None, _summary(new, entity), "added")]
    out = []
    for f in mine:
        attr = f.key.rsplit(".", 1)[1]
        prior = before.get(attr)
        if prior is None or prior.value != f.value:
            out.append(Change(f.kind, f.key, f.label, prior.value if prior else "", f.value))
    return out


def _score(card: Scorecard, code: str) -> Decimal:
    item = card.items.get(code)
    return item.score if item else Decimal(0)


def _totals(before: Scorecard, after: Scorecard, sections: bool) -> list[Change]:
    out: list[Change] = []

    def moved(key: str, label: str, a: str, b: str) -> None:
        if a != b:
            out.append(Change("total", key, label, a, b))

    if sections:
        old_sections = {s.code: s for p in before.parts for s in p.sections}
        for part in after.parts:
            for s in part.sections:
                was = old_sections.get(s.code)
                if was is not None and _complete(was) and _complete(s):
                    moved(f"sections.{s.code}", f"section {s.code} {s.title}", fmt_2(was.score), fmt_2(s.score))
    old_parts = {p.code: p for p in before.parts}
    for part in after.parts:
        was = old_parts.get(part.code)
        if was is not None and (not sections or (_complete(was) and _complete(part))):
            moved(f"parts.{part.code}", f"part {part.code}", fmt_2(was.score), fmt_2(part.score))
    moved("special", "special items", fmt_number(before.special), fmt_number(after.special))
    if not sections or (before.complete and after.complete):
        moved("total", "total", fmt_2(before.total), fmt_2(after.total))
        moved("rate", "rate", fmt_2(before.rate), fmt_2(after.rate))
        moved("star", "star", before.star or "", after.star or "")
    return out


def _complete(subtotal: Any) -> bool:
    return all(i.is_scored for i in subtotal.items)


def diff_audits(old: Audit, new: Audit, catalog: Catalog, old_catalog: Catalog | None = None) -> AuditDiff:
    """What changed from revision `old` to `new` of one audit."""
    before = score_audit(old_catalog or catalog, old.items, old.special)
    after = score_audit(catalog, new.items, new.special)
    codes = list(dict.fromkeys(list(catalog.items) + list(old.items) + list(new.items)))
    items = tuple(
        ItemChange(code, old.items.get(code), new.items.get(code), _score(before, code), _score(after, code))
        for code in codes
        if old.items.get(code) != new.items.get(code)
    )
    old_data, new_data = field_data(old), field_data(new)
    new_facts = facts(new, catalog, new_data)
    changes = _fact_changes(facts(old, old_catalog or catalog, old_data), new_facts, before, after)
    moved = bool(items) or before.special != after.special
    return AuditDiff(_field_changes(old_data, new_data), items, before, after, tuple(changes),
                     tuple(_totals(before, after, sections=False)) if moved else (), tuple(new_facts))


#: Facts that belong to one audit, not to the organisation: left out year over year.
_OWN = ("project_no", "schema", "stage", "previous", "created_by", "catalog.", "review.", "transitions",
        "planning.audit_from", "planning.audit_to", "conclusion.date")


def diff_years(last: Audit, this: Audit, catalog: Catalog, last_catalog: Catalog | None = None) -> AuditDiff:
    """Year over year: score changes per item and section and the facts that changed,
    leaving out what this year's audit has simply not filled in yet (and what belongs
    to one audit only: its number, stage, dates, stage moves)."""
    full = diff_audits(last, this, catalog, last_catalog)
    items = tuple(c for c in full.items if c.new is not None and c.new.is_scored)
    changes = tuple(
        c for c in full.changes
        if not c.key.startswith(_OWN) and c.action != "removed" and c.new not in ("", "unscored", None)
    )
    fields = tuple(f for f in full.fields if not f.field.startswith(_OWN) and not _same(f.new, None))
    return AuditDiff(fields, items, full.before, full.after, changes, tuple(_totals(full.before, full.after, sections=True)))
