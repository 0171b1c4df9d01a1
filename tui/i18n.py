"""UI strings in English and Chinese, looked up by message id.

Auditors work in Chinese; reviewers and developers often read English.  The
language is chosen once per app (setting, else `$LANG`); binding
descriptions are message ids too, translated when the footer, the help
screen and the command palette show them.  Domain vocabulary (stages, audit
types, roles) comes from `audit.document` in Chinese; English labels for it
live here.

Why this module is long: it is one table, every message in both languages,
kept whole so a translator reads it top to bottom.
"""

from __future__ import annotations

import os

from auditdesk.safetext import visible

LANGUAGES = ("en", "zh")

# message id: (English, Chinese).  Keep the Chinese free of East-Asian
# ambiguous-width glyphs (no ○ √ × — … ※ ①): they misalign in PuTTY/Xshell.
MESSAGES: dict[str, tuple[str, str]] = {
    # navigation and global keys
    "key.help": ("Help", "帮助"),
    "key.planning": ("Plan", "策划"),
    "key.scoring": ("Score", "评分"),
    "key.conclusion": ("Conclude", "结论"),
    "key.report": ("Report", "报告"),
    "key.review": ("Review", "复核"),
    "key.audits": ("Audits", "项目"),
    "key.save": ("Save", "保存"),
    "key.quit": ("Quit", "退出"),
    "key.advance": ("Next stage", "下一阶段"),
    "key.blockers": ("What blocks the next stage", "下一阶段的待完成项"),
    "palette": ("Commands", "命令"),  # Textual's own binding description
    "palette.placeholder": ("Search for commands", "搜索命令"),
    "screen.browser": ("Audits", "审查项目"),
    # save indicator
    "save.saved": ("saved {commit}", "已保存 {commit}"),
    "save.pending": ("not saved yet", "尚未保存"),
    "save.conflict": ("NOT SAVED: conflict", "未保存: 冲突"),
    "save.failed": ("NOT SAVED", "未保存"),
    "save.opened": ("opened {commit}", "已打开 {commit}"),
    "save.moved": ("now {stage}, saved {commit}", "已进入{stage}, 已保存 {commit}"),
    "save.reloaded": ("reloaded a newer revision {commit}", "已载入较新版本 {commit}"),
    "save.approved": ("approved, tag {tag}", "已批准, 标签 {tag}"),
    # stages
    "stage.short.planning": ("plan", "策划"),
    "stage.short.onsite": ("on-site", "现场"),
    "stage.short.conclusion": ("concl.", "结论"),
    "stage.short.review": ("review", "复核"),
    "stage.short.approved": ("approved", "批准"),
    "progress.todo": ("{key}: {n} to do before {stage}", "{key}: 进入{stage}前还有 {n} 项"),
    "progress.ready": ("{key}: move to {stage}", "{key}: 进入{stage}"),
    "progress.submit": ("{key}: submit for review", "{key}: 提交复核"),
    "progress.review": ("with the reviewer", "复核中"),
    "progress.approved": ("approved: read-only", "已批准: 只读"),
    "blockers.title": ("{n} thing(s) to do before {stage}", "进入{stage}前还需完成 {n} 项"),
    "blockers.text": ("Enter goes to the field; Esc closes.", "回车转到该字段; Esc 关闭。"),
    "blockers.none": ("Nothing blocks {stage}: {key} moves the audit on.", "可以进入{stage}: 按 {key}。"),
    "submit.title": ("Submit {project_no} for review?", "提交 {project_no} 复核?"),
    "submit.text": ("The team cannot change it while it is under review: the reviewer approves it or returns it with reasons.",
                    "复核期间审查组不能修改: 复核人批准, 或说明理由退回。"),
    "submit.yes": ("Submit for review", "提交复核"),
    "submit.no": ("Not yet", "暂不提交"),
    "move.invalid": ("fix the fields holding invalid input first: {fields}", "请先修正输入无效的字段: {fields}"),
    "move.conflict": ("{author} changed the audit meanwhile; it is not moved: look at it again ({key}) and retry",
                      "{author} 同时修改了此项目, 未转换阶段: 请重新查看 ({key}) 后再试"),
    "move.outdated": ("the audit changed since you looked: the new revision is shown; look at it before approving",
                      "项目在您查看后被修改: 已显示新版本; 请查看后再批准"),
    # browser
    "browser.count": ("{shown} of {total} audits", "共 {total} 个项目, 显示 {shown} 个"),
    "browser.empty": ("No audits yet: press n to create one.", "还没有审查项目: 按 n 新建。"),
    "browser.filter": ("filter: type to search", "筛选: 直接输入"),
    "browser.user": ("user {user}", "用户 {user}"),
    "browser.loading": ("loading...", "正在读取..."),
    "col.project": ("Project", "项目编号"),
    "col.type": ("Type", "类型"),
    "col.stage": ("Stage", "阶段"),
    "col.total": ("Total", "总分"),
    "col.star": ("Star", "星级"),
    "col.organisation": ("Organisation", "组织名称"),
    "key.open": ("Open", "打开"),
    "key.new": ("New", "新建"),
    "key.sort": ("Sort", "排序"),
    "key.filter": ("Filter", "筛选"),
    "sort.project": ("sorted by project", "按项目编号排序"),
    "sort.organisation": ("sorted by organisation", "按组织名称排序"),
    "sort.stage": ("sorted by stage", "按阶段排序"),
    "sort.total": ("sorted by total", "按总分排序"),
    "new.title": ("New audit", "新建审查项目"),
    "new.project_no": ("Project number", "项目编号"),
    "new.organisation": ("Organisation", "组织名称"),
    "new.type": ("Audit type", "审查类型"),
    "new.catalog": ("Catalog", "评价准则"),
    "new.exists": ("an audit {project_no} already exists", "项目 {project_no} 已存在"),
    "new.org_missing": ("the organisation is missing", "请填写组织名称"),
    "open.failed": ("cannot open {project_no}: {error}", "无法打开 {project_no}: {error}"),
    # scoring
    "col.code": ("Code", "代码"),
    "col.clause": ("Clause", "条款"),
    "col.weight": ("Wt", "分值"),
    "col.pct": ("%", "%"),
    "col.score": ("Score", "得分"),
    "col.flags": ("", ""),
    "col.requirement": ("Requirement", "检查内容"),
    "na": ("N/A", "删减"),
    "summary.special": ("special {points}", "特别项 {points}"),
    "summary.total": ("Total {total} / {max}", "总分 {total} / {max}"),
    "summary.applicable": ("applicable {points}", "涉及项分值 {points}"),
    "summary.rate": ("rate {rate}%", "得分率 {rate}%"),
    "summary.star": ("star {star}", "星级 {star}"),
    "summary.unscored": ("unscored {n}", "未评分 {n} 项"),
    "summary.complete": ("all scored", "全部已评分"),
    "detail.weight": ("weight {weight}", "分值 {weight}"),
    "detail.score": ("{pct}% = {score}", "{pct}% = {score}"),
    "detail.na": ("not applicable: {reason}", "删减: {reason}"),
    "detail.unscored": ("not scored yet: type a percentage and Enter", "尚未评分: 输入百分比后按回车"),
    "detail.samples": ("samples {n}, nonconforming {k}", "抽样 {n} 个, 不符合 {k} 个"),
    "detail.note": ("Evidence: {note}", "证据: {note}"),
    "detail.no_note": ("Evidence: (none, press e)", "证据: (无, 按 e 填写)"),
    "entry.prompt": ("{code} % > {text}", "{code} % > {text}"),
    "entry.hint": ("type 0-100 and Enter; Esc clears", "输入 0-100 后回车; Esc 清除"),
    "error.pct": ("{text} is not a percentage: give 0 to 100, at most two decimals", "{text} 不是有效的百分比: 请输入 0 到 100, 最多两位小数"),
    "error.reason": ("give the reason the item does not apply", "请填写删减理由"),
    "error.integer": ("{text!r} is not a whole number", "{text!r} 不是整数"),
    "error.samples": ("samples must be at least 1", "抽样数至少为 1"),
    "error.nonconforming": ("nonconforming must be between 0 and {n}", "不符合数应在 0 到 {n} 之间"),
    "error.date": ("{text!r} is not a date: write YYYY-MM-DD", "{text!r} 不是日期: 格式为 YYYY-MM-DD"),
    "error.required": ("required", "必填"),
    "key.na": ("N/A", "删减"),
    "key.samples": ("Samples", "抽样"),
    "key.note": ("Evidence", "证据"),
    "key.next_unscored": ("Unscored", "未评分"),
    "key.goto": ("Go to", "转到"),
    "key.clear": ("Clear", "清除"),
    "key.special": ("Special", "特别项"),
    "key.sampling": ("Sampling statement", "抽样说明"),
    "all_scored": ("every item is scored", "所有项目均已评分"),
    "goto.title": ("Go to item", "转到项目"),
    "goto.code": ("Item code (such as B17)", "项目代码 (如 B17)"),
    "goto.unknown": ("no item {code} in this catalog", "评价准则中没有 {code}"),
    "na.title": ("{code}: not applicable", "{code}: 删减"),
    "na.reason": ("Reason (why the item does not apply)", "删减理由"),
    "samples.title": ("{code}: score from samples", "{code}: 按抽样评分"),
    "samples.n": ("Samples checked (n)", "抽样数 (n)"),
    "samples.k": ("Nonconforming (k)", "不符合数 (k)"),
    "note.title": ("{code}: evidence note", "{code}: 证据记录"),
    "note.label": ("What was seen, asked, sampled", "观察、询问、抽样的证据"),
    "sampling.title": ("Sampling statement", "评价抽样方法说明"),
    "sampling.label": ("Samples and why; checks of process data; interviews; deviations from plan",
                       "抽样及样本信息; 过程信息和数据复核; 面谈与观察; 未按计划实施的说明"),
    # special items
    "special.title": ("Special items", "特别项"),
    "special.none": ("No special deduction and no special bonus.", "无特别扣分项, 也没有特别加分项。"),
    "special.deduction": ("-1  {kind}: {description}", "-1  {kind}: {description}"),
    "special.bonus": ("+1  bonus: {description}", "+1  特别加分: {description}"),
    "special.add": ("Add deduction", "添加扣分项"),
    "special.edit": ("Edit", "编辑"),
    "special.delete": ("Delete", "删除"),
    "special.set_bonus": ("Bonus", "加分项"),
    "special.kind": ("Kind", "类别"),
    "special.description": ("Description", "描述"),
    "special.nonconformity": ("Nonconformity", "不符合项"),
    "special.corrective": ("Corrective action", "纠正措施"),
    "special.owner": ("Owner", "负责人"),
    "special.due": ("Due (YYYY-MM-DD)", "完成期限 (YYYY-MM-DD)"),
    "special.bonus_title": ("Special bonus (empty removes it)", "特别加分项 (留空即删除)"),
    "special.deduction_title": ("Special deduction", "特别扣分项"),
    # dialogs
    "choice.next": ("Next choice", "下一选项"),
    "choice.previous": ("Previous choice", "上一选项"),
    "dialog.ok": ("OK", "确定"),
    "dialog.cancel": ("Cancel", "取消"),
    "dialog.keys": ("Ctrl+S or Enter confirms, Esc cancels", "Ctrl+S 或回车确认, Esc 取消"),
    "dialog.discard": ("Changed: Ctrl+S keeps it, Esc again discards it", "已修改: Ctrl+S 保留, 再按 Esc 放弃"),
    "dialog.keys_multiline": ("Ctrl+S confirms, Esc cancels", "Ctrl+S 确认, Esc 取消"),
    "conflict.title": ("Someone else changed this audit", "其他人已修改此项目"),
    "conflict.who": ("{author} saved it on {date} (commit {commit}).", "{author} 于 {date} 保存了它 (提交 {commit})。"),
    "conflict.unknown": ("It was changed after you opened it.", "它在您打开后被修改了。"),
    "conflict.kept": ("Your edit is not lost: it is still here, and a copy is kept at {ref}.",
                      "您的修改没有丢失: 仍在此处, 另有副本保存在 {ref}。"),
    "conflict.merge": ("Reload theirs and re-apply my changes", "载入对方版本并重新应用我的修改"),
    "conflict.mine": ("Keep mine: overwrite theirs", "保留我的版本: 覆盖对方的修改"),
    "conflict.later": ("Decide later (stay unsaved)", "稍后决定 (暂不保存)"),
    "save.error": ("Not saved: {error}", "未保存: {error}"),
    "quit.title": ("Unsaved changes", "有未保存的修改"),
    "quit.text": ("Your changes could not be saved: {reason}", "您的修改无法保存: {reason}"),
    "quit.invalid": ("These fields hold input that is not valid and not saved: {fields}",
                     "以下字段的输入无效, 未保存: {fields}"),
    "quit.stay": ("Stay and fix it", "留下来修改"),
    "quit.discard": ("Quit and lose the unsaved changes", "退出并放弃未保存的修改"),
    # forms
    "form.hint": ("Tab moves between fields; changes save when you leave a field.",
                  "Tab 切换字段; 离开字段时自动保存。"),
    "form.yes": ("yes", "是"),
    "form.no": ("no", "否"),
    "form.unanswered": ("not answered", "未回答"),
    "form.undecided": ("not decided", "未决定"),
    "form.needed": ("needed", "需要"),
    "form.not_needed": ("not needed", "不需要"),
    "form.explanation": ("explanation", "说明"),
    "form.days": ("{days} days", "共 {days} 天"),
    "form.read_only": ("(file name, cannot change)", "(文件名, 不可修改)"),
    "table.add": ("Add", "添加"),
    "table.edit": ("Edit", "编辑"),
    "table.delete": ("Delete", "删除"),
    "table.empty": ("(none: press a to add)", "(无: 按 a 添加)"),
    # planning labels
    "p.organisation": ("1.1 Organisation", "1.1 受审查方名称"),
    "p.project_no": ("1.2 Project number", "1.2 项目编号"),
    "p.audit_type": ("Audit type", "审查类型"),
    "p.registered_address": ("1.3 Registered address", "1.3 工商注册地址"),
    "p.audit_address": ("1.4 Audit address", "1.4 审查地址"),
    "p.multi_site": ("1.5 Sites", "1.5 场所说明"),
    "p.single": ("single site", "单一场所"),
    "p.multi": ("multi-site", "多场所"),
    "p.subsites": ("Sub-sites", "固定分场所"),
    "subsites.name": ("Name", "名称"),
    "subsites.address": ("Address", "地址"),
    "p.contact_name": ("1.6 Contact", "1.6 联系人"),
    "p.contact_title": ("Title", "职务"),
    "p.contact_phone": ("Phone", "电话"),
    "p.contact_email": ("Email", "邮箱"),
    "p.purpose_label": ("1.7 Purpose", "1.7 审查目的"),
    "p.purpose": ("decide whether to recommend {kind} registration", "决定能否推荐{kind}注册"),
    "p.days": ("Days on site", "审查天数"),
    "p.criteria": ("1.8 Criteria (one a line)", "1.8 审查准则 (每行一条)"),
    "p.scope": ("1.9 Scope", "1.9 审查范围"),
    "p.star_applied": ("Star level applied for", "申请星级"),
    "p.method": ("1.10 Method", "1.10 审查方式"),
    "p.mystery": ("1.11 Mystery shopping", "1.11 暗访评价"),
    "p.ms_onsite_from": ("On-site from", "现场 自"),
    "p.ms_onsite_to": ("On-site to", "现场 至"),
    "p.ms_offsite_from": ("Off-site from", "非现场 自"),
    "p.ms_offsite_to": ("Off-site to", "非现场 至"),
    "p.period_start": ("1.12 Period covered from", "1.12 审查覆盖时期 自"),
    "p.audit_from": ("Audit from", "审查时间 自"),
    "p.audit_from_half": ("Starting", "开始于"),
    "p.audit_to": ("Audit to", "审查时间 至"),
    "p.audit_to_half": ("Ending", "结束于"),
    "p.team": ("1.13 Team", "1.13 审查组成员"),
    "team.code": ("Code", "代码"),
    "team.name": ("Name", "姓名"),
    "team.role": ("Role", "组内身份"),
    "team.certificate": ("Certificate", "注册证书号"),
    "team.professional_code": ("Prof. code", "专业代码"),
    "team.phone": ("Phone", "联系电话"),
    "p.past_year": ("1.14 In the year before the audit", "1.14 现场评价前一年内"),
    "p.accident": ("Major service-quality accident", "重大服务质量事故"),
    "p.complaints": ("Complaints from interested parties", "相关方投诉"),
    "p.spot_check": ("Problems in government spot checks", "政府监督抽查中存在的问题"),
    "p.enforcement": ("Problems in government enforcement", "政府执法检查中存在的问题"),
    "p.risks": ("1.15 Risks and obstacles", "1.15 审查风险及障碍"),
    "p.remote": ("1.16 Remote audit", "1.16 远程审核"),
    "p.remote_location": ("Location", "地点"),
    "p.remote_scope": ("Scope", "范围"),
    "p.ict_tools": ("ICT tools", "使用的ICT工具"),
    "p.security_agreement": ("Information-security agreement", "达成信息安全协议"),
    "p.obstacles": ("Obstacles that reduce reliability", "遇到降低可靠性的障碍"),
    "p.ict_effective": ("ICT was effective", "ICT 使用有效"),
    "p.onsite_needed": ("On-site follow-up needed", "需要补充现场审核"),
    "p.body": ("Certification body (report header)", "认证机构 (报告抬头)"),
    "p.basic": ("1 Basic information", "1 基本信息"),
    "p.body_name": ("Name", "名称"),
    "p.body_address": ("Address", "地址"),
    "p.body_phone": ("Phone", "电话"),
    "p.body_postcode": ("Postcode", "邮编"),
    # conclusion labels
    "c.overview": ("3 Overview", "3 受评价方服务体系概述及本次评价概述"),
    "c.suggestions": ("4 Improvement suggestions", "4 改进建议"),
    "c.recommendation": ("5 Conclusion", "5 评价结论"),
    "c.recommend": ("recommend {kind}", "推荐{kind}"),
    "c.not_recommend": ("do not recommend {kind}", "不推荐{kind}"),
    "c.scope": ("Recommended scope", "推荐的认证范围"),
    "c.star": ("Recommended star level", "推荐星级"),
    "c.computed_label": ("Computed star level", "计算星级"),
    "c.computed": ("computed from the scores: {star} (rate {rate}%)", "按评分计算: {star} (得分率 {rate}%)"),
    "c.star_differs": ("differs from the computed {star}: write a justification", "与计算星级 {star} 不同: 请填写理由"),
    "c.justification": ("Justification", "理由"),
    "c.author": ("Report author", "报告编制人"),
    "c.date": ("Date (YYYY-MM-DD)", "编制日期 (YYYY-MM-DD)"),
    # report preview
    "key.write": ("Write file", "写入文件"),
    "report.write_title": ("Write the report", "写入报告"),
    "report.path": ("File", "文件"),
    "report.format": ("Format", "格式"),
    "report.written": ("report written to {path}", "报告已写入 {path}"),
    "report.unavailable": ("The report renderer is not available: {error}", "报告生成器不可用: {error}"),
    # review
    "col.revision": ("Revision", "版本"),
    "col.date": ("Date", "日期"),
    "col.author": ("Author", "作者"),
    "key.mark": ("Compare from here", "设为比较起点"),
    "review.against_parent": ("{new} against the revision before it", "{new} 与其前一版本比较"),
    "review.against_mark": ("{new} against {old}", "{new} 与 {old} 比较"),
    "review.first": ("{new} created the audit", "{new} 创建了此项目"),
    "review.no_changes": ("no changes", "没有修改"),
    "key.review_filter": ("Scores / evidence / everything", "分数 / 证据 / 全部"),
    "key.diff_down": ("Page down the changes", "修改内容下翻"),
    "key.diff_up": ("Page up the changes", "修改内容上翻"),
    "review.filter.everything": ("every change", "全部修改"),
    "review.filter.scores": ("scores only", "仅分数"),
    "review.filter.evidence": ("scores and evidence", "分数和证据"),
    "review.showing": ("[{what}; {key} filters]", "[{what}; {key} 筛选]"),
    "review.hidden": ("{n} more hidden", "另有 {n} 项未显示"),
    "review.nothing_here": ("(none of this kind)", "(没有此类修改)"),
    "review.since_seen": ("{new} against {old}, the revision you last looked at", "{new} 与您上次查看的 {old} 比较"),
    "review.since_return": ("{new} against {old}, as returned to the team", "{new} 与退回审查组时的 {old} 比较"),
    "review.since_submission": ("{new} against {old}, as submitted for review", "{new} 与提交复核时的 {old} 比较"),
    "review.not_approved": ("Not approved.", "未批准。"),
    "review.approval_valid": ("Approved by {by} on {at} ({tag}): valid.", "{by} 于 {at} 批准 ({tag}): 有效。"),
    "review.approval_void": ("Approval by {by} on {at} ({tag}) is VOID: changed since: {changed}",
                             "{by} 于 {at} 的批准 ({tag}) 已失效: 之后修改了 {changed}"),
    "review.approval_invalid": ("Approval by {by} on {at} ({tag}) does NOT hold: {why}", "{by} 于 {at} 的批准 ({tag}) 不成立: {why}"),
    "review.signatures": ("Tag {tag}; commit {commit}.", "标签: {tag}；提交: {commit}。"),
    "review.signature": ("Signature: {text}", "签名: {text}"),
    "review.history": ("{count} change(s) not made through the workflow, first: {first}", "{count} 处修改未经流程，第一处: {first}"),
    "review.last_move": ("Last move: to {stage} by {by} on {at}", "最近: {by} 于 {at} 转入{stage}"),
    "review.reason": ("Reason: {reason}", "理由: {reason}"),
    "review.comments": ("Review comments: {comments}", "复核意见: {comments}"),
    "key.return": ("Return to the team", "退回"),
    "key.approve": ("Approve", "批准"),
    "key.reopen": ("Reopen", "重新打开"),
    "return.title": ("Return {project_no} to the team", "退回 {project_no}"),
    "return.stage": ("Back to stage", "退回到阶段"),
    "return.reason": ("Reason: what the team must fix", "退回理由: 需要修改的内容"),
    "approve.title": ("Approve {project_no}", "批准 {project_no}"),
    "approve.text": ("Approval freezes the audit at this revision and tags it; changing it later means reopening it with a reason.",
                     "批准后此版本冻结并打标签; 以后修改须说明理由重新打开。"),
    "approve.comments": ("Review comments (optional)", "复核意见 (可选)"),
    "reopen.title": ("Reopen {project_no}", "重新打开 {project_no}"),
    "reopen.text": ("The audit goes back to conclusion and its approval no longer holds.", "项目退回到结论阶段, 原批准失效。"),
    "reopen.reason": ("Reason (recorded in the audit)", "理由 (记录在项目中)"),
    # help
    "help.intro": ("Keys on this screen (F1 or Esc closes):", "本屏幕的按键 (F1 或 Esc 关闭):"),
    "help.palette": ("Ctrl+P lists every command valid here.", "Ctrl+P 列出此处可用的全部命令。"),
    "help.close": ("Close", "关闭"),
}


# English names of the domain vocabulary, by the codes the TOML stores; the
# Chinese names are audit.document's own labels, which the report prints.
ENGLISH_VOCABULARY: dict[str, dict[str, str]] = {
    "stage": {"planning": "planning", "onsite": "on-site", "conclusion": "conclusion", "review": "review",
              "approved": "approved"},
    "audit_type": {"initial": "initial", "surveillance": "surveillance", "recertification": "recertification"},
    "method": {"onsite": "on-site", "remote": "remote", "both": "on-site and remote"},
    "role": {"leader": "leader", "member": "member", "expert": "technical expert", "trainee": "trainee"},
    "half": {"am": "morning", "pm": "afternoon"},
    "special_kind": {"law": "breach of law", "own_rules": "breach of own service rules",
                     "industry": "breach of industry requirement", "system": "impairs the service system"},
    "recommendation": {"initial": "certification", "recertification": "re-certification",
                       "surveillance": "maintenance of certification", "restoration": "restoration of certification",
                       "scope_change": "a change of scope"},
}


AMBIGUOUS = str.maketrans({"\u2026": "...", "\u2192": "->", "\u25a0": "[x]", "\u25a1": "[ ]"})
"""Glyphs the domain's texts use that are two cells wide in some terminals (… → and
the report's check boxes)."""


def plain(text: str) -> str:
    """Domain text (messages, diffs, gaps) with ambiguous-width glyphs spelt in ASCII, and
    control and bidi characters shown as escapes: Textual writes ESC as is, so a commit
    message or a file name could set the window title, write the clipboard or clear the
    screen (issue 11)."""
    return visible(text.translate(AMBIGUOUS), lines=True)


def language_from(setting: str | None, environ: dict[str, str] | None = None) -> str:
    """The setting if given, else Chinese when $LC_ALL (or $LANG) starts with zh."""
    if setting:
        return setting
    env = os.environ if environ is None else environ
    locale = env.get("LC_ALL") or env.get("LANG") or ""
    return "zh" if locale.lower().startswith("zh") else "en"


class Translator:
    """Looks up message ids in one language; unknown ids pass through unchanged.

    Passing through keeps Textual's own binding descriptions readable.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._index = LANGUAGES.index(language)

    def __call__(self, msgid: str, **args: object) -> str:
        entry = MESSAGES.get(msgid)
        text = entry[self._index] if entry else msgid
        return text.format(**args) if args else text

    def vocabulary(self, kind: str) -> dict[str, str]:
        """Labels of one kind of coded value (stage, audit_type, role...), by code."""
        if self.language == "en":
            return ENGLISH_VOCABULARY[kind]
        from auditdesk.audit import document
        from auditdesk.criteria.results import SPECIAL_KINDS

        return {
            "stage": document.STAGES, "audit_type": document.AUDIT_TYPES, "method": document.METHODS,
            "role": document.ROLES, "half": document.HALVES, "special_kind": SPECIAL_KINDS,
            "recommendation": document.RECOMMENDATIONS,
        }[kind]
