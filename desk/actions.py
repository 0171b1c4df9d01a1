"""What an auditor or a reviewer does to an audit in a store: stage moves, approval, status.

The command line and the terminal app both call these, so a rule about who
may move an audit, and what a move records, lives in one place: the rules
themselves are in `audit.workflow`; here they meet the store (load, commit,
tag) and the report (the approved report's hash).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import auditdesk
from auditdesk.audit import workflow
from auditdesk.audit.diff import diff_audits
from auditdesk.audit.document import to_toml
from auditdesk.audit.identity import Identity
from auditdesk.audit.stages import blockers, next_stage
from auditdesk.report.provenance import approval_fields, issued, sha256, tag_fields
from auditdesk.store.audits import AuditStore, Loaded
from auditdesk.store.git import SaveResult, Tag

__all__ = ["advance", "approve", "now", "reopen", "return_to", "status"]


def now(store: AuditStore) -> dt.datetime:
    """The time a stage move records: the store's commit clock, to the second."""
    return store.repo.clock().replace(microsecond=0)


def advance(store: AuditStore, loaded: Loaded, who: Identity, when: dt.datetime) -> SaveResult:
    """The team moves the audit to its next stage, if every gate is met."""
    return store.transition(loaded, lambda audit: workflow.advance(audit, loaded.catalog, who, when), who)


def return_to(store: AuditStore, loaded: Loaded, stage: str, reason: str, who: Identity, when: dt.datetime) -> SaveResult:
    """The reviewer sends the audit back to an earlier stage, with reasons."""
    reviewers = store.reviewers
    return store.transition(loaded, lambda audit: workflow.return_to(audit, stage, reason, who, reviewers, when), who)


def reopen(store: AuditStore, loaded: Loaded, reason: str, who: Identity, when: dt.datetime) -> SaveResult:
    """Unfreeze an approved audit, with the reason recorded."""
    reviewers = store.reviewers
    return store.transition(loaded, lambda audit: workflow.reopen(audit, reason, who, reviewers, when), who)


def approve(store: AuditStore, project_no: str, who: Identity, when: dt.datetime, comments: str = "") -> Tag:
    """Approve (a commit), then tag that revision with the content and report hashes."""
    loaded = store.load(project_no)
    reviewers = store.reviewers
    saved = store.transition(loaded, lambda audit: workflow.approve(audit, who, reviewers, when, comments), who)
    assert saved.commit is not None
    tag_prefix = f"approved/{project_no}"
    name = f"{tag_prefix}/{len(store.repo.tags(tag_prefix)) + 1}"
    report = issued(store, project_no, saved.commit)
    message = (
        f"approve {project_no}\n\n"
        f"audit: {project_no}\nrevision: {saved.commit}\napproved-by: {who.name} <{who.email}>\n"
        f"approved-at: {when.isoformat()}\naudit-sha256: {sha256(to_toml(loaded.audit))}\n"
        f"report-sha256: {sha256(report.markdown)}\n"
        + approval_fields(report) + f"auditdesk-version: {auditdesk.__version__}\n"
    )
    sign = bool(store.repo.config("user.signingkey")) or store.repo.config("tag.gpgSign") == "true"
    store.repo.tag(name, saved.commit, message=message, tagger=who, sign=sign)
    return next(t for t in store.repo.tags(tag_prefix) if t.name == name)


def status(store: AuditStore, project_no: str) -> dict[str, Any]:
    """Stage, blockers, transitions and whether the last approval still holds."""
    loaded = store.load(project_no)
    audit = loaded.audit
    approval: dict[str, Any] | None = None
    tags = store.repo.tags(f"approved/{project_no}")
    if tags:
        tag = tags[-1]
        fields = tag_fields(tag)
        approved = store.load(project_no, tag.commit)
        change = diff_audits(approved.audit, audit, loaded.catalog, approved.catalog)
        approval = {
            "tag": tag.name, "revision": tag.commit, "by": fields.get("approved-by", tag.tagger),
            "at": fields.get("approved-at", tag.date.isoformat()), "valid": approved.blob == loaded.blob,
            "changed": sorted({f.field.split("[")[0] for f in change.fields} | {f"items.{c.code}" for c in change.items}),
        }
    return {
        "project_no": project_no,
        "stage": audit.stage,
        "next": next_stage(audit.stage),
        "blockers": blockers(audit, loaded.catalog),
        "transitions": [{"to": t.to, "by": t.by, "at": t.at.isoformat(), "reason": t.reason} for t in audit.transitions],
        "approval": approval,
    }
