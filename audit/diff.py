"""What changed between two revisions of an audit, in the audit's own terms; blame; git's view.

One source for every view of a change.  `facts()` turns an audit into facts,
each one line: a field, an item's score, its evidence note, its N/A reason,
its sample counts, one attribute of a team member (named by name), of a
sub-site, of a special item (named by its nonconformity), one stage move
(stage, person, time, reason).  The command line's `diff` (text and JSON),
commit messages, the TUI's review view, `blame` and git's textconv driver
(`readable`) are all built from these facts, so they always agree.

Reviewers want "B17: 95 → 97 (score 2.85 → 2.91)" and "B17 note: (empty) →
抽查送货单 30 份", not TOML lines; nothing here prints a Python repr.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from auditdesk.audit.document import STAGE_ORDER, Audit, Transition, item_order
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_item, fmt_number, score_audit

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


def _data(audit: Audit) -> dict[str, Any]:
    """The audit's fields as plain data, defaults included, items left out."""
    data: dict[str, Any] = tomldata.to_data(dataclasses.replace(audit, items={}), defaults=True)
    data.pop("items", None)
    return data


def facts(audit: Audit, catalog: Catalog | None = None, data: dict[str, Any] | None = None) -> list[Fact]:
    """Every fact of the audit, in file order: fields (with team, sub-sites and special
    items by name), stage moves, then item results in catalog order with their evidence."""
    out = list(_fields(_data(audit) if data is None else data))
    out += _transitions(audit)
    out += _items(audit, _codes(audit, catalog))
    return out


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
    old_data, new_data = _data(old), _data(new)
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


# ------------------------------------------------------------------- blame

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
