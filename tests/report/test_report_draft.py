"""Unfinished audits render under a draft banner that lists what is missing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from support.markdown import blocks, table_with, tables, tokens

from auditdesk.audit.document import Audit, Special, from_toml, new_audit
from auditdesk.audit.stages import blockers
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import ItemResult, SpecialDeduction
from auditdesk.report.markdown import ITEM_COLUMNS, render


def banner(markdown: str) -> list[str]:
    """The banner's list entries, or [] when the report is final."""
    toks = tokens(markdown)
    if toks[0].type != "blockquote_open":
        return []
    end = next(i for i, t in enumerate(toks) if t.type == "blockquote_close")
    assert "草稿" in toks[2].content
    return [t.content for t in toks[3:end] if t.type == "inline"]


def item_rows(markdown: str) -> dict[str, list[str]]:
    return {row[4]: row for t in table_with(markdown, *ITEM_COLUMNS) for row in t.rows}


def test_new_audit_is_a_draft_with_unscored_rows_and_missing_fields(catalog: Catalog) -> None:
    audit = new_audit(catalog, "D-1", "某公司")
    audit.items = {code: ItemResult(pct=Decimal(90)) for code in ("A1", "A2", "A3")}
    markdown = render(audit, catalog).markdown
    missing = banner(markdown)
    assert missing[0] == "审查阶段：策划（尚未进入结论阶段）"
    assert f"未评分项（79项）：{'、'.join(list(catalog.items)[3:])}" in missing
    for field in ("认证机构名称", "1.3 工商注册地址", "1.12 本次审查时间", "1.13 审查组成员", "1.15 审查风险（未回答）",
                  "评价抽样方法说明", "3 服务体系概述及本次评价概述", "4 改进建议", "5 评价结论（推荐意见）",
                  "5 报告编制人", "5 编制日期"):
        assert field in missing
    assert "1.1 受审查方名称" not in missing and "1.8 审查准则" not in missing
    rows = item_rows(markdown)
    assert rows["A1"][5:] == ["90", "0.9"]
    assert rows["A4"][5:] == ["未评分", "—"] and rows["C8"][5:] == ["未评分", "—"]
    paragraphs = blocks(markdown, "paragraph")
    assert "（未填写）" in paragraphs  # overview, suggestions, sampling statement…
    assert "报告编制人：（未填写）\n编制日期：（未填写）" in paragraphs
    assert all(len(row) == len(t.header) for t in tables(markdown) for row in t.rows)


def test_before_the_conclusion_stage_the_report_is_a_draft(sample: Audit, catalog: Catalog) -> None:
    sample.stage = "onsite"
    assert banner(render(sample, catalog).markdown) == ["审查阶段：现场评分（尚未进入结论阶段）"]
    sample.stage = "approved"
    assert banner(render(sample, catalog).markdown) == []


def test_an_unscored_item_makes_a_draft(sample: Audit, catalog: Catalog) -> None:
    del sample.items["B9"]
    markdown = render(sample, catalog).markdown
    assert banner(markdown) == ["未评分项（1项）：B9"]
    assert item_rows(markdown)["B9"][5:] == ["未评分", "—"]


def test_a_recommended_star_other_than_computed_needs_its_reason(sample: Audit, catalog: Catalog) -> None:
    sample.conclusion.recommended_star = "九星级"
    assert banner(render(sample, catalog).markdown) == ["5 推荐星级与计算星级不同的理由"]
    sample.conclusion.star_justification = "有一起投诉处理超时"
    markdown = render(sample, catalog).markdown
    assert banner(markdown) == []
    assert (
        "资质范围内水表、智能表、供水设备、热量表所涉及的商品售后绿色服务。（九星级）\n推荐星级与计算星级（十星级）不同，理由：有一起投诉处理超时"
        in blocks(markdown, "paragraph")
    )


def test_special_deduction_lowers_the_total_and_opens_a_nonconformity(sample: Audit, catalog: Catalog) -> None:
    sample.onsite.special = Special((SpecialDeduction("industry", "未按行业要求回访"),))
    markdown = render(sample, catalog).markdown
    assert banner(markdown) == ["特别扣分项1：不符合项", "特别扣分项1：纠正措施"]
    [overall] = table_with(markdown, "总分", "满分", "涉及项分值", "特别项", "得分率", "计算星级")
    assert overall.rows[0][:4] == ["137.33", "150", "143", "-1"]
    [nc] = table_with(markdown, "序号", "类别", "事实描述", "不符合项", "纠正措施", "责任人", "完成期限")
    assert nc.rows == [["1", "违反行业要求", "未按行业要求回访", "（未填写）", "（未填写）", "—", "—"]]
    sample.onsite.special = Special((dataclasses.replace(sample.onsite.special.deductions[0], nonconformity="x", corrective_action="y", due=dt.date(2024, 5, 1)),))
    assert banner(render(sample, catalog).markdown) == []


def test_remote_audit_needs_its_facts(sample: Audit, catalog: Catalog) -> None:
    sample.planning.method = "remote"
    missing = banner(render(sample, catalog).markdown)
    assert missing[:3] == ["1.16 远程审核地点", "1.16 远程审核范围", "1.16 使用的ICT工具"]
    assert "1.16 与审核方达成了信息安全协议（未回答）" in missing and len(missing) == 7


def test_sampled_percentage_shows_its_samples(sample: Audit, catalog: Catalog) -> None:
    sample.items["C6"] = ItemResult(pct=Decimal("66.67"), samples=3, nonconforming=1)
    assert item_rows(render(sample, catalog).markdown)["C6"][5:] == ["66.67（抽样3，不符合1）", "1.333"]


def test_a_field_printed_as_missing_always_makes_a_draft(sample_bytes: bytes, catalog: Catalog) -> None:
    """Whatever prints （未填写） is listed in the banner, and so is whatever the stage gates
    (audit.stages) would stop on: a final report never shows a gap."""

    def fresh() -> Audit:
        return from_toml(sample_bytes, "sample", catalog)

    records: dict[str, Callable[[Audit], Any]] = {
        "body": lambda a: a.body,
        "planning": lambda a: a.planning,
        "contact": lambda a: a.planning.contact,
        "member": lambda a: a.planning.team[0],
        "onsite": lambda a: a.onsite,
        "conclusion": lambda a: a.conclusion,
    }
    blanked = []
    for name, get in records.items():
        for field in dataclasses.fields(get(fresh())):
            audit = fresh()
            if field.type == "str":  # free text, not a coded choice such as audit_type
                setattr(get(audit), field.name, " ")
                markdown = render(audit, catalog).markdown
                assert ("（未填写）" in markdown) <= bool(banner(markdown)), f"{name}.{field.name}"
                assert bool(blockers(audit, catalog)) <= bool(banner(markdown)), f"{name}.{field.name}"
                blanked.append(f"{name}.{field.name}")
    assert len(blanked) > 20
