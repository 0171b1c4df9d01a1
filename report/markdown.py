"""The audit report (服务认证审查报告) as Markdown, section for section like the seed.

The report is rendered from the audit, never edited: the same audit gives the
same bytes, and a footer names the audit's content hash so a printed report
can be traced to the revision it came from.  An unfinished audit still
renders, under a draft banner listing what is missing.  Output is CommonMark
with GitHub tables; all user and catalog text goes through `escape`.

Why this module is long: it is one document, the seed report's sections in
their order (basic information, the three parts, special items, conclusion,
status and provenance lines); splitting it by section would scatter one
page's layout over several files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import auditdesk
from auditdesk.audit.document import AUDIT_TYPES, HALVES, METHODS, RECOMMENDATIONS, ROLES, STAGES, Answer, Audit, Planning, to_toml
from auditdesk.audit.stages import PAST_YEAR, REMOTE_QUESTIONS, RISKS, star_differs
from auditdesk.criteria.catalog import Catalog, Part
from auditdesk.criteria.results import SPECIAL_KINDS, ItemResult
from auditdesk.criteria.scoring import ItemScore, PartScore, Scorecard, fmt_2, fmt_item, fmt_number, score_audit
from auditdesk.errors import InvalidInput
from auditdesk.report.blocks import (
    ADDED,
    BREAK,
    EMPTY,
    MISSING,
    box,
    choices,
    date,
    filled,
    is_blank,
    lines,
    paragraphs,
    table,
    text,
)
from auditdesk.report.draft import missing
from auditdesk.report.escape import inline
from auditdesk.report.radar import radar_svg

TITLE = "服务认证审查报告"
PURPOSE = "通过对受审查方涉及认证范围内的服务及管理现状，对照认证标准进行量化评价和判定，从而决定：能否推荐"
SITES = ("上述地址为单一场所组织", "多场所组织，包括上述地址的总部，以及下列固定分场所（包括名称与地址）：")
SAMPLING_NOTE = (
    "【包括：（1）抽样及样本信息说明（包括多场所涉及的本次抽样是否充分考虑服务场所的差异、场所的规模、服务活动的复杂程度、"
    "地域特点，列出样本信息及抽样原因）。（2）对服务体系有关的过程信息和数据进行复核确认情况。（3）面谈与观察等评价方法使用情况。"
    "（4）未按计划实施评价的说明及风险。】"
)
CONFORMS = (
    "通过审查评价，评价组确定受评价方的服务体系符合相关标准的要求，具备实现预期结果的能力，服务体系运行正常有效，"
    "本次评价达到预期评价目的，认证范围适宜，本次现场评价结论为："
)
FAILS = "通过审查评价，评价组确定受评价方的服务体系不满足标准的要求："
ITEM_COLUMNS = ("序号", "标题", "检查内容", "小类分值", "代码", "分项得分%", "分项实际得分")
UNSCORED = "未评分"


@dataclass(frozen=True)
class Rendered:
    """A report: its Markdown and the files it links to (radar SVGs), by file name."""

    markdown: str
    assets: dict[str, bytes]


def render(audit: Audit, catalog: Catalog, *, revision: str | None = None, version: str | None = None) -> Rendered:
    """The audit's report; `revision` is the audit's own last revision (the commit that gave its
    file this content; None: unsaved), `version` the auditdesk that renders (default: this one)."""
    if (audit.catalog.id, audit.catalog.version) != (catalog.id, catalog.version):
        raise InvalidInput.single(
            audit.project_no, "catalog", f"the audit is scored under {audit.catalog.id}@{audit.catalog.version}, not {catalog.label}"
        )
    card = score_audit(catalog, audit.items, audit.special)
    radars = {radar_name(audit, part, revision): radar_svg(part, f"{part.title}（{part.code}）").encode("utf-8")
              for part in card.parts}
    sections = [
        *_draft_banner(missing(audit, catalog)),
        *_header(audit, catalog),
        *_status(audit),
        *_basic_information(audit),
        *_results(audit, catalog, card, revision),
        *_conclusion(audit, card),
        *_footer(audit, catalog, revision, version or auditdesk.__version__, radars),
    ]
    return Rendered("\n\n".join(sections) + "\n", radars)


def radar_name(audit: Audit, part: PartScore, revision: str | None = None) -> str:
    """The chart's file name beside the report, named for the revision it shows so that a
    report never sits beside another revision's charts: 10234-2024-SD-1a2b3c4d5e6f-radar-A.svg
    (10234-2024-SD-radar-A.svg for an unsaved audit)."""
    short = re.sub(r"[^0-9A-Za-z]", "", revision or "")[:12]  # a commit id; anything else cannot shape the name
    return f"{audit.project_no}-{short}-radar-{part.code}.svg" if short else f"{audit.project_no}-radar-{part.code}.svg"


def chart_kind(part: PartScore) -> str:
    """A radar needs three axes; a part with fewer sections is drawn as bars (see `radar`)."""
    return "雷达图" if len(part.sections) >= 3 else "条形图"


def _draft_banner(lacking: list[str]) -> list[str]:
    if not lacking:
        return []
    items = "\n".join(f"> - {inline(entry)}" for entry in lacking)
    return [f"> **草稿**：本报告尚未完成，不能作为正式的审查报告。尚缺：\n>\n{items}"]


def _header(audit: Audit, catalog: Catalog) -> list[str]:
    body, p = audit.body, audit.planning
    return [
        text(body.name),
        f"# {TITLE}",
        f"{box(True)}{inline(catalog.scheme)} 依据 {inline(catalog.specification)}《{inline(catalog.specification_title)}》",
        f"组织名称：{text(p.organisation)}",
        f"项目编号：{text(audit.project_no)}",
        f"审查类型：{choices(AUDIT_TYPES.values(), AUDIT_TYPES[p.audit_type])}",
        lines(f"地址：{text(body.address)}", f"联系：{text(body.phone)}", f"邮编：{text(body.postcode)}"),
    ]


def _status(audit: Audit) -> list[str]:
    """What the page is: prepared by the team, under review, or approved (by whom, when);
    and what （补录） means when the report uses it."""
    moves = {move.to: move for move in audit.transitions}
    if audit.stage == "approved" and "approved" in moves:
        move = moves["approved"]
        status = f"报告状态：已批准（复核人：{text(move.by)}，批准时间：{_when(move.at)}）"
    elif audit.stage == "approved":
        status = "报告状态：已批准"
    elif audit.stage == "review":
        submitted = moves.get("review")
        status = "报告状态：复核中" + (f"（{text(submitted.by)}于{_when(submitted.at)}提交复核）" if submitted else "")
    else:
        status = f"报告状态：编制中（{STAGES[audit.stage]}阶段），未经复核"
    out = [status]
    if audit.transcription.marks_added or any(r.reason_added for r in audit.items.values()):
        out.append(f"注：标有“{ADDED}”的内容为原审查报告未记载、录入时补录的信息。")
    return out


def _when(at: dt.datetime) -> str:
    return f"{date(at.date())} {at:%H:%M}"


def _basic_information(audit: Audit) -> list[str]:
    p = audit.planning
    added = set(audit.transcription.marks_added)
    contact = p.contact
    criteria = [inline(c) for c in p.criteria if not is_blank(c)]
    return [
        "## 1. 基本信息",
        "### 1.1 受审查方名称",
        text(p.organisation),
        "### 1.2 项目编号",
        text(audit.project_no),
        "### 1.3 工商注册地址",
        text(p.registered_address),
        "### 1.4 审查地址",
        text(p.audit_address),
        "### 1.5 场所说明",
        choices(SITES, SITES[p.multi_site], sep=BREAK, added="1.5" in added),
        *_subsites(p),
        "### 1.6 受审查组织联系方式",
        lines(
            f"联系人：{text(contact.name)}",
            f"职务：{text(contact.title, EMPTY)}",
            f"电话：{text(contact.phone)}",
            f"邮箱：{text(contact.email, EMPTY)}",
        ),
        "### 1.7 审查目的",
        f"{PURPOSE} {choices((t + '注册' for t in AUDIT_TYPES.values()), AUDIT_TYPES[p.audit_type] + '注册', added='1.7' in added)}",
        "### 1.8 审查准则",
        "\n".join(f"{n}) {c}" for n, c in enumerate(criteria, start=1)) or MISSING,
        "### 1.9 审查范围",
        f"{text(p.scope)}（{text(p.star_applied)}）",
        "### 1.10 审查方式",
        choices(METHODS.values(), METHODS[p.method], added="1.10" in added),
        "### 1.11 暗访评价方式（必要时）",
        _mystery_shopping(p, "1.11" in added),
        "### 1.12 审查覆盖的时期和本次审查时间",
        lines(f"审查覆盖的时期：自{text(p.period_start)}至{date(p.audit_to)}（审查结束日）止", f"本次审查时间：{_audit_time(p)}"),
        "### 1.13 审查组成员",
        _team(p),
        "### 1.14 现场评价前一年内的情况",
        table(("事项", "情况"), [(q, _answer(getattr(p.past_year, name), "1.14" in added)) for name, (_, q) in PAST_YEAR.items()]),
        "### 1.15 审查风险",
        f"{RISKS[1]}：{inline(_answer(p.risks, '1.15' in added))}",
        "### 1.16 远程审核时适用",
        _remote(p),
        "### 评价抽样方法说明",
        SAMPLING_NOTE,
        paragraphs(audit.onsite.sampling),
    ]


def _subsites(p: Planning) -> list[str]:
    if not p.multi_site:
        return []
    if not p.subsites:
        return [MISSING]
    return [table(("序号", "名称", "地址"), [(str(n), filled(site.name), filled(site.address)) for n, site in enumerate(p.subsites, start=1)])]


def _mystery_shopping(p: Planning, added: bool) -> str:
    ms = p.mystery_shopping
    if ms.needed is None:
        return MISSING

    def period(start: dt.date | None, end: dt.date | None, label: str) -> str:
        if start is None and end is None:
            return f"{box(False)}{label}：{EMPTY}"
        return f"{box(bool(ms.needed))}{label}：{date(start)}至{date(end)}"

    return lines(
        period(ms.onsite_from, ms.onsite_to, "现场"),
        period(ms.offsite_from, ms.offsite_to, "非现场"),
        f"{box(not ms.needed)}不需要" + (ADDED if added and not ms.needed else ""),
    )


def _audit_time(p: Planning) -> str:
    """2024年04月10日上午至2024年04月11日上午（共1.5天）."""
    if p.audit_from is None or p.audit_to is None or p.audit_days is None:
        return MISSING
    start = date(p.audit_from) + HALVES[p.audit_from_half]
    end = date(p.audit_to) + HALVES[p.audit_to_half]
    return f"{start}至{end}（共{fmt_number(p.audit_days)}天）"


def _team(p: Planning) -> str:
    if not p.team:
        return MISSING
    return table(
        ("代码", "姓名", "组内身份", "注册证书号", "专业代码", "联系电话"),
        [
            (filled(m.code), filled(m.name), ROLES[m.role], filled(m.certificate), filled(m.professional_code, EMPTY), filled(m.phone, EMPTY))
            for m in p.team
        ],
    )


def _yes_no(value: bool | None, options: tuple[str, str], yes: str, added: bool = False, unanswered: str = "（未回答）") -> str:
    """Both boxes in the form's order with the answer marked; unanswered says so."""
    if value is None:
        return choices(options, None) + unanswered
    return choices(options, yes if value else next(o for o in options if o != yes), added=added)


def _answer(answer: Answer, added: bool = False) -> str:
    """1.14/1.15 as plain text: ■无 □有, or □无 ■有，说明：…"""
    marked = _yes_no(answer.yes, ("无", "有"), yes="有", added=added)
    return f"{marked}，说明：{filled(answer.explanation)}" if answer.yes else marked


#: What 1.16's questions 3) and 5) ask to explain, as the seed's form prints it.
REMOTE_NOTES = {"obstacles_note": "；如果填“是”请说明：", "onsite_needed_note": "，如需补充请说明关注的内容："}


def _remote(p: Planning) -> str:
    """1.16 as the seed's form prints it, for an on-site audit too (left blank there)."""
    remote = p.method != "onsite"
    r = p.remote
    blank = MISSING if remote else EMPTY
    facts = (f"地点：{text(r.location, blank)}", f"范围：{text(r.scope, blank)}", f"使用的ICT工具：{text(r.ict_tools, blank)}")
    out = [lines("1) 实施远程审核概况", *(f"   {fact}" for fact in facts))]
    for n, (name, _, question, note) in enumerate(REMOTE_QUESTIONS, start=2):
        value = getattr(r, name) if remote else None
        line = f"{n}) {_yes_no(value, ('是', '否'), yes='是', unanswered='（未回答）' if remote else '')} {question}"
        if note:
            explained = getattr(r, note) if remote and value else ""
            line += REMOTE_NOTES[note] + text(explained, MISSING if remote and value else EMPTY)
        elif n < len(REMOTE_QUESTIONS) + 1:
            line += "；"
        out.append(line)
    return "\n".join(out)


def _results(audit: Audit, catalog: Catalog, card: Scorecard, revision: str | None) -> list[str]:
    out = [
        "## 2. 服务认证审查结果",
        "### (1) 现场审查总体得分情况",
        table(
            ("总分", "满分", "涉及项分值", "特别项", "得分率", "计算星级"),
            [
                (
                    fmt_2(card.total),
                    fmt_number(card.max),
                    fmt_number(card.applicable),
                    _signed(card.special),
                    _rate(card.rate),
                    card.star or EMPTY,
                )
            ],
            right=range(5),
        ),
        "### (2) 统计分析",
        "各部分得分情况：",
    ]
    for n, (part, score) in enumerate(zip(catalog.parts, card.parts, strict=True), start=1):
        out += [
            f"#### {n}) {inline(part.title)}",
            f"本部分满分{fmt_number(part.points)}分，实际得分{fmt_2(score.score)}分。各分项得分见下表：",
            table(ITEM_COLUMNS, _item_rows(audit, part, card), right=(3, 5, 6)),
            f"本部分合计：涉及项分值{fmt_number(score.applicable)}分，实际得分{fmt_2(score.score)}分，得分率{_rate(score.rate)}。",
        ]
    n = len(catalog.parts)
    out += _special(audit, n + 1)
    out += _not_applicable(audit, catalog, n + 2)
    out += _nonconformities(audit, n + 3)
    out += _notes(audit, catalog, n + 4)
    out.append("### 各单项雷达图")
    out += [f"![{inline(f'{p.title}（{p.code}）{chart_kind(p)}')}]({quote(radar_name(audit, p, revision), safe='')})"
            for p in card.parts]
    return out


def _item_rows(audit: Audit, part: Part, card: Scorecard) -> list[tuple[str, ...]]:
    """One row per item; the section's clause and title only on its first row, as in the seed."""
    rows: list[tuple[str, ...]] = []
    for section in part.sections:
        for n, item in enumerate(section.items):
            first = n == 0
            score = card.items[item.code]
            rows.append(
                (
                    section.clause if first else "",
                    f"{section.title}（{fmt_number(section.points)}分）" if first else "",
                    f"{item.clause} {item.text}",
                    fmt_number(item.weight),
                    item.code,
                    _pct(score, audit.items.get(item.code)),
                    "0" if score.na else (fmt_item(score.score) if score.is_scored else EMPTY),
                )
            )
    return rows


def _pct(score: ItemScore, result: ItemResult | None) -> str:
    """"/" for not applicable, the sample count beside a sampled percentage."""
    if score.na:
        return "/"
    if score.pct is None:
        return UNSCORED
    pct = fmt_number(score.pct)
    if result is not None and result.samples is not None:
        return f"{pct}（抽样{result.samples}，不符合{result.nonconforming}）"
    return pct


def _special(audit: Audit, n: int) -> list[str]:
    special = audit.onsite.special
    heading = f"#### {n}) 特别项"
    if not special.deductions and special.bonus is None:
        return [heading, "无特别扣分项，也没有特别加分项。"]
    rows = [(f"特别扣分项（{SPECIAL_KINDS[d.kind]}）", filled(d.description), "扣1分") for d in special.deductions]
    if special.bonus is not None:
        rows.append(("特别加分项", filled(special.bonus.description), "加1分"))
    return [heading, table(("类别", "说明", "分值"), rows)]


def _not_applicable(audit: Audit, catalog: Catalog, n: int) -> list[str]:
    rows = [
        (code, item.clause, fmt_number(item.weight), filled(result.reason) + ("（补录）" if result.reason_added else ""))
        for code, item in catalog.items.items()
        if (result := audit.items.get(code)) is not None and result.na
    ]
    body = table(("代码", "条款", "小类分值", "不适用理由"), rows, right=(2,)) if rows else "无不适用项。"
    return [f"#### {n}) 不适用项（删减）", body]


def _nonconformities(audit: Audit, n: int) -> list[str]:
    deductions = audit.onsite.special.deductions
    rows = [
        (
            str(i),
            SPECIAL_KINDS[d.kind],
            filled(d.description),
            filled(d.nonconformity),
            filled(d.corrective_action),
            filled(d.owner, EMPTY),
            date(d.due, EMPTY),
        )
        for i, d in enumerate(deductions, start=1)
    ]
    columns = ("序号", "类别", "事实描述", "不符合项", "纠正措施", "责任人", "完成期限")
    return [f"#### {n}) 不符合项", table(columns, rows) if rows else "无不符合项。"]


def _notes(audit: Audit, catalog: Catalog, n: int) -> list[str]:
    """Evidence notes, only when the team wrote some (the seed has none)."""
    rows = [(code, item.clause, r.note) for code, item in catalog.items.items() if (r := audit.items.get(code)) and not is_blank(r.note)]
    return [f"#### {n}) 评分说明", table(("代码", "条款", "评分说明"), rows)] if rows else []


def _conclusion(audit: Audit, card: Scorecard) -> list[str]:
    c = audit.conclusion
    r = c.recommendation
    chosen = None
    if r.recommend is not None and r.kind is not None:
        chosen = ("推荐" if r.recommend else "不推荐") + RECOMMENDATIONS[r.kind]
    star = f"（{text(c.recommended_star)}）"
    if star_differs(c.recommended_star, card.star):
        star += f"{BREAK}推荐星级与计算星级（{inline(card.star or '')}）不同，理由：{text(c.star_justification)}"
    return [
        "## 3. 受评价方服务体系概述及本次评价概述【适用时，应对多场所（多名称）组织的管理模式进行说明】",
        paragraphs(c.overview),
        "## 4. 改进建议",
        paragraphs(c.suggestions),
        "## 5. 评价结论",
        "根据评价情况，评价组得出评价结论如下：",
        CONFORMS,
        choices(("推荐" + k for k in RECOMMENDATIONS.values()), chosen, added="5" in audit.transcription.marks_added) + "。",
        FAILS,
        choices(("不推荐" + k for k in RECOMMENDATIONS.values()), chosen, added="5" in audit.transcription.marks_added) + "。",
        "评价组推荐的认证范围和星级【适用于初次审核、再认证评价、监督变更范围评价】",
        text(c.recommended_scope) + star,
        lines(f"报告编制人：{text(c.author)}", f"编制日期：{date(c.date)}"),
    ]


def _footer(audit: Audit, catalog: Catalog, revision: str | None, version: str, charts: dict[str, bytes]) -> list[str]:
    """Provenance: which audit, which saved revision, which exact content, which auditdesk,
    and the charts beside it (their SHA-256, so they can be checked as the report is)."""
    digest = hashlib.sha256(to_toml(audit)).hexdigest()
    shown = " · ".join(f"{inline(name)} sha256:{hashlib.sha256(data).hexdigest()}" for name, data in charts.items())
    return [
        "---",
        lines(f"报告来源：{text(audit.project_no)} · 修订 {text(revision or '', '未保存')} · 准则 {inline(catalog.label)} · "
              f"内容 sha256:{digest} · auditdesk {inline(version)}", f"图表：{shown}"),
    ]


def _signed(value: Decimal) -> str:
    return "0" if value == 0 else f"{value:+f}"


def _rate(rate: Decimal | None) -> str:
    return EMPTY if rate is None else f"{fmt_2(rate)}%"
