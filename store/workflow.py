"""Who may do what at which stage: edits, advancing, return, approval, reopening.

Stages gate the transitions, not the order of work: until review the team
edits planning, scores and conclusion in any order.  Under review only a
return changes the audit; an approved audit is read-only until reopened with
a recorded reason.  Every function here changes the document in memory and
returns the commit message; saving (and tagging) is the store's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.problems import AuditdeskError

from .document import STAGES, Audit, Transition
from .gitrepo import Identity
from .stages import blockers, next_stage

RETURNABLE = ("planning", "onsite", "conclusion")


class NotAllowed(AuditdeskError):
    """The acting user may not do this to this audit now; the message says why."""


class Blocked(AuditdeskError):
    """A gate is not met; `blockers` lists every unmet condition."""

    def __init__(self, audit: Audit, blockers: list[str]) -> None:
        self.blockers = blockers
        target = next_stage(audit.stage)
        lines = "\n".join(f"  - {b}" for b in blockers)
        super().__init__(f"{audit.project_no} cannot move from {audit.stage} to {target}; {len(blockers)} thing(s) block it:\n{lines}")


@dataclass(frozen=True)
class Reviewers:
    """The store's qualified reviewers; empty means any non-team member may review."""

    names: tuple[str, ...] = ()

    def allows(self, who: Identity) -> bool:
        return not self.names or who.name in self.names or who.email in self.names


def team_names(audit: Audit) -> set[str]:
    names = {m.name for m in audit.planning.team if m.name}
    return names or ({audit.created_by} if audit.created_by else set())


def on_team(audit: Audit, who: Identity) -> bool:
    """The team, or the creator until planning names a team; a legacy audit with neither is open."""
    names = team_names(audit)
    return not names or who.name in names


def edit_refusal(audit: Audit, who: Identity) -> str | None:
    """Why `who` may not change `audit`'s content now, or None."""
    if audit.stage == "review":
        return f"{audit.project_no} is under review: it changes only when the reviewer returns it (auditdesk return)"
    if audit.stage == "approved":
        return f"{audit.project_no} is approved and read-only: reopen it with a reason first (auditdesk reopen {audit.project_no} --reason …)"
    if not on_team(audit, who):
        return f"{who.name} is not on the team of {audit.project_no} (team: {', '.join(sorted(team_names(audit)))})"
    return None


def _move(audit: Audit, to: str, who: Identity, now: dt.datetime, reason: str = "") -> None:
    audit.transitions = audit.transitions + (Transition(to, who.name, now, reason),)  # type: ignore[arg-type]
    audit.stage = to  # type: ignore[assignment]


def advance(audit: Audit, catalog: Catalog, who: Identity, now: dt.datetime) -> str:
    """Move to the next stage if every gate is met; the team does this."""
    target = next_stage(audit.stage)
    if audit.stage in ("review", "approved") or target is None:
        raise NotAllowed(f"{audit.project_no} is in {audit.stage}: use approve or return (review) or reopen (approved)")
    why = edit_refusal(audit, who)
    if why:
        raise NotAllowed(why)
    found = blockers(audit, catalog)
    if found:
        raise Blocked(audit, found)
    _move(audit, target, who, now)
    verb = "submit for review" if target == "review" else f"advance to {target}"
    return f"{audit.project_no}: {verb} ({STAGES[audit.stage]})"


def _check_reviewer(audit: Audit, who: Identity, reviewers: Reviewers, action: str) -> None:
    if audit.stage != "review":
        raise NotAllowed(f"only an audit under review can be {action}; {audit.project_no} is in {audit.stage}")
    if who.name in {m.name for m in audit.planning.team} or who.name == audit.created_by:
        raise NotAllowed(f"{who.name} is on the team of {audit.project_no}; a reviewer must not be on the team")
    if not reviewers.allows(who):
        raise NotAllowed(f"{who.name} is not a qualified reviewer of this store (reviewers: {', '.join(reviewers.names)})")


def return_to(audit: Audit, stage: str, reason: str, who: Identity, reviewers: Reviewers, now: dt.datetime) -> str:
    """The reviewer sends the audit back to an earlier stage, with reasons."""
    _check_reviewer(audit, who, reviewers, "returned")
    if stage not in RETURNABLE:
        raise NotAllowed(f"an audit can be returned to {', '.join(RETURNABLE)}, not {stage!r}")
    if not reason.strip():
        raise NotAllowed("a return needs a reason (--reason TEXT) so the team knows what to fix")
    audit.review.reviewer = who.name
    _move(audit, stage, who, now, reason.strip())
    return f"{audit.project_no}: returned to {stage} by {who.name}: {reason.strip().splitlines()[0]}"


def approve(audit: Audit, who: Identity, reviewers: Reviewers, now: dt.datetime, comments: str = "") -> str:
    """The reviewer approves: the audit freezes at the revision this creates."""
    _check_reviewer(audit, who, reviewers, "approved")
    audit.review.reviewer = who.name
    if comments.strip():
        audit.review.comments = comments.strip()
    _move(audit, "approved", who, now)
    return f"{audit.project_no}: approved by {who.name}"


def reopen(audit: Audit, reason: str, who: Identity, reviewers: Reviewers, now: dt.datetime) -> str:
    """Unfreeze an approved audit, back to conclusion; the reason is recorded."""
    if audit.stage != "approved":
        raise NotAllowed(f"only an approved audit is reopened; {audit.project_no} is in {audit.stage}")
    if not (on_team(audit, who) or reviewers.allows(who)):
        raise NotAllowed(f"{who.name} is neither on the team nor a reviewer of {audit.project_no}")
    if not reason.strip():
        raise NotAllowed("reopening an approved audit needs a reason (--reason TEXT); it is recorded")
    _move(audit, "conclusion", who, now, reason.strip())
    return f"{audit.project_no}: reopened by {who.name}: {reason.strip().splitlines()[0]}"

