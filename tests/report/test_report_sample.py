"""The sample report read back through markdown-it-py: what the seed report shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest
from support.markdown import blocks, table_with, tables, tokens

from auditdesk.audit.document import Audit, Transition, to_toml
from auditdesk.criteria.catalog import Catalog
from auditdesk.errors import InvalidInput
from auditdesk.report.markdown import ITEM_COLUMNS, render

SEED_HEADINGS = [
    "1. 基本信息",
    *[f"1.{n} " for n in range(1, 17)],
    "评价抽样方法说明",
    "2. 服务认证审查结果",
    "(1) 现场审查总体得分情况",
    "(2) 统计分析",
    "1) 售后服务体系",
    "2) 商品服务",
    "3) 顾客服务",
    "4) 特别项",
    "各单项雷达图",
    "3. 受评价方服务体系概述及本次评价概述",
    "4. 改进建议",
    "5. 评价结论",
]


def test_every_seed_heading_in_order(sample: Audit, catalog: Catalog) -> None:
    headings = blocks(render(sample, catalog).markdown, "heading")
    assert headings[0] == "服务认证审查报告"
    positions = [next(i for i, h in enumerate(headings) if h.startswith(want)) for want in SEED_HEADINGS]
    assert positions == sorted(positions)


def test_part_tables_have_one_row_per_item(sample: Audit, catalog: Catalog) -> None:
    parts = table_with(render(sample, catalog).markdown, *ITEM_COLUMNS)
    assert [len(t.rows) for t in parts] == [29, 45, 8]
    rows = {row[4]: row for t in parts for row in t.rows}
    assert rows["A1"] == ["5.1.1", "组织架构（5分）", "5.1.1.1 设立或指定专门从事售后服务工作的部门，并有合理的职能划分和岗位设置", "1", "A1", "100", "1"]
    assert rows["A2"][:2] == ["", ""], "section clause and title only on the section's first row"
    assert rows["B9"][3:] == ["1.5", "B9", "97", "1.455"]
    assert rows["B38"][3:] == ["2", "B38", "98", "1.96"]
    assert rows["B36"][3:] == ["1", "B36", "/", "0"]
    assert rows["C8"][:2] == ["", ""] and rows["C6"][:2] == ["5.3.2", "投诉处理（10分）"]


def test_totals_rate_and_star(sample: Audit, catalog: Catalog) -> None:
    markdown = render(sample, catalog).markdown
    [overall] = table_with(markdown, "总分", "满分", "涉及项分值", "特别项", "得分率", "计算星级")
    assert overall.rows == [["138.33", "150", "143", "0", "96.73%", "十星级"]]
    paragraphs = blocks(markdown, "paragraph")
    for points, score in (("56", "54.29"), ("69", "59.81"), ("25", "24.23")):
        assert f"本部分满分{points}分，实际得分{score}分。各分项得分见下表：" in paragraphs
    assert "无特别扣分项，也没有特别加分项。" in paragraphs


def test_not_applicable_items_with_their_reasons(sample: Audit, catalog: Catalog) -> None:
    [na] = table_with(render(sample, catalog).markdown, "代码", "条款", "小类分值", "不适用理由")
    assert [row[0] for row in na.rows] == ["B36", "B37", "B41", "B42", "B45"]
    assert all(row[3].endswith("（补录）") for row in na.rows)


def test_basic_information_as_in_the_seed(sample: Audit, catalog: Catalog) -> None:
    markdown = render(sample, catalog).markdown
    paragraphs = blocks(markdown, "paragraph")
    assert "审查类型：■初次认证 □保持认证 □再认证" in paragraphs
    assert "■现场审核（补录） □远程审核 □现场结合远程审核" in paragraphs  # inferred for the demo: the seed has no mark
    assert "资质范围内水表、智能表、供水设备、热量表所涉及的商品售后绿色服务。（十星级）" in paragraphs
    assert any("本次审查时间：2024年04月10日上午至2024年04月11日上午（共1.5天）" in p for p in paragraphs)
    assert any("审查覆盖的时期：自体系实施日至2024年04月11日（审查结束日）止" in p for p in paragraphs)
    remote = markdown.split("### 1.16 远程审核时适用\n\n", 1)[1].split("\n\n", 1)[0]  # the seed's form, blank on site
    assert remote.replace("\\\n", "\n").splitlines() == [
        "1) 实施远程审核概况", "   地点：—", "   范围：—", "   使用的ICT工具：—",
        "2) □是 □否 与审核方达成了信息安全协议；",
        "3) □是 □否 远程审核遇到可能降低审核结论可靠性的障碍，遇到可能应影响审核任务完成的突发事件及可能带来的风险；如果填“是”请说明：—",
        "4) □是 □否 远程审核使用ICT有效，达到了审核目的；",
        "5) □是 □否 需要补充现场审核，如需补充请说明关注的内容：—",
    ]
    [team] = table_with(markdown, "代码", "姓名", "组内身份", "注册证书号", "专业代码", "联系电话")
    assert team.rows == [["ISC[S]0074", "韩永师", "组长", "2023-S1SC-2068643", "02.01", "13370506375"]]


def test_conclusion_marks_the_chosen_recommendation(sample: Audit, catalog: Catalog) -> None:
    paragraphs = blocks(render(sample, catalog).markdown, "paragraph")
    assert "■推荐认证注册资格（补录） □推荐再认证注册资格 □推荐保持认证注册资格 □推荐恢复认证注册资格 □推荐变更认证范围。" in paragraphs
    assert "□不推荐认证注册资格 □不推荐再认证注册资格 □不推荐保持认证注册资格 □不推荐恢复认证注册资格 □不推荐变更认证范围。" in paragraphs
    assert "报告编制人：韩永师\n编制日期：2024年04月11日" in paragraphs


def test_not_a_draft(sample: Audit, catalog: Catalog) -> None:
    markdown = render(sample, catalog).markdown
    assert "草稿" not in markdown and "未评分" not in markdown and "（未填写）" not in markdown
    assert not any(t.type == "blockquote_open" for t in tokens(markdown))


def test_footer_names_revision_and_content_hash(sample: Audit, catalog: Catalog) -> None:
    digest = hashlib.sha256(to_toml(sample)).hexdigest()
    rendered = render(sample, catalog, revision="abc1234", version="9.9")
    last = blocks(rendered.markdown, "paragraph")[-1]
    first, charts = last.splitlines()
    assert first == f"报告来源：10234-2024-SD · 修订 abc1234 · 准则 cts-isc-jsgf-05@2024 · 内容 sha256:{digest} · auditdesk 9.9"
    assert charts == "图表：" + " · ".join(f"{name} sha256:{hashlib.sha256(data).hexdigest()}"
                                         for name, data in rendered.assets.items())
    assert list(rendered.assets) == [f"10234-2024-SD-abc1234-radar-{p}.svg" for p in "ABC"]  # named for the revision
    assert "修订 未保存" in render(sample, catalog).markdown


def test_the_page_says_what_it_is(sample: Audit, catalog: Catalog) -> None:
    """Prepared, under review, approved (by whom, when); what （补录） means; part C's chart is bars."""
    when = dt.datetime(2024, 4, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    paragraphs = blocks(render(sample, catalog).markdown, "paragraph")
    assert "报告状态：编制中（结论阶段），未经复核" in paragraphs
    assert "注：标有“（补录）”的内容为原审查报告未记载、录入时补录的信息。" in paragraphs
    sample.transitions = (Transition("review", "韩永师", when),)
    sample.stage = "review"
    assert "报告状态：复核中（韩永师于2024年04月12日 09:30提交复核）" in blocks(render(sample, catalog).markdown, "paragraph")
    sample.transitions += (Transition("approved", "李审核", when + dt.timedelta(hours=1)),)
    sample.stage = "approved"
    markdown = render(sample, catalog).markdown
    assert "报告状态：已批准（复核人：李审核，批准时间：2024年04月12日 10:30）" in blocks(markdown, "paragraph")
    assert "![顾客服务（C）条形图](10234-2024-SD-radar-C.svg)" in markdown and "（A）雷达图" in markdown
    sample.transcription.marks_added = ()
    sample.items = {code: dataclasses.replace(r, reason_added=False) for code, r in sample.items.items()}
    assert "（补录）" not in render(sample, catalog).markdown


def test_radar_images_link_to_the_assets(sample: Audit, catalog: Catalog) -> None:
    rendered = render(sample, catalog)
    sources = [c.attrGet("src") for t in tokens(rendered.markdown) for c in t.children or () if c.type == "image"]
    assert sources == list(rendered.assets)


def test_tables_parse_with_their_header_widths(sample: Audit, catalog: Catalog) -> None:
    for table in tables(render(sample, catalog).markdown):
        assert all(len(row) == len(table.header) for row in table.rows)


def test_an_audit_renders_only_under_its_own_catalog(sample: Audit, catalog: Catalog) -> None:
    sample.catalog.version = "2099"
    with pytest.raises(InvalidInput, match="scored under cts-isc-jsgf-05@2099"):
        render(sample, catalog)
