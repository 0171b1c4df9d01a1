"""`auditdesk` with no command: the terminal app."""

from __future__ import annotations

import sys

from auditdesk.cli.context import Context

NO_TERMINAL = """auditdesk: the terminal app needs a terminal, but standard {which} (a script, cron or a pipe?).
Run a command instead, for example:
  auditdesk list                          the audits in the store
  auditdesk show AUDIT                    scores of one audit (--json for scripts)
  auditdesk report --all --out DIR        every report, incrementally
  auditdesk export --out results.csv      one row per audit
auditdesk --help lists every command.
"""


def cmd_tui(ctx: Context) -> int:
    # Checked before anything is imported or opened: without a terminal Textual would
    # write escape codes into the pipe and spin until killed.
    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout)) if not (stream and stream.isatty())]
    if missing:
        which = "input and output are not terminals" if len(missing) == 2 else f"{missing[0]} is not a terminal"
        sys.stderr.write(NO_TERMINAL.format(which=which))
        return 2
    from auditdesk.tui.app import run

    return run(ctx.store_path, getattr(ctx.args, "user", None), mouse=getattr(ctx.args, "mouse", None),
               forced=getattr(ctx.args, "as_person", None), store=ctx.store)
