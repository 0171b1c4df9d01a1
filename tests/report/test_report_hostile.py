"""Free text typed anywhere cannot break a table, add structure, or inject HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from markdown_it.rules_block.table import escapedSplit
from support.markdown import blocks, tables, tokens

from auditdesk.audit.document import Answer, Audit, Member, Remote, Site, Special, from_toml
from auditdesk.criteria.catalog import Catalog
from auditdesk.criteria.results import SpecialBonus, SpecialDeduction
from auditdesk.report.html import to_html
from auditdesk.report.markdown import Rendered, render

ORG = "A|B<script>alert(1)</script>"
EVIL = "`rm -rf` [x](javascript:alert(1)) | <img src=x onerror=alert(1)> ![y](javascript:alert(2)) **b** \\| &amp;"


@pytest.fixture
def hostile(sample: Audit) -> Audit:
    p = sample.planning
    sample.body.name = "# 机构|<b>"
    p.organisation = ORG
    p.registered_address = "> 引用\n- 列表"
    p.multi_site = True
    p.subsites = (Site("分厂|一", "[x](javascript:alert(1))"),)
    p.contact.name = "<javascript:alert(1)>"
    p.criteria = ("- list|", "1. x", EVIL)
    p.scope = "[范围](javascript:alert(1))"
    p.team = (Member("X|1", "张|三\n李四", "leader", certificate="<script>", phone="`1`"),)
    p.past_year.accident = Answer(True, EVIL)
    p.method = "both"
    p.remote = Remote(EVIL, "|", "```", security_agreement=True, obstacles=True, obstacles_note=EVIL, ict_effective=True, onsite_needed=False)
    sample.items["A1"] = dataclasses.replace(sample.items["A1"], note=EVIL)
    sample.items["B36"] = dataclasses.replace(sample.items["B36"], reason=EVIL)
    sample.onsite.sampling = "| a | b |\n|---|---|\n| 1 | 2 |"
    sample.onsite.special = Special(
        (SpecialDeduction("law", EVIL, nonconformity="a|b", corrective_action="c\n|d|", owner="<x>", due=dt.date(2024, 5, 1)),),
        SpecialBonus("| bonus |"),
    )
    sample.conclusion.overview = "# x\n\n| a |\n---"
    sample.conclusion.suggestions = "<script>alert(1)</script>\n\n```\ncode\n```"
    sample.conclusion.recommended_scope = "[范围](javascript:alert(1))"
    sample.conclusion.author = "*作者*"
    return sample


@pytest.fixture
def rendered(hostile: Audit, catalog: Catalog) -> Rendered:
    return render(hostile, catalog, revision="<script>|")


def test_every_table_row_has_its_header_width(rendered: Rendered) -> None:
    found = tables(rendered.markdown)
    assert len(found) == 11
    for table in found:
        widths = {len(escapedSplit(line.strip())[1:-1]) for line in table.source}
        assert widths == {len(table.header)}, table.source
        assert all(len(row) == len(table.header) for row in table.rows)


def test_hostile_cells_read_back_as_typed(rendered: Rendered) -> None:
    rows = {tuple(t.header): t.rows for t in tables(rendered.markdown)}
    assert rows[("代码", "姓名", "组内身份", "注册证书号", "专业代码", "联系电话")] == [["X|1", "张|三 / 李四", "组长", "<script>", "—", "`1`"]]
    assert rows[("序号", "名称", "地址")] == [["1", "分厂|一", "[x](javascript:alert(1))"]]
    assert ["B36", "5.2.5.4", "1", EVIL + "（补录）"] in rows[("代码", "条款", "小类分值", "不适用理由")]
    assert rows[("代码", "条款", "评分说明")] == [["A1", "5.1.1.1", EVIL]]
    assert rows[("类别", "说明", "分值")] == [["特别扣分项（违反法律法规）", EVIL, "扣1分"], ["特别加分项", "| bonus |", "加1分"]]
    [nc] = rows[("序号", "类别", "事实描述", "不符合项", "纠正措施", "责任人", "完成期限")]
    assert nc == ["1", "违反法律法规", EVIL, "a|b", "c / |d|", "<x>", "2024年05月01日"]


def test_no_structure_from_user_text(rendered: Rendered, sample_bytes: bytes, catalog: Catalog) -> None:
    plain = blocks(render(from_toml(sample_bytes, "sample", catalog), catalog).markdown, "heading")
    assert blocks(rendered.markdown, "heading") == plain[: plain.index("各单项雷达图")] + ["7) 评分说明"] + plain[plain.index("各单项雷达图") :]
    structure = ("bullet_list_open", "ordered_list_open", "blockquote_open", "code_block", "fence", "hr", "html_block")
    # The report's own: the 1.8 criteria list, the 1.16 remote-audit list, the footer rule.
    assert [t.type for t in tokens(rendered.markdown) if t.type in structure] == ["ordered_list_open", "ordered_list_open", "hr"]
    children = [c for t in tokens(rendered.markdown) for c in t.children or ()]
    assert not [c for c in children if c.type in ("link_open", "code_inline", "em_open", "strong_open", "html_inline")]
    assert [c.attrGet("src") for c in children if c.type == "image"] == list(rendered.assets)
    paragraphs = blocks(rendered.markdown, "paragraph")
    assert f"组织名称：{ORG}" in paragraphs
    assert "# x" in paragraphs and "| a |\n---" in paragraphs
    assert "<script>alert(1)</script>" in paragraphs and "```\ncode\n```" in paragraphs


def test_html_page_has_no_script_and_no_javascript_links(rendered: Rendered) -> None:
    page = to_html(rendered, ORG)
    assert "<script" not in page.lower()
    assert not re.search(r"<[a-z]+[^>]*\s(on[a-z]+|href|src)\s*=\s*\"?\s*javascript:", page, re.IGNORECASE)
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", page, re.IGNORECASE)
    assert "<a " not in page
    assert "<title>A|B&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
