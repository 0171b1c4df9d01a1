"""History and sharing: log, diff, blame, committing hand edits, sync, and git's diff driver."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.cli import shapes
from auditdesk.cli.columns import cells, pad, rpad
from auditdesk.cli.context import Context, note_missing_diff_driver, out
from auditdesk.cli.formats import print_json
from auditdesk.errors import AuditdeskError

if TYPE_CHECKING:
    from auditdesk.store.signing import Check


def cmd_log(ctx: Context) -> int:
    store = ctx.store
    history = store.history(ctx.args.audit, ctx.args.limit)
    signatures = {rev.commit: store.trust.commit_signature(rev.commit) for rev, _ in history}
    if ctx.args.json:
        rows = shapes.history(history)
        for row in rows:
            check = signatures[row["revision"]]
            row["signature"] = {"status": check.status, "by": check.principal or None, "valid": check.ok, "text": check.describe()}
        out(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max([10, *(cells(rev.author) for rev, _ in history)])  # in screen cells: 韩永师 is 6
    for rev, s in history:
        subject = rev.message.splitlines()[0] if rev.message else ""
        out(f"{rev.commit[:7]} {rev.date:%Y-%m-%d %H:%M} {pad(rev.author, width)} {pad(s.stage, 10)} {rpad(str(s.total), 7)} "
            f"{pad(_signature_mark(signatures[rev.commit]), 14)} {subject}")
    return 0


def _signature_mark(check: Check) -> str:
    """A signature in a log line: whose key made it, or what is wrong with it."""
    marks = {"good": f"signed:{check.principal}", "unsigned": "unsigned", "bad": "BAD-SIGNATURE",
             "unknown-key": "unknown-key", "wrong-person": f"WRONG-KEY:{check.principal}", "error": "signed:unchecked"}
    return marks[check.status]


def cmd_diff(ctx: Context) -> int:
    from auditdesk.audit.diff import diff_audits, diff_years
    from auditdesk.safetext import visible

    store, args = ctx.store, ctx.args
    if args.against:
        if args.rev_b is not None:
            raise AuditdeskError("with --against give at most one revision (of AUDIT)")
        old, new = store.load(args.against), store.load(args.audit, args.rev_a or "HEAD")
        labels = (args.against, args.audit)
        change = diff_years(old.audit, new.audit, new.catalog, old.catalog)
    else:
        revs = [args.rev_a, args.rev_b] if args.rev_a else []
        if not revs:
            log = store.log(args.audit, 2)
            if len(log) < 2:
                raise AuditdeskError(f"{args.audit} has only one revision; nothing to compare")
            revs = [log[1].commit, log[0].commit]
        elif args.rev_b is None:
            revs = [args.rev_a, "HEAD"]
        commits = [store.repo.resolve(rev) for rev in revs]
        old, new = store.load(args.audit, commits[0]), store.load(args.audit, commits[1])
        labels = (commits[0][:7], commits[1][:7])
        change = diff_audits(old.audit, new.audit, new.catalog, old.catalog)
    if args.json:
        out(json.dumps(shapes.diff(change, labels), ensure_ascii=False, indent=2))
        return 0
    out(visible(f"{labels[0]} → {labels[1]}: {change.summary()}"))
    for line in change.lines():
        out(visible(line))
    return 0


def cmd_blame(ctx: Context) -> int:
    from auditdesk.audit.diff import blame
    from auditdesk.safetext import visible

    lines = blame(ctx.store.revisions(ctx.args.audit))
    if ctx.args.key:
        key = ctx.args.key
        key = f"items.{key.upper()}" if key.upper() in ctx.store.load(ctx.args.audit).catalog.items else key
        lines = [b for b in lines if b.key == key or b.key.startswith((key + ".", key + "["))]
        if not lines:
            raise AuditdeskError(f"{ctx.args.audit} has no field or item {ctx.args.key!r}")
    if ctx.args.json:
        print_json(shapes.blame_lines(lines))
        return 0
    width = max([10, *(cells(b.revision.author) for b in lines)])
    for b in lines:
        rev = b.revision
        out(visible(f"{rev.commit[:7]} {rev.date:%Y-%m-%d %H:%M} {pad(rev.author, width)} {b.key}: {b.old} → {b.value}"))
    return 0


def cmd_commit(ctx: Context) -> int:
    for line in ctx.store.repo.worktree_report():  # the hand edits this command is about (every open no longer looks)
        if line not in ctx.store.recovered:
            print(f"auditdesk: note: {line}", file=sys.stderr)
    result = ctx.store.commit_worktree(ctx.args.audit, ctx.user)
    if ctx.args.json:
        print_json(shapes.saved(ctx.args.audit, result.commit if result.changed else None, ctx.store.load(ctx.args.audit).audit.stage))
        return 0
    out(f"{ctx.args.audit}: " + (f"committed at revision {(result.commit or '')[:7]}" if result.changed else "no changes to commit"))
    return 0


def cmd_clone(ctx: Context) -> int:
    from auditdesk.store.audits import AuditStore
    from auditdesk.store.people import resolve_identity

    url = ctx.args.url
    if ctx.args.dir:
        target = Path(ctx.args.dir)
    elif getattr(ctx.args, "store", None):
        target = ctx.store_path
    else:
        name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
        if not name or name in (".", ".."):
            raise AuditdeskError(f"cannot tell a folder name from {url!r}; give one: auditdesk clone URL DIR")
        target = Path(name)
    with AuditStore.clone(url, target) as store:
        audits = len(store.ids())
        who = resolve_identity(getattr(ctx.args, "user", None), store.repo)
        named = store.ensure_git_identity(who)
    out(f"cloned {url} into {target}: {audits} audit(s); sync with it: auditdesk sync --store {target}")
    if named:
        out(f"git there had no name for you: it now uses {who.name} <{who.email}> "
            f"(git -C {target} config user.name / user.email to change it)")
    note_missing_diff_driver()
    return 0


def cmd_sync(ctx: Context) -> int:
    from auditdesk.store.sync import sync

    result = sync(ctx.store, ctx.args.remote, ctx.user, ctx.args.prefer)
    if ctx.args.json:
        print_json(shapes.synced(ctx.args.remote, result, ctx.store.repo.head()))
        return 0
    out(f"sync with {ctx.args.remote}: {result.action}")
    for path in result.merged:
        out(f"  {path}")
    for conflict in result.settled:
        out(f"  settled as {ctx.args.prefer}: {conflict}")
    if result.foreign:
        from auditdesk.safetext import visible

        shown = ", ".join(visible(p) for p in result.foreign[:10]) + (" …" if len(result.foreign) > 10 else "")
        print(f"auditdesk: note: the hub brought files a store does not hold: {shown}. auditdesk never reads or "
              f"runs them, but ask who added them (git log --stat -- FILE) and remove them if they do not belong",
              file=sys.stderr)
    for note in result.notes:
        out(f"  {note}")
    return 0


def cmd_textconv(ctx: Context) -> int:
    """The diff driver of stores made before `auditdesk-textconv` existed (`auditdesk textconv FILE`)."""
    from auditdesk.audit.textconv import main

    return main([ctx.args.file])
