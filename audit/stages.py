"""The stages of an audit and what each gate requires (docs/domain.md, "Stages").

`gaps()` is the one list of unmet requirements: each says which stage's gate
it blocks, where it is, and what is missing in English and in Chinese.  The
command line and the TUI show the gaps that block the next stage
(`blockers`); the report's draft banner lists them all, in report order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from auditdesk.audit.document import STAGE_ORDER, Answer, Audit
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.scoring import score_audit

Gate = Literal["planning", "onsite", "conclusion"]

PAST_YEAR: dict[str, tuple[str, str]] = {
    "accident": ("major service-quality accident", "现场评价前一年内发生的重大服务质量事故"),
    "complaints": ("complaints", "现场评价前一年内发生的相关方投诉"),
    "spot_check": ("government spot checks", "现场评价前一年内的服务质量政府监督抽查中存在的问题"),
    "enforcement": ("government enforcement", "现场评价前一年内的服务质量政府执法检查中存在的问题"),
}
RISKS = ("audit risks", "审查风险及审查中遇到的可能影响审查结论的不确定因素和（或）障碍（适用时，如断电、火灾、洪灾…）")

# 1.16 questions: field, English, Chinese, field of the explanation a "yes" needs.
REMOTE_QUESTIONS: tuple[tuple[str, str, str, str | None], ...] = (
    ("security_agreement", "information-security agreement", "与审核方达成了信息安全协议", None),
    ("obstacles", "obstacles", "远程审核遇到可能降低审核结论可靠性的障碍，遇到可能应影响审核任务完成的突发事件及可能带来的风险",
     "obstacles_note"),
    ("ict_effective", "ICT effective", "远程审核使用ICT有效，达到了审核目的", None),
    ("onsite_needed", "on-site follow-up needed", "需要补充现场审核", "onsite_needed_note"),
)


@dataclass(frozen=True)
class Gap:
    """One unmet requirement: the gate it blocks, where, and what (en / zh)."""

    gate: Gate
    field: str
    en: str
    zh: str

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def next_stage(stage: str) -> str | None:
    i = STAGE_ORDER.index(stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def gaps(audit: Audit, catalog: Catalog) -> list[Gap]:
    """Every unmet requirement of every gate, in the order the report prints them."""
    out: list[Gap] = []

    def need(gate: Gate, field: str, value: object, en: str, zh: str) -> None:
        if blank(value) or value == ():
            out.append(Gap(gate, field, f"{en} is missing", zh))

    def answered(field: str, answer: Answer, en: str, zh: str) -> None:
        if answer.yes is None:
            out.append(Gap("planning", field, f"{en}: answer yes or no", f"{zh}（未回答）"))
        elif answer.yes and blank(answer.explanation):
            out.append(Gap("planning", field, f"{en}: 'yes' needs an explanation", f"{zh}（说明）"))

    body = audit.body
    for name, en, zh in (("name", "name", "名称"), ("address", "address", "地址"), ("phone", "phone", "电话"), ("postcode", "postcode", "邮编")):
        need("planning", f"body.{name}", getattr(body, name), f"certification body {en}", f"认证机构{zh}")
    p = audit.planning
    need("planning", "planning.organisation", p.organisation, "1.1 organisation", "1.1 受审查方名称")
    need("planning", "planning.registered_address", p.registered_address, "1.3 registered address", "1.3 工商注册地址")
    need("planning", "planning.audit_address", p.audit_address, "1.4 audit address", "1.4 审查地址")
    if p.multi_site and not p.subsites:
        out.append(Gap("planning", "planning.subsites", "1.5 a multi-site organisation needs its sub-sites listed", "1.5 固定分场所"))
    for n, site in enumerate(p.subsites, start=1):
        need("planning", f"planning.subsites[{n - 1}].name", site.name, f"1.5 sub-site {n} name", f"1.5 固定分场所{n}名称")
        need("planning", f"planning.subsites[{n - 1}].address", site.address, f"1.5 sub-site {n} address", f"1.5 固定分场所{n}地址")
    need("planning", "planning.contact.name", p.contact.name, "1.6 contact name", "1.6 联系人")
    need("planning", "planning.contact.phone", p.contact.phone, "1.6 contact phone", "1.6 联系电话")
    if all(blank(c) for c in p.criteria):
        out.append(Gap("planning", "planning.criteria", "1.8 audit criteria is missing", "1.8 审查准则"))
    need("planning", "planning.scope", p.scope, "1.9 scope", "1.9 审查范围")
    need("planning", "planning.star_applied", p.star_applied, "1.9 star level applied for", "1.9 申请星级")
    ms = p.mystery_shopping
    periods = [pair for pair in ((ms.onsite_from, ms.onsite_to), (ms.offsite_from, ms.offsite_to)) if pair != (None, None)]
    if ms.needed is None:
        out.append(Gap("planning", "planning.mystery_shopping.needed", "1.11 say whether mystery shopping (暗访) is needed", "1.11 暗访评价方式"))
    elif ms.needed and (not periods or any(None in pair for pair in periods)):
        out.append(Gap("planning", "planning.mystery_shopping", "1.11 mystery shopping is needed: give its on-site or off-site dates", "1.11 暗访评价方式"))
    need("planning", "planning.period_start", p.period_start, "1.12 start of the period covered", "1.12 审查覆盖的时期")
    if p.audit_from is None or p.audit_to is None:
        out.append(Gap("planning", "planning.audit_from", "1.12 audit dates are missing", "1.12 本次审查时间"))
    if not p.team:
        out.append(Gap("planning", "planning.team", "1.13 team is missing", "1.13 审查组成员"))
    elif len(p.leaders) != 1:
        out.append(Gap("planning", "planning.team", f"1.13 the team needs exactly one leader (has {len(p.leaders)})", "1.13 审查组组长"))
    for n, m in enumerate(p.team, start=1):
        for name, en, zh in (("code", "code", "代码"), ("name", "name", "姓名"), ("certificate", "certificate", "注册证书号")):
            need("planning", f"planning.team[{n - 1}].{name}", getattr(m, name), f"1.13 team member {n} {en}", f"1.13 审查组成员{n}{zh}")
    for name, (en, zh) in PAST_YEAR.items():
        answered(f"planning.past_year.{name}", getattr(p.past_year, name), f"1.14 {en}", f"1.14 {zh}")
    answered("planning.risks", p.risks, f"1.15 {RISKS[0]}", "1.15 审查风险")
    if p.method != "onsite":
        r = p.remote
        need("planning", "planning.remote.location", r.location, "1.16 remote audit location", "1.16 远程审核地点")
        need("planning", "planning.remote.scope", r.scope, "1.16 remote audit scope", "1.16 远程审核范围")
        need("planning", "planning.remote.ict_tools", r.ict_tools, "1.16 remote audit ICT tools", "1.16 使用的ICT工具")
        for name, en, zh, note in REMOTE_QUESTIONS:
            value = getattr(r, name)
            if value is None:
                out.append(Gap("planning", f"planning.remote.{name}", f"1.16 remote audit: answer '{en}'", f"1.16 {zh}（未回答）"))
            elif value and note and blank(getattr(r, note)):
                out.append(Gap("planning", f"planning.remote.{note}", f"1.16 remote audit: '{en}' needs an explanation", f"1.16 {zh}（说明）"))

    card = score_audit(catalog, audit.items, audit.special)
    if card.unscored:
        shown = " ".join(card.unscored[:12]) + (f" … ({len(card.unscored)} in all)" if len(card.unscored) > 12 else "")
        out.append(Gap("onsite", "items", f"{len(card.unscored)} item(s) not scored: {shown}",
                       f"未评分项（{len(card.unscored)}项）：{'、'.join(card.unscored)}"))
    need("onsite", "onsite.sampling", audit.onsite.sampling, "the sampling statement (评价抽样方法说明)", "评价抽样方法说明")
    for n, d in enumerate(audit.onsite.special.deductions, start=1):
        where = f"onsite.special.deductions[{n - 1}]"
        need("onsite", f"{where}.description", d.description, f"special deduction {n}: description", f"特别扣分项{n}：事实描述")
        need("onsite", f"{where}.nonconformity", d.nonconformity, f"special deduction {n}: nonconformity", f"特别扣分项{n}：不符合项")
        need("onsite", f"{where}.corrective_action", d.corrective_action, f"special deduction {n}: corrective action", f"特别扣分项{n}：纠正措施")
    if audit.onsite.special.bonus is not None:
        need("onsite", "onsite.special.bonus.description", audit.onsite.special.bonus.description, "special bonus: description", "特别加分项：说明")

    c = audit.conclusion
    need("conclusion", "conclusion.overview", c.overview, "3 overview", "3 服务体系概述及本次评价概述")
    need("conclusion", "conclusion.suggestions", c.suggestions, "4 improvement suggestions", "4 改进建议")
    if c.recommendation.recommend is None or c.recommendation.kind is None:
        out.append(Gap("conclusion", "conclusion.recommendation", "5 recommendation is missing", "5 评价结论（推荐意见）"))
    need("conclusion", "conclusion.recommended_scope", c.recommended_scope, "recommended scope", "5 推荐的认证范围")
    need("conclusion", "conclusion.recommended_star", c.recommended_star, "recommended star level", "5 推荐星级")
    if star_differs(c.recommended_star, card.star) and blank(c.star_justification):
        out.append(Gap("conclusion", "conclusion.star_justification",
                       f"the recommended star level {c.recommended_star} differs from the computed {card.star}: write a justification",
                       "5 推荐星级与计算星级不同的理由"))
    need("conclusion", "conclusion.author", c.author, "report author", "5 报告编制人")
    need("conclusion", "conclusion.date", c.date, "report date", "5 编制日期")
    return out


def star_differs(recommended: str, computed: str | None) -> bool:
    """The team recommends a level other than the computed one (needs a reason)."""
    return bool(recommended.strip()) and computed is not None and recommended.strip() != computed


GATES: dict[str, Callable[[Gap], bool]] = {
    "planning": lambda g: g.gate == "planning",
    "onsite": lambda g: g.gate in ("planning", "onsite"),
    "conclusion": lambda g: True,
}


def blockers(audit: Audit, catalog: Catalog, language: str = "en") -> list[str]:
    """Everything that stops `audit` from leaving its current stage.

    Work is not forced into order: moving to review needs planning, scoring
    and conclusion all complete, whatever order they were done in.
    """
    if audit.stage == "approved":
        return ["the audit is approved; reopen it with a reason to change it" if language != "zh" else "审查已批准；如需修改请先说明理由重新打开"]
    if audit.stage == "review":
        return []
    return [g.text(language) for g in gaps(audit, catalog) if GATES[audit.stage](g)]


