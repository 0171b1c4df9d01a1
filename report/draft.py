"""What a report still lacks, so that an unfinished one is never taken as final.

The report prints every audit, finished or not; the draft banner lists what
is missing here, in report order.  The checks mirror the stage gates of
DOMAIN.md §2 (required planning fields, every item scored, the sampling
statement, the whole conclusion).
"""

from __future__ import annotations

from auditdesk.criteria.scoring import Scorecard
from auditdesk.store.document import STAGES, Answer, Audit

from .blocks import is_blank

# Stages whose report is shown as final once nothing is missing: from the
# conclusion on, the report is what the reviewer checks and approves.
FINAL_STAGES = ("conclusion", "review", "approved")

PAST_YEAR: dict[str, str] = {
    "accident": "现场评价前一年内发生的重大服务质量事故",
    "complaints": "现场评价前一年内发生的相关方投诉",
    "spot_check": "现场评价前一年内的服务质量政府监督抽查中存在的问题",
    "enforcement": "现场评价前一年内的服务质量政府执法检查中存在的问题",
}
RISKS = "审查风险及审查中遇到的可能影响审查结论的不确定因素和（或）障碍（适用时，如断电、火灾、洪灾…）"

# 1.16 questions: (field, question, field of the explanation a "yes" needs).
REMOTE_QUESTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("security_agreement", "与审核方达成了信息安全协议", None),
    (
        "obstacles",
        "远程审核遇到可能降低审核结论可靠性的障碍，遇到可能应影响审核任务完成的突发事件及可能带来的风险",
        "obstacles_note",
    ),
    ("ict_effective", "远程审核使用ICT有效，达到了审核目的", None),
    ("onsite_needed", "需要补充现场审核", "onsite_needed_note"),
)


def missing(audit: Audit, card: Scorecard) -> list[str]:
    """Everything still open, in report order; the report is a draft unless empty.

    An audit before the conclusion stage is open by definition, so its stage
    heads the list even when every field happens to be filled in.
    """
    out: list[str] = []

    def need(value: str, label: str) -> None:
        if is_blank(value):
            out.append(label)

    def answered(answer: Answer, label: str) -> None:
        if answer.yes is None:
            out.append(f"{label}（未回答）")
        elif answer.yes:
            need(answer.explanation, f"{label}（说明）")

    if audit.stage not in FINAL_STAGES:
        out.append(f"审查阶段：{STAGES[audit.stage]}（尚未进入结论阶段）")
    body = audit.body
    for value, label in ((body.name, "名称"), (body.address, "地址"), (body.phone, "电话"), (body.postcode, "邮编")):
        need(value, f"认证机构{label}")
    p = audit.planning
    need(p.organisation, "1.1 受审查方名称")
    need(p.registered_address, "1.3 工商注册地址")
    need(p.audit_address, "1.4 审查地址")
    if p.multi_site and not p.subsites:
        out.append("1.5 固定分场所")
    for n, site in enumerate(p.subsites, start=1):
        need(site.name, f"1.5 固定分场所{n}名称")
        need(site.address, f"1.5 固定分场所{n}地址")
    need(p.contact.name, "1.6 联系人")
    need(p.contact.phone, "1.6 联系电话")
    if all(is_blank(c) for c in p.criteria):
        out.append("1.8 审查准则")
    need(p.scope, "1.9 审查范围")
    need(p.star_applied, "1.9 申请星级")
    ms = p.mystery_shopping
    periods = [pair for pair in ((ms.onsite_from, ms.onsite_to), (ms.offsite_from, ms.offsite_to)) if pair != (None, None)]
    if ms.needed is None or (ms.needed and (not periods or any(None in pair for pair in periods))):
        out.append("1.11 暗访评价方式")
    need(p.period_start, "1.12 审查覆盖的时期")
    if p.audit_from is None or p.audit_to is None:
        out.append("1.12 本次审查时间")
    if len(p.leaders) != 1:
        out.append("1.13 审查组组长")
    for n, member in enumerate(p.team, start=1):
        for value, label in ((member.code, "代码"), (member.name, "姓名"), (member.certificate, "注册证书号")):
            need(value, f"1.13 审查组成员{n}{label}")
    for name, question in PAST_YEAR.items():
        answered(getattr(p.past_year, name), f"1.14 {question}")
    answered(p.risks, "1.15 审查风险")
    if p.method != "onsite":
        r = p.remote
        need(r.location, "1.16 远程审核地点")
        need(r.scope, "1.16 远程审核范围")
        need(r.ict_tools, "1.16 使用的ICT工具")
        for name, question, note in REMOTE_QUESTIONS:
            value = getattr(r, name)
            if value is None:
                out.append(f"1.16 {question}（未回答）")
            elif value and note:
                need(getattr(r, note), f"1.16 {question}（说明）")
    if card.unscored:
        out.append(f"未评分项（{len(card.unscored)}项）：{'、'.join(card.unscored)}")
    out.extend(f"{code} 不适用理由" for code, result in audit.items.items() if result.na and is_blank(result.reason))
    need(audit.onsite.sampling, "评价抽样方法说明")
    for n, deduction in enumerate(audit.onsite.special.deductions, start=1):
        need(deduction.description, f"特别扣分项{n}：事实描述")
        need(deduction.nonconformity, f"特别扣分项{n}：不符合项")
        need(deduction.corrective_action, f"特别扣分项{n}：纠正措施")
    if audit.onsite.special.bonus is not None:
        need(audit.onsite.special.bonus.description, "特别加分项：说明")
    c = audit.conclusion
    need(c.overview, "3 服务体系概述及本次评价概述")
    need(c.suggestions, "4 改进建议")
    if c.recommendation.recommend is None or c.recommendation.kind is None:
        out.append("5 评价结论（推荐意见）")
    need(c.recommended_scope, "5 推荐的认证范围")
    need(c.recommended_star, "5 推荐星级")
    if star_differs(audit, card):
        need(c.star_justification, "5 推荐星级与计算星级不同的理由")
    need(c.author, "5 报告编制人")
    if c.date is None:
        out.append("5 编制日期")
    return out


def star_differs(audit: Audit, card: Scorecard) -> bool:
    """The team recommends a level other than the computed one (needs a reason)."""
    star = audit.conclusion.recommended_star.strip()
    return bool(star) and card.star is not None and star != card.star
