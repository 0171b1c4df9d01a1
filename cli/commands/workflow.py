"""Moving an audit through its stages: status, advance, return, approve, reopen."""

from __future__ import annotations

import json

from auditdesk.cli.context import Context, now, out


def cmd_status(ctx: Context) -> int:
    from auditdesk.desk.actions import status

    info = status(ctx.store, ctx.args.audit)
    if ctx.args.json:
        out(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    out(f"{info['project_no']}: stage {info['stage']}" + (f", next {info['next']}" if info["next"] else ""))
    if info["blockers"]:
        out(f"blocks the next stage ({len(info['blockers'])}):")
        for b in info["blockers"]:
            out(f"  - {b}")
    elif info["next"]:
        out("ready for the next stage")
    approval = info["approval"]
    if approval:
        state = "valid" if approval["valid"] else "VOID: the audit changed since (" + ", ".join(approval["changed"]) + ")"
        out(f"approved by {approval['by']} at {approval['at']} (tag {approval['tag']}): {state}")
    for t in info["transitions"]:
        out(f"  {t['at']}  → {t['to']:<10} {t['by']}" + (f"  {t['reason']}" if t["reason"] else ""))
    return 0


def cmd_advance(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.advance(ctx.store, loaded, ctx.user, now())
    out(f"{ctx.args.audit}: now {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0


def cmd_return(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.return_to(ctx.store, loaded, ctx.args.to, ctx.args.reason, ctx.user, now())
    out(f"{ctx.args.audit}: returned to {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0


def cmd_approve(ctx: Context) -> int:
    from auditdesk.desk import actions

    tag = actions.approve(ctx.store, ctx.args.audit, ctx.user, now(), ctx.args.comment or "")
    out(f"{ctx.args.audit}: approved; tag {tag.name} at revision {tag.commit[:7]}")
    return 0


def cmd_reopen(ctx: Context) -> int:
    from auditdesk.desk import actions

    loaded = ctx.store.load(ctx.args.audit)
    result = actions.reopen(ctx.store, loaded, ctx.args.reason, ctx.user, now())
    out(f"{ctx.args.audit}: reopened, now {loaded.audit.stage} (revision {(result.commit or '')[:7]})")
    return 0
