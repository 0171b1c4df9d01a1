"""The stages of an audit and the gates between them (DOMAIN.md §2).

`blockers()` is the one place that decides whether an audit may move on: it
lists every unmet condition, in the order a person would fix them, so the
command line, the TUI and the report all say the same thing.
"""

from __future__ import annotations

from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.scoring import score_audit

from .document import Audit, Planning

ORDER: tuple[str, ...] = ("planning", "onsite", "conclusion", "review", "approved")


def next_stage(stage: str) -> str | None:
    i = ORDER.index(stage)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def planning_blockers(p: Planning) -> list[str]:
    out = [f"{label} is missing" for label, value in (
        ("1.1 organisation", p.organisation),
        ("1.3 registered address", p.registered_address),
        ("1.4 audit address", p.audit_address),
        ("1.6 contact name", p.contact.name),
        ("1.6 contact phone", p.contact.phone),
        ("1.8 audit criteria", p.criteria),
        ("1.9 scope", p.scope),
        ("1.9 star level applied for", p.star_applied),
        ("1.12 audit start date", p.audit_from),
        ("1.12 audit end date", p.audit_to),
        ("1.13 team", p.team),
    ) if not value]
    if p.multi_site and not p.subsites:
        out.append("1.5 a multi-site organisation needs its sub-sites listed")
    ms = p.mystery_shopping
    if ms.needed is None:
        out.append("1.11 say whether mystery shopping (暗访) is needed")
    elif ms.needed and not ((ms.onsite_from and ms.onsite_to) or (ms.offsite_from and ms.offsite_to)):
        out.append("1.11 mystery shopping is needed: give its on-site or off-site dates")
    if p.team and len(p.leaders) != 1:
        out.append(f"1.13 the team needs exactly one leader (has {len(p.leaders)})")
    for i, m in enumerate(p.team, start=1):
        missing = [name for name, value in (("code", m.code), ("name", m.name), ("certificate", m.certificate)) if not value]
        if missing:
            out.append(f"1.13 team member {i} ({m.name or '?'}) lacks {', '.join(missing)}")
    questions = [("1.14 major service-quality accident", p.past_year.accident), ("1.14 complaints", p.past_year.complaints),
                 ("1.14 government spot checks", p.past_year.spot_check), ("1.14 government enforcement", p.past_year.enforcement),
                 ("1.15 audit risks", p.risks)]
    for label, answer in questions:
        if answer.yes is None:
            out.append(f"{label}: answer yes or no")
        elif answer.yes and not answer.explanation.strip():
            out.append(f"{label}: 'yes' needs an explanation")
    if p.method in ("remote", "both"):
        r = p.remote
        for label, value in (("location", r.location), ("scope", r.scope), ("ICT tools", r.ict_tools)):
            if not value:
                out.append(f"1.16 remote audit {label} is missing")
        for label, flag in (("information-security agreement", r.security_agreement), ("obstacles", r.obstacles),
                            ("ICT effective", r.ict_effective), ("on-site follow-up needed", r.onsite_needed)):
            if flag is None:
                out.append(f"1.16 remote audit: answer '{label}'")
    return out


def onsite_blockers(audit: Audit, catalog: Catalog) -> list[str]:
    out = []
    unscored = [code for code in catalog.items if not (audit.items.get(code) and audit.items[code].is_scored)]
    if unscored:
        shown = " ".join(unscored[:12]) + (f" … ({len(unscored)} in all)" if len(unscored) > 12 else "")
        out.append(f"{len(unscored)} item(s) not scored: {shown}")
    if not audit.onsite.sampling.strip():
        out.append("the sampling statement (评价抽样方法说明) is missing")
    for i, d in enumerate(audit.onsite.special.deductions, start=1):
        if not d.nonconformity.strip() or not d.corrective_action.strip():
            out.append(f"special deduction {i} needs its nonconformity and corrective action")
    return out


def conclusion_blockers(audit: Audit, catalog: Catalog) -> list[str]:
    c = audit.conclusion
    out = [f"{label} is missing" for label, value in (
        ("3 overview", c.overview.strip()),
        ("4 improvement suggestions", c.suggestions.strip()),
        ("5 recommendation", c.recommendation.recommend is not None and c.recommendation.kind),
        ("recommended scope", c.recommended_scope.strip()),
        ("recommended star level", c.recommended_star.strip()),
        ("report author", c.author.strip()),
        ("report date", c.date),
    ) if not value]
    computed = score_audit(catalog, audit.items, audit.special).star
    if c.recommended_star and c.recommended_star != computed and not c.star_justification.strip():
        out.append(f"the recommended star level {c.recommended_star} differs from the computed {computed}: write a justification")
    return out


def blockers(audit: Audit, catalog: Catalog) -> list[str]:
    """Everything that stops `audit` from leaving its current stage.

    Work is not forced into order: moving to review needs planning, scoring
    and conclusion all complete, whatever stage the audit is in.
    """
    stage = audit.stage
    if stage == "approved":
        return ["the audit is approved; reopen it with a reason to change it"]
    if stage == "review":
        return []
    out = planning_blockers(audit.planning)
    if stage in ("onsite", "conclusion"):
        out += onsite_blockers(audit, catalog)
    if stage == "conclusion":
        out += conclusion_blockers(audit, catalog)
    return out
