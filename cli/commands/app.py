"""`auditdesk` with no command: the terminal app."""

from __future__ import annotations

from auditdesk.cli.context import Context


def cmd_tui(ctx: Context) -> int:
    from auditdesk.tui.app import run

    ctx.store  # create the store on first use  # noqa: B018
    run(ctx.store_path, getattr(ctx.args, "user", None), mouse=getattr(ctx.args, "mouse", None),
        forced=getattr(ctx.args, "as_person", None))
    return 0
