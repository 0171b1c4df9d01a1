"""Sync a store with a git remote: fetch, merge audit by audit and field by field, push.

Edits of different audits merge without help.  Two people changing the same
audit merge field by field (and item by item) from the common revision; only
when both changed the same field differently does sync stop, changing
nothing locally, keeping the remote version on a side ref and naming every
conflicting field — `--prefer ours|theirs` then settles them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from auditdesk.audit.diff import show
from auditdesk.audit.document import Audit, to_toml
from auditdesk.audit.identity import Identity
from auditdesk.criteria import tomldata
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AUDITS, CONFIG, AuditStore

Prefer = Literal["ours", "theirs"]
_MISSING = object()


@dataclass(frozen=True)
class FieldConflict:
    path: str
    field: str
    ours: Any
    theirs: Any

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: ours {show(_shown(self.ours))} / theirs {show(_shown(self.theirs))}"


def _shown(value: Any) -> Any:
    return "(absent)" if value is _MISSING else value


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
    action: str
    merged: list[str] = field(default_factory=list)
    settled: list[FieldConflict] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    """Files that came in which a store does not hold (not an audit, not auditdesk.toml):
    nothing of auditdesk's reads or runs them, but someone put them on the hub."""


def is_store_file(path: str) -> bool:
    """What a store holds: audits/<project>.toml and the settings file."""
    folder, _, name = path.rpartition("/")
    return path == CONFIG or (folder == AUDITS and name.endswith(".toml") and "/" not in name)


def merge3(base: Any, ours: Any, theirs: Any, prefer: Prefer | None, at: str = "") -> tuple[Any, list[FieldConflict]]:
    """Three-way merge of plain TOML data; tables merge key by key, anything else whole."""
    if ours == theirs:
        return ours, []
    if ours == base:
        return theirs, []
    if theirs == base:
        return ours, []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        base_dict = base if isinstance(base, dict) else {}
        merged: dict[str, Any] = {}
        conflicts: list[FieldConflict] = []
        for key in list(ours) + [k for k in theirs if k not in ours]:
            value, found = merge3(base_dict.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING),
                                  prefer, f"{at}.{key}" if at else key)
            conflicts += found
            if value is not _MISSING:
                merged[key] = value
        return merged, conflicts
    conflict = FieldConflict("", at, ours, theirs)
    return (theirs if prefer == "theirs" else ours), [conflict]


def merge_audit(path: str, base: bytes | None, ours: bytes, theirs: bytes, store: AuditStore,
                prefer: Prefer | None) -> tuple[bytes, list[FieldConflict]]:
    data = {name: tomldata.to_data(store.parse(raw, f"{path} ({name})")[0]) if raw is not None else None
            for name, raw in (("base", base), ("ours", ours), ("theirs", theirs))}
    merged, conflicts = merge3(data["base"], data["ours"], data["theirs"], prefer)
    conflicts = [FieldConflict(path, c.field, c.ours, c.theirs) for c in conflicts]
    reader = tomldata.Reader("", path)
    audit = reader.record(Audit, merged)
    if audit is None or reader.problems:
        problem = reader.problems[0] if reader.problems else None
        return ours, conflicts + [FieldConflict(path, problem.field if problem else "", "merged result", str(problem))]
    return to_toml(audit), conflicts


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
    if incoming is None:
        repo.push(remote)
        return SyncResult("pushed (the remote had no main yet)")
    if local is not None and (incoming == local or repo.is_ancestor(incoming, local)):
        if incoming == local:
            return SyncResult("up to date")
        repo.push(remote)
        return SyncResult("pushed")
    if local is None or repo.is_ancestor(local, incoming):
        incoming_files = {p: _read(store, p, incoming) for p in repo.changed(local, incoming)}
        repo.integrate(incoming_files, parents=[incoming], expected_head=local, author=user, message="sync")
        return SyncResult("fast-forwarded", merged=sorted(incoming_files))
    base = repo.merge_base(local, incoming)
    ours_changed = set(repo.changed(base, local))
    files: dict[str, bytes | None] = {}
    conflicts: list[FieldConflict] = []
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
            result, found = merge_audit(path, _read(store, path, base) if base else None, ours, theirs, store, prefer)
            conflicts += found
            files[path] = result
            merged_audits.append(path)
        else:
            conflicts.append(FieldConflict(path, "(whole file)", "changed here", "changed on the remote"))
            files[path] = theirs if prefer == "theirs" else ours
    if conflicts and prefer is None:
        kept = repo.keep("sync", remote, incoming)
        raise SyncConflict(conflicts, kept)
    message = f"sync with {remote}: merge" + (f" ({len(conflicts)} conflict(s) settled as {prefer})" if conflicts else "")
    repo.integrate({p: d for p, d in files.items() if d != _read(store, p, local)}, parents=[local, incoming],
                   expected_head=local, author=user, message=message)
    repo.push(remote)
    return SyncResult("merged and pushed", merged=sorted(merged_audits), settled=conflicts)


def _read(store: AuditStore, path: str, commit: str) -> bytes | None:
    blob = store.repo.blob_id(path, commit)
    return None if blob is None else store.repo.read_blob(blob)


