"""Who may do what at which stage: edits, advancing, return, approval, reopening.

Stages gate the transitions, not the order of work: until review the team
edits planning, scores and conclusion in any order.  Under review only a
return changes the audit; an approved audit is read-only until reopened with
a recorded reason.  Every function here changes the document in memory and
returns the commit message; saving (and tagging) is the store's job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from auditdesk.audit.document import STAGES, WORK_STAGES, Audit, Member, Transition
from auditdesk.audit.identity import Identity
from auditdesk.audit.people import normalise
from auditdesk.audit.stages import blockers, next_stage
from auditdesk.criteria.catalog import Catalog
from auditdesk.errors import AuditdeskError

RETURNABLE = WORK_STAGES
ACTIONS_ZH = {"returned": "退回", "approved": "批准"}


#: What can unblock a refusal; each interface says how to do it (a command, a key).
Remedy = Literal["return", "reopen", "reason"]


class NotAllowed(AuditdeskError):
    """The acting user may not do this to this audit now; the message says why, in
    English and Chinese.  `remedy` names the step that would help; the interfaces
    add how to take it (the command line appends the command to type)."""

    def __init__(self, en: str, zh: str, *, remedy: Remedy | None = None, project_no: str = "") -> None:
        super().__init__(en, zh=zh)
        self.remedy = remedy
        self.project_no = project_no


class Blocked(AuditdeskError):
    """A gate is not met; `blockers` lists every unmet condition."""

    def __init__(self, audit: Audit, blockers: list[str]) -> None:
        self.blockers = blockers
        target = next_stage(audit.stage)
        lines = "\n".join(f"  - {b}" for b in blockers)
        super().__init__(f"{audit.project_no} cannot move from {audit.stage} to {target}; {len(blockers)} thing(s) block it:\n{lines}")


@dataclass(frozen=True)
class Reviewers:
    """The store's qualified reviewers (names, e-mails or, with a registry, person ids);
    empty means any non-team member may review (with a registry: anyone with the reviewer role)."""

    names: tuple[str, ...] = ()

    def allows(self, who: Identity) -> bool:
        if who.person and "reviewer" not in who.roles:
            return False
        return not self.names or who.name in self.names or who.email in self.names or bool(who.person and who.person in self.names)


def team_names(audit: Audit) -> set[str]:
    names = {m.name for m in audit.planning.team if m.name}
    return names or ({audit.created_by} if audit.created_by else set())


def is_person(who: Identity, name: str, person: str = "") -> bool:
    """Whether a name (and registered id) in an audit file is `who`: by id when both have one,
    else by the name as written (NFKC)."""
    if who.person and person:
        return who.person == person
    return bool(name) and (name == who.name or (bool(who.person) and (name == who.person or normalise(name) == normalise(who.name))))


def on_team(audit: Audit, who: Identity) -> bool:
    """The team, or the creator until planning names a team; a legacy audit with neither is open."""
    team = [m for m in audit.planning.team if m.name]
    if team:
        return any(is_person(who, m.name, m.person) for m in team)
    return not audit.created_by or is_person(who, audit.created_by)


def _not_an_auditor(audit: Audit, who: Identity) -> NotAllowed | None:
    """With a registry, changing an audit's content is an auditor's work."""
    if who.person and "auditor" not in who.roles:
        p = audit.project_no
        return NotAllowed(f"{who.name} ({who.person}) is not registered as an auditor; only auditors change audits",
                          f"{who.name}（{who.person}）未登记为审查员；只有审查员可以修改审查", project_no=p)
    return None


def edit_refusal(audit: Audit, who: Identity) -> NotAllowed | None:
    """Why `who` may not change `audit`'s content now (to raise or to show), or None."""
    p = audit.project_no
    if audit.stage == "review":
        return NotAllowed(f"{p} is under review: it changes only when the reviewer returns it",
                          f"{p} 正在复核：只有复核人退回后才能修改", remedy="return", project_no=p)
    if audit.stage == "approved":
        return NotAllowed(f"{p} is approved and read-only: reopen it with a reason first",
                          f"{p} 已批准，不能修改：请先说明理由重新打开", remedy="reopen", project_no=p)
    if not on_team(audit, who):
        team = ", ".join(sorted(team_names(audit)))
        return NotAllowed(f"{who.name} is not on the team of {p} (team: {team})",
                          f"{who.name} 不是 {p} 审查组的成员（审查组：{team}）", project_no=p)
    return _not_an_auditor(audit, who)


def may_rejoin(audit: Audit, who: Identity, former_leaders: Iterable[Member] = ()) -> bool:
    """Whether `who`, off the team of `audit`, may put themselves back on it: its creator
    may, and so may someone who led its team in an earlier revision (`former_leaders`),
    so that saving a team without yourself is never a lock-out.  With a people registry
    a former leader is matched by person id, as `on_team` matches members."""
    return is_person(who, audit.created_by) or any(is_person(who, m.name, m.person) for m in former_leaders)


def rejoins(old: Audit, new: Audit, who: Identity) -> bool:
    """`new` only changes the team of `old`, and names `who` on it (putting themselves back)."""
    if not any(is_person(who, m.name, m.person) for m in new.planning.team):
        return False
    return dataclasses.replace(new, planning=dataclasses.replace(new.planning, team=old.planning.team)) == old


def _move(audit: Audit, to: str, who: Identity, now: dt.datetime, reason: str = "") -> None:
    audit.transitions = audit.transitions + (Transition(to, who.name, now, reason, who.person),)  # type: ignore[arg-type]
    audit.stage = to  # type: ignore[assignment]


def advance(audit: Audit, catalog: Catalog, who: Identity, now: dt.datetime) -> str:
    """Move to the next stage if every gate is met; the team does this."""
    target = next_stage(audit.stage)
    if audit.stage in ("review", "approved") or target is None:
        raise NotAllowed(f"{audit.project_no} is in {audit.stage}: use approve or return (review) or reopen (approved)",
                         f"{audit.project_no} 处于{STAGES[audit.stage]}阶段：复核中请批准或退回，已批准请重新打开",
                         project_no=audit.project_no)
    why = edit_refusal(audit, who)
    if why:
        raise why
    found = blockers(audit, catalog)
    if found:
        raise Blocked(audit, found)
    _move(audit, target, who, now)
    verb = "submit for review" if target == "review" else f"advance to {target}"
    return f"{audit.project_no}: {verb} ({STAGES[audit.stage]})"


def _check_reviewer(audit: Audit, who: Identity, reviewers: Reviewers, action: str) -> None:
    p = audit.project_no
    if audit.stage != "review":
        raise NotAllowed(f"only an audit under review can be {action}; {p} is in {audit.stage}",
                         f"只有复核中的审查才能{ACTIONS_ZH[action]}；{p} 处于{STAGES[audit.stage]}阶段", project_no=p)
    if any(is_person(who, m.name, m.person) for m in audit.planning.team) or is_person(who, audit.created_by):
        raise NotAllowed(f"{who.name} is on the team of {p}; a reviewer must not be on the team",
                         f"{who.name} 是 {p} 审查组的成员；复核人不能是审查组成员", project_no=p)
    if who.person and "reviewer" not in who.roles:
        raise NotAllowed(f"{who.name} ({who.person}) is not registered as a reviewer of this store",
                         f"{who.name}（{who.person}）未登记为本存储库的复核人", project_no=p)
    if not reviewers.allows(who):
        names = ", ".join(reviewers.names)
        raise NotAllowed(f"{who.name} is not a qualified reviewer of this store (reviewers: {names})",
                         f"{who.name} 不是本存储库的合格复核人（复核人：{names}）", project_no=p)


def return_to(audit: Audit, stage: str, reason: str, who: Identity, reviewers: Reviewers, now: dt.datetime) -> str:
    """The reviewer sends the audit back to an earlier stage, with reasons."""
    _check_reviewer(audit, who, reviewers, "returned")
    if stage not in RETURNABLE:
        raise NotAllowed(f"an audit can be returned to {', '.join(RETURNABLE)}, not {stage!r}",
                         f"审查只能退回到{'、'.join(STAGES[s] for s in RETURNABLE)}阶段", project_no=audit.project_no)
    if not reason.strip():
        raise NotAllowed("a return needs a reason so the team knows what to fix", "退回需要说明理由，审查组才知道要改什么",
                         remedy="reason", project_no=audit.project_no)
    audit.review.reviewer, audit.review.person = who.name, who.person
    _move(audit, stage, who, now, reason.strip())
    return f"{audit.project_no}: returned to {stage} by {who.name}: {reason.strip().splitlines()[0]}"


def approve(audit: Audit, who: Identity, reviewers: Reviewers, now: dt.datetime, comments: str = "") -> str:
    """The reviewer approves: the audit freezes at the revision this creates."""
    _check_reviewer(audit, who, reviewers, "approved")
    audit.review.reviewer, audit.review.person = who.name, who.person
    if comments.strip():
        audit.review.comments = comments.strip()
    _move(audit, "approved", who, now)
    return f"{audit.project_no}: approved by {who.name}"


def reopen(audit: Audit, reason: str, who: Identity, reviewers: Reviewers, now: dt.datetime) -> str:
    """Unfreeze an approved audit, back to conclusion; the reason is recorded."""
    p = audit.project_no
    if audit.stage != "approved":
        raise NotAllowed(f"only an approved audit is reopened; {p} is in {audit.stage}",
                         f"只有已批准的审查才能重新打开；{p} 处于{STAGES[audit.stage]}阶段", project_no=p)
    if not ((on_team(audit, who) and _not_an_auditor(audit, who) is None) or reviewers.allows(who)):
        raise NotAllowed(f"{who.name} is neither on the team nor a reviewer of {p}",
                         f"{who.name} 既不是 {p} 审查组的成员，也不是复核人", project_no=p)
    if not reason.strip():
        raise NotAllowed("reopening an approved audit needs a reason; it is recorded", "重新打开已批准的审查需要说明理由（会被记录）",
                         remedy="reason", project_no=p)
    _move(audit, "conclusion", who, now, reason.strip())
    return f"{audit.project_no}: reopened by {who.name}: {reason.strip().splitlines()[0]}"

