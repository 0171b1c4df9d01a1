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
    from auditdesk.audit.diff import AuditDiff, Blame
    from auditdesk.report.bulk import BulkResult
    from auditdesk.store.audits import Summary
    from auditdesk.store.git import Revision, Tag
    from auditdesk.store.sync import SyncResult

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


# ---------------------------------------------------------------- commands that write
# Every command that writes prints, with --json, what a script needs next: above all
# the full id of the new revision ("revision"; null when nothing changed).


def saved(project_no: str, commit: str | None, stage: str, **more: Any) -> JSON:
    """`score`, `new`, `commit`, `advance`, `return`, `reopen` --json: the audit's new revision and stage."""
    return {"project_no": project_no, "revision": commit, "changed": commit is not None, "stage": stage, **more}


def people_saved(commit: str | None, **more: Any) -> JSON:
    """`people add`, `people commit` --json: the registry's new revision."""
    return {"file": "people.toml", "revision": commit, "changed": commit is not None, **more}


def approval(project_no: str, tag: Tag) -> JSON:
    """`approve --json`: the approval tag and the revision it names."""
    return {"project_no": project_no, "revision": tag.commit, "tag": tag.name, "stage": "approved"}


def store_ready(path: str, revision: str | None, **more: Any) -> JSON:
    """`init --json` and `demo --json`: the store's folder and its revision (null while empty)."""
    return {"store": path, "revision": revision, **more}


def synced(remote: str, result: SyncResult, revision: str | None) -> JSON:
    """`sync --json`: what happened, the audits merged, the fields settled, and the revision now."""
    return {"remote": remote, "action": result.action, "revision": revision, "merged": list(result.merged),
            "settled": [{"path": c.path, "field": c.field, "ours": plain(c.ours), "theirs": plain(c.theirs)}
                        for c in result.settled]}


# ---------------------------------------------------------------- read-only commands


def validation(results: list[tuple[str, list[str]]]) -> JSON:
    """`validate --json`: every file checked, with its problems (each one line: file:line: field: message)."""
    return {"ok": not any(problems for _, problems in results),
            "files": [{"path": path, "ok": not problems, "problems": problems} for path, problems in results]}


def blame_lines(lines: list[Blame[Revision]]) -> list[JSON]:
    """`blame --json`: each field or item result, its value, what it was before, and who set it when."""
    return [{"key": b.key, "value": b.value, "old": b.old, "revision": b.revision.commit, "author": b.revision.author,
             "email": b.revision.email, "date": b.revision.date.isoformat()} for b in lines]


def catalogs(found: list[Catalog]) -> list[JSON]:
    """`catalog list --json`: one object per catalog (`catalog show ID --json` gives the whole of one)."""
    return [{"id": c.id, "version": c.version, "ref": c.label, "scheme": c.scheme, "specification": c.specification,
             "items": len(c.items), "total": fmt_number(c.total), "hash": c.hash} for c in found]


def verdict(report: str, ok: bool, message: str) -> JSON:
    """`verify --json`: whether the file is exactly the report of an approved revision, and why (not)."""
    return {"report": report, "verified": ok, "message": message}


def bulk(folder: str, fmt: str, result: BulkResult) -> JSON:
    """`report --all --json`: the counts of the summary line and every failure with its reason."""
    return {"folder": folder, "format": fmt, "rendered": result.rendered, "unchanged": result.skipped,
            "other_stage": result.excluded, "removed": result.removed,
            "failed": [{"project_no": p, "reason": reason} for p, reason in result.failed]}


def written(path: str, fmt: str, **more: Any) -> JSON:
    """`report AUDIT -o FILE --json`: the file written, its format, and the revision it is the report of."""
    return {"path": path, "format": fmt, **more}
