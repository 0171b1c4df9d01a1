"""The JSON the command line prints for scripts: one builder per documented shape.

Decimals are strings as the report prints them (``"138.33"``), except a
percentage, which is a JSON number; dates are ISO 8601.  The README's
"JSON for scripts" documents each shape; tests hold them.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_number

if TYPE_CHECKING:
    from auditdesk.audit.diff import AuditDiff
    from auditdesk.store.audits import Summary
    from auditdesk.store.git import Revision

JSON = dict[str, Any]


def json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value: Any) -> Any:
    """A field value as JSON: decimals as text, dates as ISO 8601."""
    if isinstance(value, Decimal):
        return fmt_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def totals(card: Scorecard) -> JSON:
    return {"parts": {p.code: fmt_2(p.score) for p in card.parts}, "total": fmt_2(card.total),
            "applicable": fmt_number(card.applicable), "rate": fmt_2(card.rate) or None, "star": card.star}


def scores(catalog: Catalog, card: Scorecard) -> JSON:
    """`show --json`: parts, totals and every item's percentage and score."""
    return {
        "catalog": catalog.label,
        "totals": {
            "parts": [
                {"code": p.code, "title": p.title, "score": fmt_2(p.score), "max": fmt_number(p.points),
                 "applicable": fmt_number(p.applicable)}
                for p in card.parts
            ],
            "special": fmt_number(card.special),
            "total": fmt_2(card.total),
            "max": fmt_number(card.max),
            "applicable": fmt_number(card.applicable),
            "rate": fmt_2(card.rate) or None,
            "star": card.star,
        },
        "items": {
            code: {"pct": None if s.pct is None else json_number(s.pct), "na": s.na, "score": fmt_number(s.score)}
            for code, s in card.items.items()
        },
        "unscored": card.unscored,
    }


def catalog(c: Catalog) -> JSON:
    """`catalog show --json`: the whole catalog."""
    return {"id": c.id, "version": c.version, "hash": c.hash, "total": fmt_number(c.total),
            "stars": [{"min": fmt_number(b.min), "level": b.level} for b in c.stars],
            "parts": [{"code": p.code, "title": p.title, "points": fmt_number(p.points), "sections": [
                {"clause": s.clause, "title": s.title, "points": fmt_number(s.points), "items": [
                    {"code": i.code, "clause": i.clause, "weight": fmt_number(i.weight), "text": i.text}
                    for i in s.items]} for s in p.sections]} for p in c.parts]}


def summaries(rows: list[Summary]) -> list[JSON]:
    """`list --json`: one object per audit."""
    return [asdict(r) for r in rows]


def history(entries: list[tuple[Revision, Summary]]) -> list[JSON]:
    """`log --json`: revisions newest first, with the audit's stage and scores then."""
    return [{"revision": rev.commit, "author": rev.author, "email": rev.email, "date": rev.date.isoformat(),
             "message": rev.message, "stage": s.stage, "total": s.total, "rate": s.rate, "star": s.star}
            for rev, s in entries]


def diff(change: AuditDiff, labels: tuple[str, str]) -> JSON:
    """`diff --json`: every change in the audit's terms ("changes", one per line of the
    text output, in its order), the changed fields by their path in the file and the
    items whose result changed (as before), totals before and after."""
    from auditdesk.audit.diff import describe

    return {
        "from": labels[0], "to": labels[1],
        "summary": change.summary(),
        "changes": [c.shape() for c in (*change.changes, *change.totals)],
        "fields": [{"field": f.field, "old": plain(f.old), "new": plain(f.new)} for f in change.fields],
        "items": [{"code": c.code, "old": describe(c.old), "new": describe(c.new), "old_score": fmt_number(c.old_score),
                   "new_score": fmt_number(c.new_score), "delta": fmt_number(c.delta)} for c in change.items],
        "before": totals(change.before), "after": totals(change.after),
    }
