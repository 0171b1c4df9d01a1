"""The `auditdesk` command line: the same operations as the TUI, for people and scripts.

Exit status: 0 success, 1 a user error (one clear message on stderr, or the
full list of problems for `validate`), 2 a usage error.  Heavy modules (git,
Textual, markdown-it) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Sequence

from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.problems import AuditdeskError, InvalidInput
from auditdesk.criteria.results import ItemResult, sampled_pct
from auditdesk.criteria.scoring import Scorecard, fmt_2, fmt_number, score_audit

DEMO = Path(__file__).parent / "demo" / "10234-2024-SD.toml"


def default_store() -> Path:
    """$AUDITDESK_STORE, else the per-user data folder."""
    env = os.environ.get("AUDITDESK_STORE")
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "auditdesk" / "store"


class Context:
    """What every command gets: parsed arguments and lazily opened store."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.store_path: Path = Path(args.store) if getattr(args, "store", None) else default_store()
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from auditdesk.store.audits import AuditStore

            self._store = AuditStore.open(self.store_path, create=True)
            for line in self._store.recovered:
                print(f"auditdesk: note: {line}", file=sys.stderr)
        return self._store

    @property
    def user(self) -> Any:
        from auditdesk.store.identity import resolve_identity

        return resolve_identity(getattr(self.args, "user", None), self.store.repo)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# --- commands ---------------------------------------------------------------


def cmd_demo(ctx: Context) -> int:
    from auditdesk.store.document import from_toml

    store = ctx.store
    catalog = Catalogs().get("cts-isc-jsgf-05")
    audit = from_toml(DEMO.read_bytes(), str(DEMO), catalog)
    if store.exists(audit.project_no):
        out(f"demo store {ctx.store_path} already holds {audit.project_no}")
        return 0

    result = store.save(audit, base=None, user=ctx.user, message=f"create audit {audit.project_no} (demo: the seed report)")
    from auditdesk.store.audits import StoreConfig

    store.save_config(StoreConfig(body=audit.body), ctx.user, "store settings: the certification body of the demo audit")
    leader = audit.planning.leaders[0].name
    store.repo.set_config("user.name", leader)
    store.repo.set_config("user.email", "team-leader@demo.invalid")
    out(f"demo store {ctx.store_path}: audit {audit.project_no} at revision {result.commit[:7]}")
    out(f"commands in this store act as the team leader {leader} unless --user or $AUDITDESK_USER says otherwise")
    out(f"open it with: auditdesk --store {ctx.store_path}")
    return 0


def cmd_new(ctx: Context) -> int:
    from auditdesk.store.document import follow_up, new_audit

    args, who = ctx.args, ctx.user
    if args.previous:
        previous = ctx.store.load(args.previous)
        catalog = previous.catalog
        if args.catalog:
            catalog_id, _, version = args.catalog.partition("@")
            catalog = ctx.store.catalogs.get(catalog_id, version or None)
        if args.type == "initial":
            raise AuditdeskError("an audit that follows another is a surveillance or recertification: add --type surveillance")
        audit = follow_up(previous.audit, catalog, args.project_no, args.type, who.name)
    else:
        if not args.catalog or not args.org:
            raise AuditdeskError("a new audit needs --catalog ID and --org NAME (or --from AUDIT to follow an earlier one)")
        catalog_id, _, version = args.catalog.partition("@")
        catalog = ctx.store.catalogs.get(catalog_id, version or None)
        audit = new_audit(catalog, args.project_no, args.org, args.type, who.name, ctx.store.config.body)
    if ctx.store.exists(audit.project_no):
        raise AuditdeskError(f"an audit {audit.project_no} already exists in {ctx.store_path}; project numbers are unique")
    result = ctx.store.save(audit, base=None, user=who)
    follows = f", following {audit.previous}" if audit.previous else ""
    out(f"created {audit.project_no} ({catalog.label}{follows}) at revision {result.commit[:7]}")
    return 0


def parse_pct(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise InvalidInput.single(where, "pct", f"{text!r} is not a percentage; give a number from 0 to 100 such as 97 or 66.67") from None
    if not value.is_finite():
        raise InvalidInput.single(where, "pct", f"{text!r} is not a percentage")
    return value


def cmd_score(ctx: Context) -> int:
    args = ctx.args
    loaded = ctx.store.load(args.audit)
    audit, catalog = loaded.audit, loaded.catalog
    changes: dict[str, ItemResult] = {}
    special = args.na or args.samples is not None
    if special and len(args.scores) != 1:
        raise AuditdeskError("--na and --samples apply to one item: auditdesk score AUDIT CODE --na --reason TEXT")
    for arg in args.scores:
        code, eq, pct = arg.partition("=")
        code = code.strip().upper()
        if code not in catalog.items:
            raise InvalidInput.single(args.audit, code, f"unknown item code {code!r} in catalog {catalog.label}")
        old = audit.items.get(code, ItemResult())
        if args.na:
            if eq:
                raise AuditdeskError(f"{arg}: with --na give the code alone")
            result = ItemResult(na=True, reason=args.reason or "", note=args.note or old.note)
        elif args.samples is not None:
            if args.nonconforming is None:
                raise AuditdeskError("--samples needs --nonconforming K (how many samples did not conform)")
            result = ItemResult(samples=args.samples, nonconforming=args.nonconforming, note=args.note or old.note)
            if not result.problems():
                result = ItemResult(pct=sampled_pct(args.samples, args.nonconforming), samples=args.samples,
                                    nonconforming=args.nonconforming, note=result.note)
        else:
            if not eq:
                raise AuditdeskError(f"{arg}: write CODE=PCT, for example B17=97 (or use --na / --samples)")
            result = ItemResult(pct=parse_pct(pct, args.audit), note=args.note or old.note)
        problems = result.problems()
        if problems:
            raise InvalidInput.single(args.audit, f"{code}.{problems[0][0]}", problems[0][1])
        changes[code] = result
    audit.items.update(changes)
    saved = ctx.store.save(audit, base=loaded.blob, user=ctx.user)
    card = score_audit(catalog, audit.items, audit.special)
    state = f"revision {saved.commit[:7]}" if saved.changed else "unchanged, no commit"
    out(f"{audit.project_no}: {state}; total {fmt_2(card.total)} / {fmt_number(card.max)}, rate {fmt_2(card.rate)}, {card.star}")
    return 0


def scores_json(catalog: Catalog, card: Scorecard) -> dict[str, Any]:
    return {
        "catalog": catalog.label,
        "totals": {
            "parts": [
                {"code": p.code, "title": p.title, "score": fmt_2(p.score), "max": fmt_number(p.points),
                 "applicable": fmt_number(p.applicable)}
                for p in card.parts
            ],
            "special": fmt_number(card.special),
            "total": fmt_2(card.total),
            "max": fmt_number(card.max),
            "applicable": fmt_number(card.applicable),
            "rate": fmt_2(card.rate) or None,
            "star": card.star,
        },
        "items": {
            code: {"pct": None if s.pct is None else _json_number(s.pct), "na": s.na, "score": fmt_number(s.score)}
            for code, s in card.items.items()
        },
        "unscored": card.unscored,
    }


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def load_for_reading(ctx: Context, ref: str, rev: str = "HEAD") -> tuple[Any, Catalog, str | None]:
    """An audit by project number from the store, or a TOML file by path."""
    if ref.endswith(".toml") and Path(ref).is_file():
        from auditdesk.store.audits import AuditStore

        audit, catalog = AuditStore.parse_file(Path(ref), Catalogs())
        return audit, catalog, None
    loaded = ctx.store.load(ref, rev)
    commit = ctx.store.repo.resolve(rev)
    return loaded.audit, loaded.catalog, commit


def cmd_show(ctx: Context) -> int:
    from auditdesk.store.document import AUDIT_TYPES, STAGES

    audit, catalog, commit = load_for_reading(ctx, ctx.args.audit, ctx.args.rev)
    card = score_audit(catalog, audit.items, audit.special)
    if ctx.args.json:
        data = {"project_no": audit.project_no, "organisation": audit.planning.organisation,
                "audit_type": audit.planning.audit_type, "stage": audit.stage, "revision": commit,
                **scores_json(catalog, card)}
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    p = audit.planning
    out(f"{audit.project_no}  {p.organisation}")
    out(f"{AUDIT_TYPES[p.audit_type]} · stage {audit.stage} ({STAGES[audit.stage]}) · catalog {catalog.label}"
        + (f" · revision {commit[:7]}" if commit else ""))
    out()
    for part in card.parts:
        out(f"  {part.code} {part.title:<8}{fmt_2(part.score):>8} / {fmt_number(part.points):<4} applicable {fmt_number(part.applicable)}")
    if card.special:
        out(f"  special items {fmt_number(card.special)}")
    out(f"  total       {fmt_2(card.total):>8} / {fmt_number(card.max)}   applicable {fmt_number(card.applicable)}")
    out(f"  rate        {fmt_2(card.rate):>8} %   star {card.star}")
    if card.unscored:
        out(f"\nunscored ({len(card.unscored)}): {' '.join(card.unscored)}")
    return 0


def cmd_report(ctx: Context) -> int:
    args = ctx.args
    if args.all:
        return _report_all(ctx)
    if args.jobs is not None or args.stage or args.force:
        print("auditdesk report: --jobs, --stage and --force go with --all", file=sys.stderr)
        return 2
    from auditdesk.report.bulk import report_text, write_report

    audit, catalog, commit = load_for_reading(ctx, args.audit, args.rev)
    if args.output in (None, "-"):
        text, assets = report_text(audit, catalog, commit, args.format)
        sys.stdout.write(text)
        if assets:
            print("note: radar charts are written only with -o FILE (or use --format html)", file=sys.stderr)
        return 0
    target = Path(args.output)
    charts = write_report(audit, catalog, commit, args.format, target)
    out(f"wrote {target}" + (f" and {charts} chart(s)" if charts else ""))
    return 0


def _report_all(ctx: Context) -> int:
    """`report --all`: every report into a folder, incrementally; exit 1 if any failed."""
    from auditdesk.report.bulk import render_all

    args = ctx.args
    if args.output in (None, "-") or args.rev != "HEAD":
        print("auditdesk report: --all needs --out DIR and renders HEAD (no --rev)", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs is not None else len(os.sched_getaffinity(0))
    if jobs < 1:
        print("auditdesk report: --jobs must be at least 1", file=sys.stderr)
        return 2
    target = Path(args.output)
    result = render_all(ctx.store, target, fmt=args.format, jobs=jobs, stage=args.stage, force=args.force,
                        progress=sys.stderr)
    for project_no, reason in result.failed:
        print(f"failed {project_no}: " + reason.replace("\n", "\n    "), file=sys.stderr)
    out(result.summary(target))
    return 1 if result.failed else 0


def cmd_export(ctx: Context) -> int:
    from auditdesk.report.export import collect, write

    args = ctx.args
    export = collect(ctx.store, items=args.items, nonconformities=args.nonconformities, stage=args.stage, year=args.year)
    target = None if args.output in (None, "-") else Path(args.output)
    write(export, args.format, target)
    for reason in export.failures:
        print(f"auditdesk: left out, cannot be read: {reason}", file=sys.stderr)
    if target is not None:
        out(f"wrote {target}: {len(export.records)} audit(s)")
    return 1 if export.failures else 0


def cmd_validate(ctx: Context) -> int:
    from auditdesk.criteria.catalog import parse_catalog
    from auditdesk.store.audits import AuditStore

    catalogs = Catalogs()
    files = [Path(f) for f in ctx.args.files]
    if not files:
        files = sorted(catalogs.folders[-1].glob("*.toml"))
        if (ctx.store_path / "audits").is_dir():
            files += sorted((ctx.store_path / "audits").glob("*.toml"))
    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
            if b"[[parts" in data:
                parse_catalog(data, str(path))
            else:
                audit, _ = AuditStore.parse_file(path, catalogs)
                if path.parent.name == "audits" and audit.project_no != path.stem:  # a store's file names its audit
                    raise InvalidInput.single(str(path), "project_no", f"is {audit.project_no!r} but the file is {path.name}; they must agree")
        except OSError as exc:
            failed += 1
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
        except AuditdeskError as exc:
            failed += 1
            print(str(exc), file=sys.stderr)
        else:
            out(f"ok {path}")
    if failed:
        print(f"{failed} of {len(files)} file(s) have problems", file=sys.stderr)
    return 1 if failed else 0


def cmd_catalog_list(ctx: Context) -> int:
    for c in Catalogs().all():
        out(f"{c.id}  version {c.version}  {c.scheme} ({c.specification})  {len(c.items)} items, {fmt_number(c.total)} points")
    return 0


def cmd_catalog_show(ctx: Context) -> int:
    catalog_id, _, version = ctx.args.id.partition("@")
    c = Catalogs().get(catalog_id, version or None)
    if ctx.args.json:
        data = {"id": c.id, "version": c.version, "hash": c.hash, "total": fmt_number(c.total),
                "stars": [{"min": fmt_number(b.min), "level": b.level} for b in c.stars],
                "parts": [{"code": p.code, "title": p.title, "points": fmt_number(p.points), "sections": [
                    {"clause": s.clause, "title": s.title, "points": fmt_number(s.points), "items": [
                        {"code": i.code, "clause": i.clause, "weight": fmt_number(i.weight), "text": i.text}
                        for i in s.items]} for s in p.sections]} for p in c.parts]}
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    out(f"{c.id} version {c.version}: {c.scheme} ({c.specification}《{c.specification_title}》)")
    out(f"{len(c.parts)} parts, {sum(len(p.sections) for p in c.parts)} sections, {len(c.items)} items, {fmt_number(c.total)} points; {c.hash}")
    for p in c.parts:
        out(f"\n{p.code} {p.title} ({fmt_number(p.points)})")
        for s in p.sections:
            out(f"  {s.clause} {s.title} ({fmt_number(s.points)})")
            for i in s.items:
                out(f"    {i.code:<4} {i.clause:<9} {fmt_number(i.weight):>4}  {i.text}")
    out("\nstar levels: " + ", ".join(f"{b.level} ≥ {fmt_number(b.min)}" for b in c.stars))
    return 0


def cmd_init(ctx: Context) -> int:
    from auditdesk.store.audits import AuditStore

    AuditStore.open(ctx.store_path, create=True, shared_group=ctx.args.shared).close()
    out(f"store ready at {ctx.store_path}" + (" (shared with the folder's group)" if ctx.args.shared else ""))
    return 0


def cmd_list(ctx: Context) -> int:
    rows = [s for s in ctx.store.summaries()
            if (ctx.args.stage is None or s.stage == ctx.args.stage) and (ctx.args.year is None or s.year == ctx.args.year)]
    if ctx.args.json:
        from dataclasses import asdict

        out(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        if r.error:
            out(f"{r.project_no:<16} ! {r.error}")
        else:
            out(f"{r.project_no:<16} {r.stage:<10} {r.total:>7} {r.rate:>6} {r.star:<6} {r.organisation}")
    return 0


def cmd_log(ctx: Context) -> int:
    history = ctx.store.history(ctx.args.audit, ctx.args.limit)
    if ctx.args.json:
        out(json.dumps([{"revision": rev.commit, "author": rev.author, "email": rev.email, "date": rev.date.isoformat(),
                         "message": rev.message, "stage": s.stage, "total": s.total, "rate": s.rate, "star": s.star}
                        for rev, s in history], ensure_ascii=False, indent=2))
        return 0
    for rev, s in history:
        subject = rev.message.splitlines()[0] if rev.message else ""
        out(f"{rev.commit[:7]} {rev.date:%Y-%m-%d %H:%M} {rev.author:<10} {s.stage:<10} {s.total:>7}  {subject}")
    return 0


def cmd_diff(ctx: Context) -> int:
    from auditdesk.store.diff import diff_audits

    store, args = ctx.store, ctx.args
    if args.against:
        old, new = store.load(args.against), store.load(args.audit)
        labels = (args.against, args.audit)
    else:
        revs = [args.rev_a, args.rev_b] if args.rev_a else []
        if not revs:
            log = store.log(args.audit, 2)
            if len(log) < 2:
                raise AuditdeskError(f"{args.audit} has only one revision; nothing to compare")
            revs = [log[1].commit, log[0].commit]
        elif args.rev_b is None:
            revs = [args.rev_a, "HEAD"]
        old, new = store.load(args.audit, revs[0]), store.load(args.audit, revs[1])
        labels = tuple(store.repo.resolve(r)[:7] for r in revs)
    change = diff_audits(old.audit, new.audit, new.catalog, old.catalog)
    if args.json:
        out(json.dumps(diff_json(change, labels), ensure_ascii=False, indent=2))
        return 0
    out(f"{labels[0]} → {labels[1]}: {change.summary()}")
    if change.details():
        out(change.details())
    return 0


def diff_json(change: Any, labels: tuple[str, str]) -> dict[str, Any]:
    from auditdesk.store.diff import describe

    def totals(card: Scorecard) -> dict[str, Any]:
        return {"parts": {p.code: fmt_2(p.score) for p in card.parts}, "total": fmt_2(card.total),
                "applicable": fmt_number(card.applicable), "rate": fmt_2(card.rate) or None, "star": card.star}

    return {
        "from": labels[0], "to": labels[1],
        "fields": [{"field": f.field, "old": _plain(f.old), "new": _plain(f.new)} for f in change.fields],
        "items": [{"code": c.code, "old": describe(c.old), "new": describe(c.new), "old_score": fmt_number(c.old_score),
                   "new_score": fmt_number(c.new_score), "delta": fmt_number(c.delta)} for c in change.items],
        "before": totals(change.before), "after": totals(change.after),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def cmd_blame(ctx: Context) -> int:
    from auditdesk.store.diff import blame

    lines = blame(ctx.store.revisions(ctx.args.audit))
    if ctx.args.key:
        key = ctx.args.key
        key = f"items.{key.upper()}" if key.upper() in ctx.store.load(ctx.args.audit).catalog.items else key
        lines = [b for b in lines if b.key == key or b.key.startswith(key + ".") or b.key.startswith(key + "[")]
        if not lines:
            raise AuditdeskError(f"{ctx.args.audit} has no field or item {ctx.args.key!r}")
    for b in lines:
        rev = b.revision
        out(f"{rev.commit[:7]} {rev.date:%Y-%m-%d} {rev.author:<10} {b.key}: {b.old} → {b.value}")
    return 0


def cmd_commit(ctx: Context) -> int:
    result = ctx.store.commit_worktree(ctx.args.audit, ctx.user)
    out(f"{ctx.args.audit}: " + (f"committed at revision {result.commit[:7]}" if result.changed else "no changes to commit"))
    return 0


def cmd_advance(ctx: Context) -> int:
    from auditdesk.store import workflow

    loaded = ctx.store.load(ctx.args.audit)
    who, now = ctx.user, _now()
    result = ctx.store.transition(loaded, lambda a: workflow.advance(a, loaded.catalog, who, now), who)
    out(f"{ctx.args.audit}: now {loaded.audit.stage} (revision {result.commit[:7]})")
    return 0


def cmd_return(ctx: Context) -> int:
    from auditdesk.store import workflow

    loaded = ctx.store.load(ctx.args.audit)
    who, now, reviewers = ctx.user, _now(), ctx.store.reviewers
    result = ctx.store.transition(loaded, lambda a: workflow.return_to(a, ctx.args.to, ctx.args.reason, who, reviewers, now), who)
    out(f"{ctx.args.audit}: returned to {loaded.audit.stage} (revision {result.commit[:7]})")
    return 0


def cmd_approve(ctx: Context) -> int:
    from auditdesk.report.provenance import approve

    tag = approve(ctx.store, ctx.args.audit, ctx.user, _now(), ctx.args.comment or "")
    out(f"{ctx.args.audit}: approved; tag {tag.name} at revision {tag.commit[:7]}")
    return 0


def cmd_reopen(ctx: Context) -> int:
    from auditdesk.store import workflow

    loaded = ctx.store.load(ctx.args.audit)
    who, now, reviewers = ctx.user, _now(), ctx.store.reviewers
    result = ctx.store.transition(loaded, lambda a: workflow.reopen(a, ctx.args.reason, who, reviewers, now), who)
    out(f"{ctx.args.audit}: reopened, now {loaded.audit.stage} (revision {result.commit[:7]})")
    return 0


def cmd_status(ctx: Context) -> int:
    from auditdesk.report.provenance import status

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


def cmd_sync(ctx: Context) -> int:
    from auditdesk.store.sync import sync

    result = sync(ctx.store, ctx.args.remote, ctx.user, ctx.args.prefer)
    out(f"sync with {ctx.args.remote}: {result.action}")
    for path in result.merged:
        out(f"  {path}")
    for conflict in result.settled:
        out(f"  settled as {ctx.args.prefer}: {conflict}")
    return 0


def cmd_textconv(ctx: Context) -> int:
    """git's textconv driver: the audit file as readable lines (never fails git diff)."""
    from auditdesk.store.diff import readable
    from auditdesk.store.document import load_audit

    data = Path(ctx.args.file).read_bytes()
    try:
        audit, catalog = load_audit(data, ctx.args.file, Catalogs())
    except AuditdeskError as exc:
        sys.stdout.write(f"(not a valid audit: {exc})\n" + data.decode("utf-8", "replace"))
        return 0
    sys.stdout.write(readable(audit, catalog))
    return 0


def cmd_verify(ctx: Context) -> int:
    from auditdesk.report.provenance import verify

    verdict = verify(ctx.store, Path(ctx.args.report))
    out(verdict.message)
    return 0 if verdict.ok else 1


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).astimezone().replace(microsecond=0)


def cmd_tui(ctx: Context) -> int:
    from auditdesk.tui.app import run

    ctx.store  # create the store on first use
    run(ctx.store_path, getattr(ctx.args, "user", None), mouse=getattr(ctx.args, "mouse", None))
    return 0


# --- parser -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="the audit store (default: $AUDITDESK_STORE, else ~/.local/share/auditdesk/store)")
    common.add_argument("--user", metavar="'NAME <EMAIL>'", default=argparse.SUPPRESS,
                        help="who is acting (default: $AUDITDESK_USER, else git config, else the login name)")
    parser = argparse.ArgumentParser(
        prog="auditdesk", parents=[common],
        description="Plan, score, conclude and review service-certification audits. With no command, opens the terminal app.",
    )
    parser.add_argument("--mouse", action=argparse.BooleanOptionalAction, default=None,
                        help="mouse support in the app (default: off over SSH, on otherwise)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, func: Callable[[Context], int], help: str, parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    command("demo", cmd_demo, "create a store holding the sample audit 10234-2024-SD (the seed report)")

    p = command("new", cmd_new, "create an audit in the planning stage")
    p.add_argument("--catalog", metavar="ID[@VERSION]", help="criteria catalog (see: auditdesk catalog list)")
    p.add_argument("--project-no", required=True, metavar="NO", help="project number, also the audit's id and file name")
    p.add_argument("--org", metavar="NAME", help="organisation audited")
    p.add_argument("--from", dest="previous", metavar="AUDIT", help="follow an earlier audit: copies its planning forward")
    p.add_argument("--type", default="initial", choices=["initial", "surveillance", "recertification"])

    p = command("score", cmd_score, "score items: CODE=PCT …, or one CODE with --na or --samples")
    p.add_argument("audit", metavar="AUDIT", help="project number")
    p.add_argument("scores", nargs="+", metavar="CODE=PCT")
    p.add_argument("--na", action="store_true", help="not applicable (删减); needs --reason")
    p.add_argument("--reason", help="why the item is not applicable")
    p.add_argument("--samples", type=int, metavar="N", help="number of samples checked")
    p.add_argument("--nonconforming", type=int, metavar="K", help="samples that did not conform")
    p.add_argument("--note", help="evidence note for the item(s)")

    p = command("show", cmd_show, "scores of an audit (--json for scripts)")
    p.add_argument("audit", metavar="AUDIT", help="project number, or a path to an audit .toml file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rev", default="HEAD", help="show the audit as it was at this revision")

    p = command("report", cmd_report, "render the audit report as Markdown or standalone HTML; --all: every report")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("audit", nargs="?", metavar="AUDIT", help="project number, or a path to an audit .toml file")
    which.add_argument("--all", action="store_true",
                       help="every audit in the store into --out DIR, re-rendering only reports whose audit, catalog "
                            "or report code changed")
    p.add_argument("-o", "--output", "--out", metavar="PATH",
                   help="the file to write (radar charts beside it; default: standard output); with --all, the folder")
    p.add_argument("--format", choices=["md", "html"], default="md")
    p.add_argument("--rev", default="HEAD", help="render the audit as it was at this revision")
    p.add_argument("--jobs", type=int, metavar="N", help="with --all: worker processes (default: one per CPU)")
    p.add_argument("--stage", choices=["planning", "onsite", "conclusion", "review", "approved"],
                   help="with --all: only audits at this stage (reports of the others are removed from the folder)")
    p.add_argument("--force", action="store_true", help="with --all: render every report, changed or not")

    p = command("export", cmd_export, "one row per audit (scores, stage, dates, leader) as CSV or JSON")
    p.add_argument("--format", choices=["csv", "json"], default="csv",
                   help="csv (UTF-8 with BOM, for Excel; formula-like text is quoted) or json")
    p.add_argument("-o", "--output", "--out", metavar="FILE", help="default: standard output")
    p.add_argument("--items", action="store_true", help="add a row per catalog item: percentage or N/A, score, reason, note")
    p.add_argument("--nonconformities", action="store_true",
                   help="add a row per special deduction with its corrective action, owner and due date")
    p.add_argument("--stage", choices=["planning", "onsite", "conclusion", "review", "approved"])
    p.add_argument("--year", metavar="YYYY", help="audits whose on-site audit started in this year")

    p = command("validate", cmd_validate, "check catalogs and audit files; lists every problem")
    p.add_argument("files", nargs="*", metavar="FILE", help="default: the built-in catalogs and every audit in the store")

    p = command("init", cmd_init, "create an empty store (a git repository)")
    p.add_argument("--shared", action="store_true", help="for several Unix users: git's --shared=group, group-writable files")

    p = command("list", cmd_list, "list the audits in the store")
    p.add_argument("--json", action="store_true")
    p.add_argument("--stage", choices=["planning", "onsite", "conclusion", "review", "approved"])
    p.add_argument("--year", metavar="YYYY", help="audits whose on-site audit started in this year")

    p = command("log", cmd_log, "revisions of an audit, newest first, with stage and total")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("--json", action="store_true")
    p.add_argument("-n", "--limit", type=int, metavar="N")

    p = command("diff", cmd_diff, "what changed between two revisions (default: the last two), or two audits")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("rev_a", nargs="?", metavar="REV_A")
    p.add_argument("rev_b", nargs="?", metavar="REV_B")
    p.add_argument("--against", metavar="OTHER_AUDIT", help="compare with another audit (e.g. last year's), item by item")
    p.add_argument("--json", action="store_true")

    p = command("blame", cmd_blame, "who last changed each item result or field, when, and from what")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("key", nargs="?", metavar="CODE|FIELD", help="an item code (B17) or a field (conclusion.overview)")

    p = command("commit", cmd_commit, "validate a hand-edited audit file and commit it as your change")
    p.add_argument("audit", metavar="AUDIT")

    p = command("status", cmd_status, "stage, what blocks the next one, approval and transitions")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("--json", action="store_true")

    p = command("advance", cmd_advance, "move to the next stage, or list everything that blocks it")
    p.add_argument("audit", metavar="AUDIT")

    p = command("return", cmd_return, "reviewer: send the audit back to an earlier stage")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("--to", required=True, choices=["planning", "onsite", "conclusion"])
    p.add_argument("--reason", required=True)

    p = command("approve", cmd_approve, "reviewer: approve the audit (records a tag with content and report hashes)")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("--comment", help="review comments to record")

    p = command("reopen", cmd_reopen, "reopen an approved audit for changes; the reason is recorded")
    p.add_argument("audit", metavar="AUDIT")
    p.add_argument("--reason", required=True)

    p = command("sync", cmd_sync, "pull from and push to a git remote, merging audits field by field")
    p.add_argument("remote", nargs="?", default="origin", metavar="REMOTE", help="a remote's name, URL or path (default: origin)")
    p.add_argument("--prefer", choices=["ours", "theirs"], help="settle fields changed differently on both sides")

    p = sub.add_parser("textconv", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_textconv)
    p.add_argument("file")

    p = command("verify", cmd_verify, "is this report file exactly the report of an approved revision?")
    p.add_argument("report", metavar="REPORT.md")

    cat = command("catalog", lambda ctx: (cat.print_help(), 2)[1], "criteria catalogs")
    catsub = cat.add_subparsers(dest="catalog_command", metavar="COMMAND")
    command("list", cmd_catalog_list, "list the known catalogs", catsub)
    p = command("show", cmd_catalog_show, "show a catalog's parts, sections and items", catsub)
    p.add_argument("id", metavar="ID[@VERSION]")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(args)
    func: Callable[[Context], int] = getattr(args, "func", cmd_tui)
    try:
        return func(ctx)
    except AuditdeskError as exc:
        print(f"auditdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("auditdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    finally:
        ctx.close()
