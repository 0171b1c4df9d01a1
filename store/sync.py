"""Sync a store with a git remote: fetch, merge audit by audit and field by field, push.

Edits of different audits merge without help.  Two people changing the same
audit merge field by field (and item by item) from the common revision; only
when both changed the same field differently does sync stop, changing
nothing locally, keeping the remote version on a side ref and naming every
conflicting field — `--prefer ours|theirs` then settles them.  The merge
itself is `audit.merge`, the same one the terminal app settles a conflicting
save with.

Sync also respects the workflow (the functions after `sync`): the new
commits on both sides must be legitimate (`store.trust`: no stage changed
by hand, signatures where the store requires them), content changes never
merge into an audit that the other side moved to review or approved (sync
stops, keeps them on a side ref and says what to ask for), and approval tags
travel both ways, each checked, never one naming a revision the hub lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditdesk.audit import moves
from auditdesk.audit.diff import diff_audits
from auditdesk.audit.document import HELD_STAGES, to_toml
from auditdesk.audit.identity import Identity
from auditdesk.audit.merge import FieldConflict, Prefer, merge_audits
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AUDITS, CONFIG, AuditStore
from auditdesk.store.incoming import refuse_what_a_store_does_not_hold
from auditdesk.store.trust import Finding


class SyncConflict(AuditdeskError):
    def __init__(self, conflicts: list[FieldConflict], kept: str) -> None:
        self.conflicts = conflicts
        lines = "\n".join(f"  - {c}" for c in conflicts)
        super().__init__(
            f"sync stopped: {len(conflicts)} field(s) were changed differently here and on the remote; nothing was changed locally.\n"
            f"{lines}\nThe remote version is kept at {kept}. Settle them with: auditdesk sync --prefer ours (or theirs)"
        )


@dataclass
class SyncResult:
    """What a sync did, for the interface to say."""

    action: str
    merged: list[str] = field(default_factory=list)
    settled: list[FieldConflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Approval tags taken, pushed or refused; audits settled in favour of the side that holds them."""
    foreign: list[str] = field(default_factory=list)
    """Files that came in which a store does not hold (not an audit, not auditdesk.toml):
    nothing of auditdesk's reads or runs them, but someone put them on the hub."""


def is_store_file(path: str) -> bool:
    """What a store holds: audits/<project>.toml and the settings file."""
    folder, _, name = path.rpartition("/")
    return path == CONFIG or (folder == AUDITS and name.endswith(".toml") and "/" not in name)


def merge_audit(path: str, base: bytes | None, ours: bytes, theirs: bytes, store: AuditStore,
                prefer: Prefer | None) -> tuple[bytes, list[FieldConflict]]:
    """Merge one audit file's two versions (`audit.merge`, the merge the terminal app uses too)."""
    parsed = {name: store.parse(raw, f"{path} ({name})")[0] if raw is not None else None
              for name, raw in (("base", base), ("ours", ours), ("theirs", theirs))}
    assert parsed["ours"] is not None and parsed["theirs"] is not None
    result = merge_audits(parsed["base"], parsed["ours"], parsed["theirs"], prefer, source=path)
    conflicts = [FieldConflict(path, c.field, c.ours, c.theirs) for c in result.conflicts]
    if result.audit is None:
        problem = result.problem
        return ours, conflicts + [FieldConflict(path, problem.field if problem else "", "merged result", str(problem))]
    return to_toml(result.audit), conflicts


def sync(store: AuditStore, remote: str, user: Identity, prefer: Prefer | None = None) -> SyncResult:
    """Fetch, merge, push; then fill git's textconv cache for what came in (so `git log -p`
    shows the colleagues' revisions without running the diff driver once per revision)."""
    before = store.repo.head()
    result = _sync(store, remote, user, prefer)
    after = store.repo.head()
    if before is not None and after != before and after is not None:
        result.foreign = [p for p in store.repo.changed(before, after) if not is_store_file(p)]
        store.warm_textconv(since=before)
    return result


def _sync(store: AuditStore, remote: str, user: Identity, prefer: Prefer | None) -> SyncResult:
    repo = store.repo
    local = repo.head()
    incoming = repo.fetch(remote)
    if incoming is not None and incoming != local and not (local is not None and repo.is_ancestor(incoming, local)):
        # what may come in at all (files, names, shapes, text) before whether it was made by the rules:
        # nothing the remote brings is parsed until it passed this
        refuse_what_a_store_does_not_hold(store, remote, repo.merge_base(local, incoming) if local else None, incoming)
    remote_tags = repo.fetch_tags(remote, "approved")
    check_history(store, local, incoming, remote)
    notes = take_approvals(store, remote, remote_tags, incoming)
    if incoming is None:
        push_with_approvals(store, remote, remote_tags, notes)
        return SyncResult("pushed (the remote had no main yet)", notes=notes)
    if local is not None and (incoming == local or repo.is_ancestor(incoming, local)):
        if incoming == local:
            pushed = push_with_approvals(store, remote, remote_tags, notes, only_if_tags=True)
            return SyncResult("up to date" + (" (approval tags pushed)" if pushed else ""), notes=notes)
        push_with_approvals(store, remote, remote_tags, notes)
        return SyncResult("pushed", notes=notes)
    if local is None or repo.is_ancestor(local, incoming):
        incoming_files = {p: _read(store, p, incoming) for p in repo.changed(local, incoming)}
        repo.integrate(incoming_files, parents=[incoming], expected_head=local, author=user, message="sync")
        push_with_approvals(store, remote, remote_tags, notes, only_if_tags=True)
        return SyncResult("fast-forwarded", merged=sorted(incoming_files), notes=notes)
    base = repo.merge_base(local, incoming)
    ours_changed = set(repo.changed(base, local))
    files: dict[str, bytes | None] = {}
    conflicts: list[FieldConflict] = []
    held: list[Held] = []
    merged_audits = []
    for path in repo.changed(base, incoming):
        theirs = _read(store, path, incoming)
        if path not in ours_changed:
            files[path] = theirs
            continue
        ours = _read(store, path, local)
        if ours == theirs:
            continue
        if path.startswith(f"{AUDITS}/") and path.endswith(".toml") and ours is not None and theirs is not None:
            base_bytes = _read(store, path, base) if base else None
            hold = held_by_workflow(store, path, base_bytes, ours, theirs)
            if hold is not None:
                if prefer == hold.side:  # the side that holds it wins whole; the other side's edits stay in history
                    files[path] = ours if hold.side == "ours" else theirs
                    notes.append(f"{hold.project_no}: kept as {hold.stage} {'here' if hold.side == 'ours' else 'on ' + remote}; "
                                 f"the changes from {'the remote' if hold.side == 'ours' else 'here'} to it were not merged")
                else:
                    held.append(hold)
                continue
            result, found = merge_audit(path, base_bytes, ours, theirs, store, prefer)
            conflicts += found
            files[path] = result
            merged_audits.append(path)
        else:
            conflicts.append(FieldConflict(path, "(whole file)", "changed here", "changed on the remote"))
            files[path] = theirs if prefer == "theirs" else ours
    if held:
        kept = repo.keep("held", remote, local)
        raise WorkflowConflict(held, kept, remote, prefer)
    if conflicts and prefer is None:
        kept = repo.keep("sync", remote, incoming)
        raise SyncConflict(conflicts, kept)
    message = f"sync with {remote}: merge" + (f" ({len(conflicts)} conflict(s) settled as {prefer})" if conflicts else "")
    policy = store.config.signatures
    sign = store.signer_for(user) if policy == "all" else None
    if policy == "all" and sign is None:
        raise AuditdeskError(f"this store requires signed commits and {user.name} has no signing key for the merge "
                             "(set AUDITDESK_SIGNING_KEY or load your key in ssh-agent)")
    repo.integrate({p: d for p, d in files.items() if d != _read(store, p, local)}, parents=[local, incoming],
                   expected_head=local, author=user, message=message, sign=sign)
    push_with_approvals(store, remote, remote_tags, notes)
    return SyncResult("merged and pushed", merged=sorted(merged_audits), settled=conflicts, notes=notes)


# ------------------------------------------------------------- the workflow

@dataclass(frozen=True)
class Held:
    """An audit one side moved to review or approved while the other side changed its content."""

    path: str
    project_no: str
    stage: str
    side: Prefer
    """The side where it is under review or approved."""
    by: str
    changes: tuple[str, ...]
    """What the other side changed."""


class WorkflowConflict(AuditdeskError):
    """Content changes meet an audit the other side moved to review or approved: not merged."""

    def __init__(self, held: list[Held], kept: str, remote: str, prefer: Prefer | None) -> None:
        self.held = held
        self.kept = kept
        lines = []
        for h in held:
            fields = ", ".join(h.changes[:6]) + (" …" if len(h.changes) > 6 else "")
            if h.side == "theirs":
                lines.append(f"  - {h.project_no} is {'approved' if h.stage == 'approved' else 'under review'} on {remote} "
                             f"(by {h.by}); your changes to it ({fields}) are not merged into it")
            else:
                lines.append(f"  - {h.project_no} is {'approved' if h.stage == 'approved' else 'under review'} here "
                             f"(by {h.by}); {remote} changed its content ({fields}), which is not merged into it")
        asks = sorted({f"auditdesk reopen {h.project_no} --reason …" if h.stage == "approved"
                       else f"auditdesk return {h.project_no} --to conclusion --reason …" for h in held})
        refused = f" (--prefer {prefer} cannot settle it: the side that holds an audit under review or approved wins)" if prefer else ""
        sides = {h.side for h in held}
        settle = " or ".join(f"auditdesk sync --prefer {side}" for side in sorted(sides))
        super().__init__(
            f"sync stopped: {len(held)} audit(s) moved on by the workflow while they were changed elsewhere; "
            f"nothing was changed locally or on {remote}{refused}.\n" + "\n".join(lines)
            + f"\nYour version is kept at {kept}.\nWhat you can do: have it taken back first "
            f"({'; '.join(asks)}), then sync again to merge the changes; or give them up with: {settle} "
            "(they stay in the history and at that ref)."
        )


def held_by_workflow(store: AuditStore, path: str, base: bytes | None, ours: bytes, theirs: bytes) -> Held | None:
    """Whether one side holds this audit (under review or approved) while the other side changed
    its content since the common revision: such changes are never merged into it."""
    parsed = {name: store.parse(raw, f"{path} ({name})")[0] if raw is not None else None
              for name, raw in (("base", base), ("ours", ours), ("theirs", theirs))}
    old, mine, other = parsed["base"], parsed["ours"], parsed["theirs"]
    assert mine is not None and other is not None
    for side, holder, editor in (("theirs", other, mine), ("ours", mine, other)):
        if holder.stage in HELD_STAGES and (old is None or moves.content_changed(old, editor)):
            if old is not None and not moves.workflow_changed(old, holder) and holder.stage == editor.stage:
                continue  # held on both sides since before: the history check judges the edit
            change = diff_audits(old or editor, editor, store.catalogs.get(editor.catalog.id, editor.catalog.version))
            fields = sorted({f.field.split("[")[0] for f in change.fields} | {f"items.{c.code}" for c in change.items})
            by = holder.transitions[-1].by if holder.transitions else "?"
            return Held(path, holder.project_no, holder.stage, side, by, tuple(fields))  # type: ignore[arg-type]
    return None


class HistoryRefused(AuditdeskError):
    """New commits (here or on the remote) that the workflow did not make: not synced."""

    def __init__(self, findings: list[Finding], side: str, remote: str, kept: str) -> None:
        self.findings = findings
        lines = "\n".join(f"  - {f}" for f in findings[:20]) + (f"\n  … and {len(findings) - 20} more" if len(findings) > 20 else "")
        if side == "local":
            first = findings[0].commit
            advice = (f"Nothing was pushed. Take them out of your history (for example: git reset --keep {first}~1, "
                      "then redo the changes with auditdesk commands) and sync again.")
        else:
            advice = (f"Nothing was merged; {remote}'s version is kept at {kept} for inspection. "
                      "Ask whoever pushed them (or an administrator) to repair the hub.")
        where = "your history" if side == "local" else f"{remote}'s history"
        super().__init__(f"sync refused: {len(findings)} change(s) in {where} were not made through auditdesk's "
                         f"workflow rules:\n{lines}\n{advice}")


def check_history(store: AuditStore, local: str | None, incoming: str | None, remote: str) -> None:
    """Refuse to sync commits, on either side since the common revision, that change the stage
    by hand, skip the workflow's rules or lack a signature the store requires."""
    repo = store.repo
    base = repo.merge_base(local, incoming) if local and incoming else None
    for side, head in (("local", local), ("remote", incoming)):
        if head is None:
            continue
        other = incoming if side == "local" else local
        if other is not None and (head == other or repo.is_ancestor(head, other)):
            continue  # nothing new on this side
        findings = store.trust.check_range(head, base)
        if findings:
            kept = repo.keep("refused", remote, head) if side == "remote" else ""
            raise HistoryRefused(findings, side, remote, kept)


# ------------------------------------------------------------ approval tags

def take_approvals(store: AuditStore, remote: str, fetched: dict[str, tuple[str, str]], incoming: str | None) -> list[str]:
    """Take the remote's approval tags we lack, each checked (the approval is legitimate, signed
    where required) and naming a revision on the remote's main; the others are refused, with why."""
    repo = store.repo
    ours = repo.tag_objects("approved")
    on_main = set(repo.rev_list(incoming)) if incoming else set()
    notes: list[str] = []
    updates: list[tuple[str, str, str | None]] = []
    for name, (oid, commit) in sorted(fetched.items()):
        if name in ours:
            if ours[name][0] != oid:
                notes.append(f"approval tag {name} is different here and on {remote}; ours is kept")
            continue
        problem = _tag_problem(store, name, oid, commit, on_main, f"{remote}'s main")
        if problem:
            notes.append(f"refused approval tag {name} from {remote}: {problem}")
            continue
        updates.append((f"refs/tags/{name}", oid, None))
        notes.append(f"took approval tag {name} from {remote}")
    if updates:
        repo.update_refs(updates, "auditdesk: sync approvals")
    return notes


def _tag_problem(store: AuditStore, name: str, oid: str, commit: str, on_main: set[str], main: str) -> str | None:
    """Why an approval tag may not travel (None when it may): it must name a revision on ``main``
    and hold as an approval of it."""
    if commit not in on_main:
        return f"it names revision {commit[:12]}, which is not on {main}"
    try:
        checked = store.trust.check_tag(name, oid, commit)
    except AuditdeskError as exc:
        return str(exc).splitlines()[0]
    return checked.problems[0] if checked.problems else None


def push_with_approvals(store: AuditStore, remote: str, theirs: dict[str, tuple[str, str]], notes: list[str], *,
                        only_if_tags: bool = False) -> bool:
    """Push ``main`` with the approval tags the remote lacks, in one atomic push; a tag naming a
    revision that is not on our main, or one that does not hold, stays here (noted)."""
    repo = store.repo
    head = repo.head()
    on_main = set(repo.rev_list(head)) if head else set()
    tags = []
    for name, (oid, commit) in sorted(repo.tag_objects("approved").items()):
        if name in theirs:
            continue
        problem = _tag_problem(store, name, oid, commit, on_main, "main")
        if problem:
            notes.append(f"approval tag {name} not pushed: {problem}")
            continue
        tags.append(name)
    if only_if_tags and not tags:
        return False
    repo.push(remote, tuple(tags))
    notes += [f"pushed approval tag {name}" for name in tags]
    return True


def _read(store: AuditStore, path: str, commit: str) -> bytes | None:
    blob = store.repo.blob_id(path, commit)
    return None if blob is None else store.repo.read_blob(blob)
