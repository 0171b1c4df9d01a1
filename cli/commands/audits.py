"""Creating, scoring, showing, listing and checking audits; the catalogs they are scored under."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.cli import shapes
from auditdesk.cli.columns import pad, rpad
from auditdesk.cli.context import Context, note_missing_diff_driver, out
from auditdesk.cli.formats import print_json
from auditdesk.criteria import tomldata
from auditdesk.criteria.catalog import Catalog, Catalogs
from auditdesk.criteria.results import ItemResult, sampled_result
from auditdesk.criteria.scoring import fmt_2, fmt_number, score_audit
from auditdesk.errors import AuditdeskError, InvalidInput

if TYPE_CHECKING:
    from auditdesk.audit.document import Audit
    from auditdesk.store.audits import Loaded


def demo_file() -> Path:
    """The seed's audit, shipped with the package."""
    import auditdesk

    return Path(auditdesk.__file__).parent / "demo" / "10234-2024-SD.toml"


def cmd_demo(ctx: Context) -> int:
    from auditdesk.audit.document import from_toml
    from auditdesk.store.audits import StoreConfig

    store, source = ctx.store, demo_file()
    catalog = Catalogs().get("cts-isc-jsgf-05")
    audit = from_toml(source.read_bytes(), str(source), catalog)
    if store.exists(audit.project_no):
        if ctx.args.json:
            print_json(shapes.store_ready(str(ctx.store_path), store.repo.head(), project_no=audit.project_no, created=False))
            return 0
        out(f"demo store {ctx.store_path} already holds {audit.project_no}")
        return 0
    result = store.save(audit, base=None, user=ctx.user, message=f"create audit {audit.project_no} (demo: the seed report)")
    store.save_config(StoreConfig(body=audit.body), ctx.user, "store settings: the certification body of the demo audit")
    leader = audit.planning.leaders[0].name
    store.repo.set_config("user.name", leader)
    store.repo.set_config("user.email", "team-leader@demo.invalid")
    assert result.commit is not None
    if ctx.args.json:
        print_json(shapes.store_ready(str(ctx.store_path), store.repo.head(), project_no=audit.project_no, created=True))
        return 0
    out(f"demo store {ctx.store_path}: audit {audit.project_no} at revision {result.commit[:7]}")
    out(f"commands in this store act as the team leader {leader} unless --user or $AUDITDESK_USER says otherwise")
    out(f"open it with: auditdesk --store {ctx.store_path}")
    note_missing_diff_driver()
    return 0


def cmd_init(ctx: Context) -> int:
    from auditdesk.store.audits import AuditStore

    where = Path(ctx.args.dir) if ctx.args.dir else ctx.store_path
    shared = " (shared with the folder's group)" if ctx.args.shared else ""
    if ctx.args.bare:
        from auditdesk.store.git import GitRepo

        GitRepo.init_hub(where, shared_group=ctx.args.shared)
        if ctx.args.json:
            print_json(shapes.store_ready(str(where), None, shared=ctx.args.shared))
            return 0
        out(f"hub ready at {where}{shared}; each person makes their store with: auditdesk clone {where} DIR")
        return 0
    from auditdesk.store.people import resolve_identity

    with AuditStore.open(where, create=True, shared_group=ctx.args.shared) as store:
        store.ensure_git_identity(resolve_identity(getattr(ctx.args, "user", None), store.repo))
        revision = store.repo.head()
    if ctx.args.json:
        print_json(shapes.store_ready(str(where), revision, shared=ctx.args.shared))
        return 0
    out(f"store ready at {where}{shared}")
    note_missing_diff_driver()
    return 0


def cmd_new(ctx: Context) -> int:
    from auditdesk.audit.document import follow_up, new_audit

    args, who = ctx.args, ctx.user
    if args.previous:
        previous = ctx.store.load(args.previous)
        catalog = ctx.store.catalogs.by_ref(args.catalog) if args.catalog else previous.catalog
        if args.type == "initial":
            raise AuditdeskError("an audit that follows another is a surveillance or recertification: add --type surveillance")
        audit = follow_up(previous.audit, catalog, args.project_no, args.type, who.name)
    else:
        if not args.catalog or not args.org:
            raise AuditdeskError("a new audit needs --catalog ID and --org NAME (or --from AUDIT to follow an earlier one)")
        catalog = ctx.store.catalogs.by_ref(args.catalog)
        audit = new_audit(catalog, args.project_no, args.org, args.type, who.name, ctx.store.config.body)
    if ctx.store.exists(audit.project_no):
        raise AuditdeskError(f"an audit {audit.project_no} already exists in {ctx.store_path}; project numbers are unique")
    result = ctx.store.save(audit, base=None, user=who)
    follows = f", following {audit.previous}" if audit.previous else ""
    assert result.commit is not None
    if args.json:
        print_json(shapes.saved(audit.project_no, result.commit, audit.stage, catalog=catalog.label, previous=audit.previous or None))
        return 0
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
    from auditdesk.cli.parser import usage_error

    args = ctx.args
    if args.batch is not None:
        if args.audit or args.scores:
            usage_error("score", "with --from FILE the scores come from the file; give no AUDIT or CODE=PCT")
        return score_batch(ctx, args.batch)
    if not args.audit or not args.scores:
        usage_error("score", "the following arguments are required: AUDIT, CODE=PCT (or --from FILE)")
    loaded = ctx.store.load(args.audit)
    apply_scores(loaded.audit, loaded.catalog, args)
    return _save_scores(ctx, loaded)


def _save_scores(ctx: Context, loaded: Loaded) -> int:
    audit, catalog = loaded.audit, loaded.catalog
    saved = ctx.store.save(audit, base=loaded.blob, user=ctx.user)
    card = score_audit(catalog, audit.items, audit.special)
    if getattr(ctx.args, "json", False):
        print_json(shapes.saved(audit.project_no, saved.commit, audit.stage, totals=shapes.totals(card)))
        return 0
    state = f"revision {saved.commit[:7]}" if saved.commit else "unchanged, no commit"
    out(f"{audit.project_no}: {state}; total {fmt_2(card.total)} / {fmt_number(card.max)}, rate {fmt_2(card.rate)}, {card.star}")
    return 0


def score_batch(ctx: Context, source: str) -> int:
    """``score --from FILE``: every line a score command, read and checked first (a
    mistake stops everything, naming its line), then one commit per audit, in the
    order the audits first appear.  An audit whose changes are refused is reported
    with its line and left as it was; the others are saved.  Exit 1 if any was refused."""
    import shlex

    from auditdesk.cli.parser import Retry, build_parser

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditdeskError(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    name = "standard input" if source == "-" else source
    parser = build_parser(["score"])
    grouped: dict[str, list[tuple[int, argparse.Namespace]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line)
            if "-h" in words or "--help" in words:
                raise SystemExit(2)
            line_args = parser.parse_args(["score", *words])
        except (ValueError, Retry) as exc:
            raise AuditdeskError(f"{name}:{number}: {exc}") from None
        except SystemExit:  # --help on a line: no help text in the middle of a batch
            raise AuditdeskError(f"{name}:{number}: write AUDIT CODE=PCT … (the options of score may follow)") from None
        if line_args.batch is not None or not line_args.audit or not line_args.scores:
            raise AuditdeskError(f"{name}:{number}: write AUDIT CODE=PCT … (the options of score may follow)")
        grouped.setdefault(line_args.audit, []).append((number, line_args))
    refused = 0
    for project_no, lines in grouped.items():
        at = lines[0][0]  # the line a refusal is reported at
        try:
            loaded = ctx.store.load(project_no)
            for number, line_args in lines:
                at = number
                apply_scores(loaded.audit, loaded.catalog, line_args)
            at = lines[0][0]
            _save_scores(ctx, loaded)
        except AuditdeskError as exc:
            refused += 1
            print(f"auditdesk: {name}:{at}: {exc}", file=sys.stderr)
    if refused:
        print(f"auditdesk: {refused} of {len(grouped)} audit(s) not saved", file=sys.stderr)
    return 1 if refused else 0


def apply_scores(audit: Audit, catalog: Catalog, args: argparse.Namespace) -> None:
    """The item results a score command gives, checked and put into the audit."""
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
            result = sampled_result(args.samples, args.nonconforming, args.note or old.note)
        else:
            if not eq:
                raise AuditdeskError(f"{arg}: write CODE=PCT, for example B17=97 (or use --na / --samples)")
            result = ItemResult(pct=parse_pct(pct, args.audit), note=args.note or old.note)
        problems = result.problems()
        if problems:
            raise InvalidInput.single(args.audit, f"{code}.{problems[0][0]}", problems[0][1])
        changes[code] = result
    audit.items.update(changes)


def load_for_reading(ctx: Context, ref: str, rev: str = "HEAD") -> tuple[Audit, Catalog, str | None]:
    """An audit by project number from the store, or a TOML file by path."""
    if ref.endswith(".toml") and Path(ref).is_file():
        from auditdesk.store.audits import AuditStore

        audit, catalog = AuditStore.parse_file(Path(ref), Catalogs())
        return audit, catalog, None
    loaded = ctx.store.load(ref, rev)
    commit = ctx.store.repo.resolve(rev)
    return loaded.audit, loaded.catalog, commit


def cmd_show(ctx: Context) -> int:
    from auditdesk.audit.document import AUDIT_TYPES, STAGES

    audit, catalog, commit = load_for_reading(ctx, ctx.args.audit, ctx.args.rev)
    card = score_audit(catalog, audit.items, audit.special)
    if ctx.args.json:
        data = {"project_no": audit.project_no, "organisation": audit.planning.organisation,
                "audit_type": audit.planning.audit_type, "stage": audit.stage, "revision": commit,
                **shapes.scores(catalog, card)}
        out(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    p = audit.planning
    out(f"{audit.project_no}  {p.organisation}")
    out(f"{AUDIT_TYPES[p.audit_type]} · stage {audit.stage} ({STAGES[audit.stage]}) · catalog {catalog.label}"
        + (f" · revision {commit[:7]}" if commit else ""))
    out()
    for part in card.parts:
        out(f"  {part.code} {pad(part.title, 16)}{fmt_2(part.score):>8} / {fmt_number(part.points):<4} applicable {fmt_number(part.applicable)}")
    if card.special:
        out(f"  special items {fmt_number(card.special)}")
    out(f"  {pad('total', 18)}{fmt_2(card.total):>8} / {fmt_number(card.max):<4} applicable {fmt_number(card.applicable)}")
    out(f"  {pad('rate', 18)}{fmt_2(card.rate):>8} %      star {card.star}")
    if card.unscored:
        out(f"\nunscored ({len(card.unscored)}): {' '.join(card.unscored)}")
    return 0


def cmd_list(ctx: Context) -> int:
    from auditdesk.store.trust import effective_summaries

    rows = [s for s in effective_summaries(ctx.store, ctx.store.summaries())
            if (ctx.args.stage is None or s.stage == ctx.args.stage) and (ctx.args.year is None or s.year == ctx.args.year)]
    if ctx.args.json:
        out(json.dumps(shapes.summaries(rows), ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        if r.error:
            out(f"{pad(r.project_no, 16)} ! {r.error}")
        else:
            out(f"{pad(r.project_no, 16)} {pad(r.stage, 10)} {rpad(r.total, 7)} {rpad(r.rate, 6)} {pad(r.star, 10)} {r.organisation}")
            problem = getattr(r, "problem", "")  # store.trust.Listed: why the stage is not the file's
            if problem:
                out(f"{'':<16} ! {problem}")
    return 0


def cmd_validate(ctx: Context) -> int:
    from auditdesk.criteria.catalog import parse_catalog
    from auditdesk.store.audits import AuditStore

    catalogs = Catalogs()
    files = [Path(f) for f in ctx.args.files]
    if not files:
        ctx.check_store_exists()
        files = sorted(catalogs.folders[-1].glob("*.toml"))
        if (ctx.store_path / "audits").is_dir():
            files += sorted((ctx.store_path / "audits").glob("*.toml"))
    failed = 0
    results: list[tuple[str, list[str]]] = []
    for path in files:
        try:
            data = tomldata.read_file(path)
            if b"[[parts" in data:
                parse_catalog(data, str(path))
            else:
                audit, _ = AuditStore.parse_file(path, catalogs)
                if path.parent.name == "audits" and audit.project_no != path.stem:  # a store's file names its audit
                    raise InvalidInput.single(str(path), "project_no", f"is {audit.project_no!r} but the file is {path.name}; they must agree")
        except OSError as exc:
            failed += 1
            results.append((str(path), [f"{path}: cannot read: {exc.strerror}"]))
        except AuditdeskError as exc:
            failed += 1
            results.append((str(path), [str(p) for p in exc.problems] if isinstance(exc, InvalidInput) else [str(exc)]))
        else:
            results.append((str(path), []))
    problems = store_problems(ctx) if not ctx.args.files and (ctx.store_path / ".git").exists() else None
    if ctx.args.json:
        if problems is not None:  # the store itself: its history, people and settings
            results.append((str(ctx.store_path), problems))
        print_json(shapes.validation(results))
        return 1 if failed or problems else 0
    for path_text, found in results:
        if found:
            print("\n".join(found), file=sys.stderr)
        else:
            out(f"ok {path_text}")
    for problem in problems or ():
        print(problem, file=sys.stderr)
    if problems == []:
        out(f"ok {ctx.store_path}: history, people and settings")
    if failed:
        print(f"{failed} of {len(files)} file(s) have problems", file=sys.stderr)
    if problems:
        print(f"{len(problems)} change(s) in the store were not made through auditdesk's workflow rules", file=sys.stderr)
    return 1 if failed or problems else 0


def store_problems(ctx: Context) -> list[str]:
    """What `validate` finds in a store besides its files: hand edits of the stage not yet
    committed, and every commit that changed an audit outside the workflow's rules."""
    from auditdesk.audit import moves
    from auditdesk.store.audits import AUDITS

    store = ctx.store
    found = []
    for project_no in store.dirty():
        path = store.root / AUDITS / f"{project_no}.toml"
        try:
            edited, _ = store.parse(tomldata.read_file(path), str(path))  # never a FIFO or /dev/zero
            committed = store.load(project_no).audit
        except (OSError, AuditdeskError):
            continue  # unreadable or new: reported with the files above
        if moves.workflow_changed(committed, edited):
            found.append(f"{path}: stage or transitions edited by hand (the file says {edited.stage}, "
                         f"the store {committed.stage}); only workflow commands change them")
    head = store.repo.head()
    if head is not None:
        found += [f"{store.root}: commit {f}" for f in store.trust.check_range(head, None)]
    return found


def cmd_catalog_list(ctx: Context) -> int:
    if ctx.args.json:
        print_json(shapes.catalogs(list(Catalogs().all())))
        return 0
    for c in Catalogs().all():
        out(f"{c.id}  version {c.version}  {c.scheme} ({c.specification})  {len(c.items)} items, {fmt_number(c.total)} points")
    return 0


def cmd_catalog_show(ctx: Context) -> int:
    c = Catalogs().by_ref(ctx.args.id)
    if ctx.args.json:
        out(json.dumps(shapes.catalog(c), ensure_ascii=False, indent=2))
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
