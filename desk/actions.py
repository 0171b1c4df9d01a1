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
from auditdesk.report.provenance import approval_fields, issued, sha256
from auditdesk.store.audits import AuditStore, Loaded
from auditdesk.store.git import SaveResult, Tag
from auditdesk.store.git.repo import TagRequest
from auditdesk.store.signing import Check

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
    """Approve: the commit and its tag (content and report hashes, signed by the reviewer's key
    when they have one) land together or not at all, so a failed approval can be repeated."""
    loaded = store.load(project_no)
    reviewers = store.reviewers
    tag_prefix = f"approved/{project_no}"
    numbers = [int(n.rsplit("/", 1)[1]) for n in store.repo.tag_objects(tag_prefix) if n.rsplit("/", 1)[1].isdigit()]
    name = f"{tag_prefix}/{max(numbers, default=0) + 1}"

    def message(commit: str) -> str:
        report = issued(store, project_no, commit)
        return (
            f"approve {project_no}\n\n"
            f"audit: {project_no}\nrevision: {commit}\napproved-by: {who.name} <{who.email}>\n"
            + (f"approver-id: {who.person}\n" if who.person else "")
            + f"approved-at: {when.isoformat()}\naudit-sha256: {sha256(to_toml(loaded.audit))}\n"
            f"report-sha256: {sha256(report.markdown)}\n"
            + approval_fields(report) + f"auditdesk-version: {auditdesk.__version__}\n"
        )

    store.approve(loaded, lambda audit: workflow.approve(audit, who, reviewers, when, comments), who, TagRequest(name, message))
    return next(t for t in store.repo.tags(tag_prefix) if t.name == name)


def signature_info(check: Check) -> dict[str, Any]:
    """A checked signature as `status --json` shows it."""
    return {"status": check.status, "by": check.principal or None, "fingerprint": check.fingerprint or None,
            "valid": check.ok, "text": check.describe()}


def status(store: AuditStore, project_no: str, *, history: bool = True) -> dict[str, Any]:
    """Stage (as it may be trusted), blockers, transitions, whether the approval holds (content
    and signatures) and, with `history`, every step of the audit's history that is not legitimate."""
    loaded = store.load(project_no)
    audit = loaded.audit
    trust = store.trust
    approval: dict[str, Any] | None = None
    checked = trust.approval(project_no)
    if checked is not None:
        approved = store.load(project_no, checked.revision)
        change = diff_audits(approved.audit, audit, loaded.catalog, approved.catalog)
        approval = {
            "tag": checked.tag, "revision": checked.revision, "by": checked.by, "person": checked.person or None,
            "at": checked.at, "valid": checked.valid, "content": checked.covers,
            "changed": sorted({f.field.split("[")[0] for f in change.fields} | {f"items.{c.code}" for c in change.items}),
            "signature": signature_info(checked.signature), "commit_signature": signature_info(checked.commit_signature),
            "problems": list(checked.problems),
        }
    stage, stage_problem = trust.effective_stage(project_no, audit.stage)
    config = store.config
    return {
        "project_no": project_no,
        "stage": stage,
        "recorded_stage": audit.stage,
        "stage_problem": stage_problem or None,
        "next": next_stage(audit.stage) if not stage_problem else None,
        "blockers": blockers(audit, loaded.catalog),
        "transitions": [{"to": t.to, "by": t.by, "person": t.person or None, "at": t.at.isoformat(), "reason": t.reason}
                        for t in audit.transitions],
        "approval": approval,
        "history_problems": [str(f) for f in trust.audit_history(project_no)] if history else None,
        "registry": store.people is not None,
        "signatures": config.signatures,
    }
