"""Semantic diff of two audit revisions: fields, item results, scores.

Reviewers want "B17 95 → 97, total 138.33 → 138.39", not TOML lines.  The
diff walks the canonical data of both audits (the same data the TOML holds),
so a new field needs no change here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from auditdesk.audit.document import Audit, item_order
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_item, fmt_number, score_audit


@dataclass(frozen=True)
class FieldChange:
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

    @property
    def empty(self) -> bool:
        return not self.fields and not self.items

    def summary(self, limit: int = 4) -> str:
        """A one-line commit subject: "score B17 95 → 97; edit conclusion.overview"."""
        parts = []
        scored = [c for c in self.items if describe(c.old) != describe(c.new)]
        if scored:
            shown = [f"{c.code} {describe(c.old)} → {describe(c.new)}" for c in scored[:limit]]
            more = len(scored) - limit
            parts.append("score " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
        evidence = [c for c in self.items if describe(c.old) == describe(c.new)]  # same score: the note, reason or samples
        if evidence:
            names = [f"{c.code} {', '.join(_item_fields(c))}" for c in evidence[:limit]]
            more = len(evidence) - limit
            parts.append("edit " + ", ".join(names) + (f" and {more} more" if more > 0 else ""))
        if self.fields:
            names = list(dict.fromkeys(_top(f.field) for f in self.fields))
            more = len(names) - limit
            parts.append("edit " + ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else ""))
        return "; ".join(parts) or "no changes"

    def details(self) -> str:
        """Every change, one a line, for a commit body or a terminal."""
        lines = [f"{f.field}: {show(f.old)} → {show(f.new)}" for f in self.fields]
        lines += [
            f"{c.code}: {describe(c.old)} → {describe(c.new)} (score {fmt_item(c.old_score)} → {fmt_item(c.new_score)})"
            if describe(c.old) != describe(c.new) else
            "; ".join(f"{c.code} {name}: {show(getattr(c.old, name, None))} → {show(getattr(c.new, name, None))}"
                      for name in _item_fields(c))
            for c in self.items
        ]
        if self.items or self.before.special != self.after.special:
            lines.append(f"total: {fmt_2(self.before.total)} → {fmt_2(self.after.total)}")
            lines.append(f"rate: {fmt_2(self.before.rate)} → {fmt_2(self.after.rate)}")
            if self.before.star != self.after.star:
                lines.append(f"star: {self.before.star} → {self.after.star}")
        return "\n".join(lines)


def _item_fields(change: ItemChange) -> list[str]:
    """The attributes of an item result that changed (note, reason, samples...)."""
    old, new = change.old or ItemResult(), change.new or ItemResult()
    return [name for name in ("note", "reason", "samples", "nonconforming", "pct", "na") if getattr(old, name) != getattr(new, name)]


def _top(field: str) -> str:
    """Group a field path for the summary: planning.team[0].name → planning.team."""
    return field.split("[", 1)[0]


def describe(result: ItemResult | None) -> str:
    if result is None or not result.is_scored:
        return "unscored"
    if result.na:
        return "N/A"
    assert result.pct is not None
    return fmt_number(result.pct)


def show(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


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


def _same(a: Any, b: Any) -> bool:
    """Equal, counting an absent value and empty text as the same."""
    return a == b or (a in (None, "") and b in (None, ""))


def diff_audits(old: Audit, new: Audit, catalog: Catalog, old_catalog: Catalog | None = None) -> AuditDiff:
    old_data, new_data = tomldata.to_data(old, defaults=True), tomldata.to_data(new, defaults=True)
    old_data.pop("items", None)
    new_data.pop("items", None)
    a, b = flatten(old_data), flatten(new_data)
    fields = tuple(FieldChange(k, a.get(k), b.get(k)) for k in list(a) + [k for k in b if k not in a] if not _same(a.get(k), b.get(k)))
    before = score_audit(old_catalog or catalog, old.items, old.special)
    after = score_audit(catalog, new.items, new.special)
    codes = list(dict.fromkeys(list(catalog.items) + list(old.items) + list(new.items)))
    items = tuple(
        ItemChange(code, old.items.get(code), new.items.get(code), _score(before, code), _score(after, code))
        for code in codes
        if old.items.get(code) != new.items.get(code)
    )
    return AuditDiff(fields, items, before, after)


def _score(card: Scorecard, code: str) -> Decimal:
    item = card.items.get(code)
    return item.score if item else Decimal(0)


R = TypeVar("R")


@dataclass(frozen=True)
class Blame(Generic[R]):
    """Who last set a field or an item result, in which revision, and from what."""

    key: str
    value: str
    revision: R
    old: str


def _leaves(audit: Audit) -> dict[str, str]:
    data = tomldata.to_data(audit, defaults=True)
    items = data.pop("items", {})
    leaves = {k: show(v) for k, v in flatten(data).items()}
    leaves.update({f"items.{code}": describe(audit.items[code]) for code in items})
    return leaves


def blame(revisions: Sequence[tuple[R, Audit]]) -> list[Blame[R]]:
    """For every field and item of the newest revision, its last change (oldest first input)."""
    last: dict[str, Blame[R]] = {}
    previous: dict[str, str] = {}
    for revision, audit in revisions:
        current = _leaves(audit)
        for key, value in current.items():
            if previous.get(key) != value:
                last[key] = Blame(key, value, revision, previous.get(key, "(none)"))
        for key in set(previous) - set(current):
            last.pop(key, None)
        previous = current
    return sorted(last.values(), key=lambda b: _blame_order(b.key))


def _blame_order(key: str) -> tuple[int, Any]:
    if key.startswith("items."):
        return (1, item_order(key[6:]))
    return (0, key)


def readable(audit: Audit, catalog: Catalog) -> str:
    """The audit as one fact a line, for `git diff` through a textconv driver.

    Line-oriented on purpose: a changed score shows as one changed item line
    plus the totals it moved, whatever the TOML layout.
    """
    data = tomldata.to_data(audit)
    data.pop("items", None)
    lines = [f"{key} = {value}" for key, value in flatten(data).items()]
    card = score_audit(catalog, audit.items, audit.special)
    for code, item in card.items.items():
        result = audit.items.get(code)
        line = f"item {code} {catalog.items[code].clause} = {describe(result)} → {fmt_item(item.score)}"
        if result and result.reason:
            line += f"  reason: {result.reason}"
        if result and result.samples is not None:
            line += f"  samples: {result.samples}, nonconforming: {result.nonconforming}"
        if result and result.note:
            line += f"  note: {result.note}"
        lines.append(line)
    lines += [f"part {p.code} = {fmt_2(p.score)} / {fmt_number(p.points)}" for p in card.parts]
    lines += [f"total = {fmt_2(card.total)} / {fmt_number(card.max)}", f"applicable = {fmt_number(card.applicable)}",
              f"rate = {fmt_2(card.rate)}", f"star = {card.star}"]
    return "\n".join(line.replace("\n", "\\n") for line in lines) + "\n"
