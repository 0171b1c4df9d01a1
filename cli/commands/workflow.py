"""Moving an audit through its stages: status, advance, return, approve, reopen."""

from __future__ import annotations

import json

from auditdesk.cli import shapes
from auditdesk.cli.context import Context, now, out
from auditdesk.cli.formats import print_json


def cmd_status(ctx: Context) -> int:
    from auditdesk.desk.actions import status

    info = status(ctx.store, ctx.args.audit)
    if ctx.args.json:
        out(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    out(f"{info['project_no']}: stage {info['stage']}" + (f", next {info['next']}" if info["next"] else ""))
    if info["stage_problem"]:
        out(f"  ! {info['stage_problem']}")
    if info["blockers"] and not info["stage_problem"]:
        out(f"blocks the next stage ({len(info['blockers'])}):")
        for b in info["blockers"]:
            out(f"  - {b}")
    elif info["next"]:
        out("ready for the next stage")
    approval = info["approval"]
    if approval:
        if approval["valid"]:
            state = "valid"
        elif not approval["content"]:
            state = "VOID: the audit changed since (" + ", ".join(approval["changed"]) + ")"
        else:
            state = "NOT VALID: " + "; ".join(approval["problems"])
        who = approval["by"] + (f" ({approval['person']})" if approval["person"] else "")
        out(f"approved by {who} at {approval['at']} (tag {approval['tag']}): {state}")
        out(f"  tag {approval['signature']['text']}; commit {approval['commit_signature']['text']}")
    if info["history_problems"]:
        out(f"history: {len(info['history_problems'])} change(s) not made through auditdesk's workflow rules:")
        for problem in info["history_problems"]:
            out(f"  - {problem}")
    if not info["registry"]:
        out("people: this store has no registry (people.toml): who acts is taken as given, signatures are not checked")
    elif info["signatures"] != "none":
        out(f"signatures: required for {'every commit' if info['signatures'] == 'all' else 'workflow commits and approvals'}")
    for t in info["transitions"]:
        out(f"  {t['at']}  → {t['to']:<10} {t['by']}" + (f"  {t['reason']}" if t["reason"] else ""))
    return 0


def cmd_advance(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.advance(ctx.store, loaded, ctx.user, now())
    if ctx.args.json:
        print_json(shapes.saved(ctx.args.audit, result.commit, loaded.audit.stage))
        return 0
    out(f"{ctx.args.audit}: now {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0


def cmd_return(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.return_to(ctx.store, loaded, ctx.args.to, ctx.args.reason, ctx.user, now())
    if ctx.args.json:
        print_json(shapes.saved(ctx.args.audit, result.commit, loaded.audit.stage))
        return 0
    out(f"{ctx.args.audit}: returned to {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0


def cmd_approve(ctx: Context) -> int:
    from auditdesk.desk import actions

    tag = actions.approve(ctx.store, ctx.args.audit, ctx.user, now(), ctx.args.comment or "")
    if ctx.args.json:
        print_json(shapes.approval(ctx.args.audit, tag))
        return 0
    out(f"{ctx.args.audit}: approved; tag {tag.name} at revision {tag.commit[:7]}")
    return 0


def cmd_reopen(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.reopen(ctx.store, loaded, ctx.args.reason, ctx.user, now())
    if ctx.args.json:
        print_json(shapes.saved(ctx.args.audit, result.commit, loaded.audit.stage))
        return 0
    out(f"{ctx.args.audit}: reopened, now {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0
