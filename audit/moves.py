"""The stage is derived, not trusted: which changes of an audit are legitimate.

An audit's stage and its transitions change only through
the workflow (`audit.workflow`: advance, return, approve, reopen).  Anything
else — a hand edit, a plain ``git commit``, a merge — must leave them as they
were.  :func:`check_change` decides that for one step of history: it finds the
one move the new revision claims (the transition it appends), replays it with
the workflow's own rules as the person who made the commit, and accepts the
step only if the replay gives exactly the new revision.  A forged
``stage = "approved"`` with an invented transition fails the replay: the
author is not a reviewer, is on the team, or the file has other changes.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from auditdesk.audit import workflow
from auditdesk.audit.document import WORK_STAGES, Audit, to_toml
from auditdesk.audit.identity import Identity
from auditdesk.audit.stages import next_stage
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog
from auditdesk.errors import AuditdeskError

__all__ = ["WORKFLOW_FIELDS", "check_change", "check_merge", "content_changed", "workflow_changed", "workflow_state"]

#: The fields only the workflow writes (the review record it writes too, but the report does not
#: show it and a move is replayed with it; the team may annotate it while the audit is theirs).
WORKFLOW_FIELDS = ("stage", "transitions")


def workflow_state(audit: Audit) -> dict[str, Any]:
    return {"stage": audit.stage, "transitions": tomldata.to_data(audit.transitions, defaults=True)}


def _content(audit: Audit) -> Audit:
    """The audit with its stage and moves blanked: what a content edit may change."""
    return dataclasses.replace(audit, stage="planning", transitions=())


def workflow_changed(before: Audit, after: Audit) -> bool:
    return (before.stage, before.transitions) != (after.stage, after.transitions) \
        or workflow_state(before) != workflow_state(after)


def content_changed(before: Audit, after: Audit) -> bool:
    return _content(before) != _content(after)


def creation_problem(audit: Audit) -> str | None:
    """A new audit starts in a work stage with no moves."""
    if audit.transitions or audit.stage not in WORK_STAGES:
        return (f"a new audit starts in {', '.join(WORK_STAGES)} with no transitions "
                f"(this one is at {audit.stage} with {len(audit.transitions)} transition(s))")
    return None


def check_change(before: Audit | None, after: Audit, who: Identity, reviewers: workflow.Reviewers,
                 catalog: Catalog) -> str | None:
    """Why going from `before` (None: a new file) to `after`, committed by `who`, is not
    legitimate, or None: either a content edit that leaves the workflow fields alone, or
    exactly one workflow move `who` may make, and nothing else."""
    if before is None:
        return creation_problem(after)
    if not workflow_changed(before, after):
        return None
    known = len(before.transitions)
    added = after.transitions[known:]
    if after.transitions[:known] != before.transitions:
        return "the recorded transitions were rewritten; only workflow commands add a move, one at a time"
    if len(added) != 1:
        return (f"the stage changed from {before.stage} to {after.stage} without a recorded move"
                if not added else f"{len(added)} moves were added at once; the workflow adds one per commit")
    move = added[0]
    possible = _moves_from(before.stage)
    if move.to not in possible or after.stage != move.to:
        return (f"the file records a move from {before.stage} to {move.to} (stage now {after.stage}); "
                f"from {before.stage} the workflow moves only to {', '.join(possible)}")
    replay = copy.deepcopy(before)
    try:
        if before.stage == "review" and move.to == "approved":
            comments = after.review.comments if after.review.comments != before.review.comments else ""
            workflow.approve(replay, who, reviewers, move.at, comments)
        elif before.stage == "review":
            workflow.return_to(replay, move.to, move.reason, who, reviewers, move.at)
        elif before.stage == "approved":
            workflow.reopen(replay, move.reason, who, reviewers, move.at)
        else:
            workflow.advance(replay, catalog, who, move.at)
    except AuditdeskError as exc:
        return f"the move to {move.to} recorded as by {move.by} is not one {who.name} may make: {str(exc).splitlines()[0]}"
    if replay != after and to_toml(replay) != to_toml(after):
        if replay.stage != after.stage:
            return f"the file records a move to {move.to}, but from {before.stage} that move leads to {replay.stage}"
        if workflow_state(replay) != workflow_state(after):
            return (f"the move to {move.to} is recorded differently from how {who.name} would make it "
                    f"(transition or review fields: by {move.by!r}, person {move.person!r})")
        return f"the move to {move.to} also changed the audit's content; a move changes nothing else"
    return None


def _moves_from(stage: str) -> tuple[str, ...]:
    """Where the workflow can take an audit at `stage`."""
    if stage == "review":
        return ("approved", *WORK_STAGES)
    if stage == "approved":
        return ("conclusion",)
    following = next_stage(stage)
    return (following,) if following else ()


def check_merge(parents: list[Audit], merged: Audit) -> str | None:
    """Why a merge result is not legitimate, or None: its workflow fields are one parent's,
    and an audit under review or approved takes no content from the other side."""
    same = [p for p in parents if not workflow_changed(p, merged)]
    if not same:
        return "a merge changed the stage or the transitions; only workflow commands do"
    if merged.stage in ("review", "approved") and all(content_changed(p, merged) for p in same):
        return f"a merge changed the content of an audit at {merged.stage}; it changes only after a return or a reopening"
    return None
