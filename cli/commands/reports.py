"""Reports and exports: one report, every report, a table of audits, and verifying an issued report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from auditdesk.cli import shapes
from auditdesk.cli.commands.audits import load_for_reading
from auditdesk.cli.context import Context, out
from auditdesk.cli.formats import EXPORT_FORMATS, REPORT_FORMATS, chosen_format, print_json


def cmd_report(ctx: Context) -> int:
    args = ctx.args
    args.format = chosen_format(args.format, None if args.all else args.output, REPORT_FORMATS)
    if args.all:
        return _report_all(ctx)
    if args.jobs is not None or args.stage or args.force:
        print("auditdesk report: --jobs, --stage and --force go with --all", file=sys.stderr)
        return 2
    from auditdesk.report.output import report_text, write_report

    audit, catalog, commit = load_for_reading(ctx, args.audit, args.rev)
    if commit is not None:  # the footer names the audit's own revision, not the store's newest commit
        commit = ctx.store.own_revision(audit.project_no, commit)
    if args.output in (None, "-"):
        if args.json:
            print("auditdesk report: --json goes with -o FILE or --all (the report itself is the output)", file=sys.stderr)
            return 2
        text, assets = report_text(audit, catalog, commit, args.format)
        sys.stdout.write(text)
        if assets:
            print("note: radar charts are written only with -o FILE (or use --format html)", file=sys.stderr)
        return 0
    target = Path(args.output)
    charts = write_report(audit, catalog, commit, args.format, target)
    if args.json:
        print_json(shapes.written(str(target), args.format, project_no=audit.project_no, revision=commit, charts=charts))
        return 0
    out(f"wrote {target}" + (f" and {charts} chart(s)" if charts else ""))
    return 0


def usable_cpus() -> int:
    """The CPUs this process may run on (the affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _report_all(ctx: Context) -> int:
    """`report --all`: every report into a folder, incrementally; exit 1 if any failed."""
    from auditdesk.report.bulk import render_all

    args = ctx.args
    if args.output in (None, "-") or args.rev != "HEAD":
        print("auditdesk report: --all needs --out DIR and renders HEAD (no --rev)", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs is not None else usable_cpus()
    if jobs < 1:
        print("auditdesk report: --jobs must be at least 1", file=sys.stderr)
        return 2
    target = Path(args.output)
    result = render_all(ctx.store, target, fmt=args.format, jobs=jobs, stage=args.stage, force=args.force,
                        progress=getattr(sys.stderr, "raw", sys.stderr))  # its own \r and erase-line
    if args.json:
        print_json(shapes.bulk(str(target), args.format, result))
        return 1 if result.failed else 0
    for project_no, reason in result.failed:
        print(f"failed {project_no}: " + reason.replace("\n", "\n    "), file=sys.stderr)
    out(result.summary(target))
    return 1 if result.failed else 0


def cmd_export(ctx: Context) -> int:
    from auditdesk.report.export import collect, write

    args = ctx.args
    args.format = chosen_format(args.format, args.output, EXPORT_FORMATS)
    export = collect(ctx.store, items=args.items, nonconformities=args.nonconformities, stage=args.stage, year=args.year)
    target = None if args.output in (None, "-") else Path(args.output)
    write(export, args.format, target)
    for reason in export.failures:
        print(f"auditdesk: left out, cannot be read: {reason}", file=sys.stderr)
    for reason in export.warnings:
        print(f"auditdesk: listed as unapproved: {reason}", file=sys.stderr)
    if target is not None:
        out(f"wrote {target}: {len(export.records)} audit(s)")
    return 1 if export.failures else 0


def cmd_verify(ctx: Context) -> int:
    from auditdesk.report.provenance import verify

    verdict = verify(ctx.store, Path(ctx.args.report))
    if ctx.args.json:
        print_json(shapes.verdict(ctx.args.report, verdict.ok, verdict.message))
        return 0 if verdict.ok else 1
    out(verdict.message)
    return 0 if verdict.ok else 1
