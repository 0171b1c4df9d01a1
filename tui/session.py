"""One open audit: the edit in memory, the revision it started from, saving in the background.

The TUI never writes files itself: every save goes through
`AuditStore.save(..., base=...)`, so a concurrent change by someone else
raises `Conflict` instead of being overwritten.  After a save the returned
blob is the base of the next one.

Edits change `audit` in memory at once, on the UI thread; `request_save`
hands a private copy of it to a saver thread, which commits copies in the
order they were asked for (a copy still waiting when a newer one arrives is
replaced by it: the newer one holds every edit of the older).  The UI never
waits for git while an auditor types.  Each save's outcome is handed to
`on_saved` from the saver thread (the app posts it to itself); a failed
save names the targets (items, fields) it held, so the app shows the error
against them and keeps what was typed.  A conflict pauses the saver until
it is settled: with the store's field-by-field merge (`audit.merge`),
each field changed on both sides chosen by the user, or by saving this
version over theirs (theirs stays in the history).

Stage moves go through the domain's workflow functions, committed with
`AuditStore.transition` from this session's base (approval through
`desk.actions.approve`, which also tags the revision), after the saver
has finished.

Why this module is long: the saver thread, the pause on a conflict, its
settling and undo share one lock and one queue of pending copies; split
apart, each piece would have to reach into the others' state.  The merge
itself is the store's (`audit.merge`), not here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditdesk.audit.document import Audit
from auditdesk.audit.identity import Identity
from auditdesk.audit.merge import AuditMerge, FieldConflict, Prefer, merge_audits
from auditdesk.audit.workflow import NotAllowed, edit_refusal, on_team
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, score_audit
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AuditStore, Loaded
from auditdesk.store.git import Conflict, GitError, Revision


class Outdated(AuditdeskError):
    """The stored audit moved on since this session loaded it."""


Change = Callable[[Audit], str]
"""A workflow step (`workflow.advance` and friends, bound to their arguments): changes
the audit in memory, returns the commit message, raises NotAllowed or Blocked."""

_ABSENT = object()


def snapshot(value: Any) -> Any:
    """A copy of an audit (or part of one) that later edits cannot reach: mutable
    dataclasses, dicts and lists are copied, frozen values shared.  Much cheaper than
    `copy.deepcopy`, so the UI thread can take one per keystroke that saves."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return value
        out = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(out, f.name, snapshot(getattr(value, f.name)))
        return out
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(snapshot(v) for v in value)
    return value


def get_path(audit: Audit, path: str) -> Any:
    """The value at a dotted path; "items.B17" is an item's result (None when unscored)."""
    if path.startswith("items."):
        return audit.items.get(path[6:])
    value: Any = audit
    for name in path.split("."):
        value = getattr(value, name)
    return value


def put_path(audit: Audit, path: str, value: Any) -> None:
    """Set the value at a dotted path; an item set to None or an empty result is unscored."""
    if path.startswith("items."):
        code = path[6:]
        if value is None or value == ItemResult():
            audit.items.pop(code, None)
        else:
            audit.items[code] = value
        return
    parent, _, name = path.rpartition(".")
    setattr(get_path(audit, parent) if parent else audit, name, value)


@dataclass(frozen=True)
class Saved:
    """What one save did: `commit` (None: nothing to commit) or `error`; `targets` are the
    items and fields it held ("items.B17", "planning.contact.name"), `version` the edit it
    saved up to."""

    version: int
    targets: frozenset[str]
    commit: str | None = None
    error: AuditdeskError | None = None


@dataclass
class _Job:
    version: int
    audit: Audit
    targets: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Undo:
    """One change of this user, to take back: each path with the value before and after it."""

    label: str
    values: tuple[tuple[str, Any, Any], ...]


class AuditSession:
    """The audit being edited, the blob each save is based on, and the saver thread."""

    def __init__(self, store: AuditStore, loaded: Loaded, user: Identity, commit: str | None,
                 on_saved: Callable[[Saved], None] | None = None) -> None:
        """`commit` is the revision `loaded` was read at (shown, and named in the report);
        `on_saved` hears every save's outcome, on the saver thread."""
        self.store = store
        self.user = user
        self.commit = commit
        self.catalog = loaded.catalog
        self.on_saved = on_saved
        self.edits = 0
        """Counts changes to the audit, so views can tell whether to redraw."""
        self.rejected: dict[str, str] = {}
        """Form fields holding text that is not valid, so not in the audit: path → field label."""
        self.unsaved: dict[str, str] = {}
        """Targets whose last save failed: target → why (shown against the item or field)."""
        self.undo_stack: list[Undo] = []
        self.proposals: dict[str, ItemResult] = {}
        """Last year's results (the audit this one follows), offered for unscored items."""
        self._lock = threading.Condition()
        self._save_lock = threading.Lock()
        self._pending: _Job | None = None
        self._busy = False
        self._paused: Conflict | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._rejoin: tuple[object, bool] | None = None
        self.last: Saved | None = None
        """The outcome of the newest save."""
        self.version = 0
        self._saved_version = 0
        self._targets: set[str] = set()
        """Targets changed since the last save was asked for."""
        self._start(loaded)
        self._load_proposals()

    def _start(self, loaded: Loaded) -> None:
        self.edits += 1
        self.audit: Audit = loaded.audit
        with self._lock:
            self.base: str | None = loaded.blob
            self._base_audit = snapshot(loaded.audit)
            self._saved_version = self.version

    def _load_proposals(self) -> None:
        previous = self.audit.previous
        if not previous:
            return
        try:
            earlier = self.store.load(previous).audit
        except (AuditdeskError, GitError):
            return  # a follow-up of an audit that is not in this store: nothing to propose
        if earlier.catalog.id == self.audit.catalog.id:
            self.proposals = {code: dataclasses.replace(result, note="")
                              for code, result in earlier.items.items() if code in self.catalog.items and result.is_scored}

    # --- state ----------------------------------------------------------------

    @property
    def project_no(self) -> str:
        return self.audit.project_no

    @property
    def dirty(self) -> bool:
        """Edits in memory that no save has committed yet (asked for or not)."""
        with self._lock:
            return self.version != self._saved_version

    @property
    def saving(self) -> bool:
        """A save is waiting or running."""
        with self._lock:
            return self._busy or (self._pending is not None and self._paused is None)

    @property
    def conflict(self) -> Conflict | None:
        """The conflict the saver stopped at, until it is settled."""
        with self._lock:
            return self._paused

    @property
    def refusal(self) -> NotAllowed | None:
        """Why this user may not edit the audit now (stage, team), or None."""
        return edit_refusal(self.audit, self.user)

    def may_rejoin(self) -> bool:
        """This user is off the team but may put themselves back (the creator, or its leader when they left)."""
        if self.audit.stage in ("review", "approved") or on_team(self.audit, self.user):
            return False
        key = (self.base, tuple((m.name, m.person) for m in self.audit.planning.team))
        if self._rejoin is None or self._rejoin[0] != key:
            self._rejoin = (key, self.store.may_rejoin(self.project_no, self.audit, self.user))
        return self._rejoin[1]

    def scorecard(self) -> Scorecard:
        return score_audit(self.catalog, self.audit.items, self.audit.special)

    # --- editing ----------------------------------------------------------------

    def set_item(self, code: str, result: ItemResult) -> None:
        """Record an item result; an empty result removes the item (unscored)."""
        self.set(f"items.{code}", result if result != ItemResult() else None, label=code)

    def set(self, path: str, value: Any, label: str = "") -> None:
        """Change the value at `path` (undoable); nothing happens when it is already that."""
        old = get_path(self.audit, path)
        if old == value:
            return
        put_path(self.audit, path, copy.copy(value))
        top = self.undo_stack[-1] if self.undo_stack else None
        if top is not None and len(top.values) == 1 and top.values[0][0] == path and path in self._targets:
            self.undo_stack[-1] = Undo(top.label, ((path, top.values[0][1], value),))  # still typing in one field
        else:
            self.undo_stack.append(Undo(label or path, ((path, old, value),)))
            del self.undo_stack[:-100]
        self.touch(path)

    def set_many(self, values: Mapping[str, Any], label: str) -> None:
        """Change several values as one undoable step (a section filled at once)."""
        changes = tuple((path, get_path(self.audit, path), value) for path, value in values.items()
                        if get_path(self.audit, path) != value)
        if not changes:
            return
        for path, _, value in changes:
            put_path(self.audit, path, value)
        self.undo_stack.append(Undo(label, changes))
        self.touch(*(path for path, _, _ in changes))

    def undo(self) -> tuple[Undo | None, list[str]]:
        """Take back this user's last change: (the change, the paths someone else changed since, left as they are)."""
        if not self.undo_stack:
            return None, []
        last = self.undo_stack.pop()
        kept = [path for path, _, new in last.values if get_path(self.audit, path) != new]
        back = [(path, old) for path, old, new in last.values if get_path(self.audit, path) == new]
        for path, old in back:
            put_path(self.audit, path, old)
        if back:
            self.touch(*(path for path, _ in back))
        return last, kept

    def touch(self, *targets: str) -> None:
        """Mark the audit as edited in place (at `targets`, the paths that changed)."""
        self.edits += 1
        self._targets.update(targets)
        with self._lock:
            self.version += 1

    # --- saving -------------------------------------------------------------------

    def request_save(self) -> None:
        """Save the audit as it is now, in the background, after the saves asked for before."""
        if not self.dirty:
            return
        targets, self._targets = self._targets, set()
        job = _Job(self.version, snapshot(self.audit), targets)
        with self._lock:
            if self._pending is not None:
                job.targets |= self._pending.targets
            self._pending = job
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name=f"auditdesk-save-{self.project_no}", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every save asked for has run (or the saver stopped at a conflict);
        False if `timeout` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._busy and (self._pending is None or self._paused is not None), timeout)

    def close(self) -> None:
        """Stop the saver thread once it has saved what it was asked to (see `flush`)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._closed or (self._pending is not None and self._paused is None))
                if self._pending is None or self._paused is not None:
                    return  # closed
                job, self._pending = self._pending, None
                self._busy = True
            try:
                outcome = self._save(job)
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()
            if self.on_saved is not None:
                self.on_saved(outcome)

    def _save(self, job: _Job) -> Saved:
        """Commit one copy (any thread); the outcome, never an exception."""
        targets = frozenset(job.targets)
        try:
            commit = self._commit(job.audit, job.version)
        except Conflict as exc:
            with self._lock:
                self._paused = exc
                if self._pending is None:  # the edits stay to be saved once settled
                    self._pending = job
                else:
                    self._pending.targets |= job.targets
            outcome = Saved(job.version, targets, error=exc)
        except (AuditdeskError, GitError) as exc:
            outcome = Saved(job.version, targets, error=exc)
        except Exception as exc:  # noqa: BLE001 - a saver thread that died would lose every later save
            outcome = Saved(job.version, targets, error=AuditdeskError(f"{type(exc).__name__}: {exc}"))
        else:
            outcome = Saved(job.version, targets, commit=commit)
        self.last = outcome
        return outcome

    def _commit(self, audit: Audit, version: int) -> str | None:
        with self._save_lock:
            with self._lock:
                base = self.base
            result = self.store.save(audit, base=base, user=self.user)
            with self._lock:
                self.base = result.blob
                self._base_audit = audit
                self._saved_version = max(self._saved_version, version)
                self.commit = result.commit or self.commit
            return result.commit

    def save(self) -> str | None:
        """Commit the audit now, on this thread, if it was edited: the new commit, or None when
        there was nothing to commit.  Conflict, NotAllowed and InvalidInput reach the caller."""
        self.flush()
        if not self.dirty:
            return None
        with self._lock:
            self._pending = None
        self._targets.clear()
        return self._commit(snapshot(self.audit), self.version)

    def saved(self, outcome: Saved) -> None:
        """On the UI thread, once an outcome arrives: keep which targets are not saved, and why."""
        if outcome.error is None:
            for target in outcome.targets:
                self.unsaved.pop(target, None)
            if not self.dirty:
                self.unsaved.clear()
        elif not isinstance(outcome.error, Conflict):
            for target in outcome.targets:
                self.unsaved[target] = str(outcome.error).splitlines()[0]

    # --- stage moves --------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The time a stage move records: the store's commit clock, to the second."""
        return self.store.repo.clock().replace(microsecond=0)

    def try_change(self, change: Change) -> str:
        """Run a workflow step on a copy: its refusal (NotAllowed, Blocked) without a commit."""
        return change(copy.deepcopy(self.audit))

    def transition(self, change: Change) -> str | None:
        """Commit a workflow step on the saved audit (save edits first); the session then
        holds the moved audit.  A change by someone else since `base` raises Conflict."""
        self.flush()
        assert not self.dirty, "save before a stage move"
        loaded = Loaded(copy.deepcopy(self.audit), self.catalog, self.base, self.store.path_of(self.project_no))
        result = self.store.transition(loaded, change, self.user)
        self._start(Loaded(loaded.audit, self.catalog, result.blob, loaded.path))
        self.commit = result.commit or self.commit
        return result.commit

    def approve(self, comments: str) -> str:
        """Approve through `report.provenance` (a commit and a tag); returns the tag name.

        Approval reads the stored audit itself, so it is refused unless that is
        the revision this session shows: a reviewer approves what they saw.
        """
        from auditdesk.desk.actions import approve

        self.flush()
        assert not self.dirty, "save before a stage move"
        if self.stale():
            raise Outdated(f"{self.project_no} changed since it was loaded here; look at it again before approving",
                           zh=f"{self.project_no} 在此载入后已被修改; 批准前请重新查看")
        tag = approve(self.store, self.project_no, self.user, self.now(), comments)
        self._start(self.store.load(self.project_no))
        self.commit = tag.commit
        return tag.name

    def stale(self) -> bool:
        """True when the stored audit is no longer the revision this session started from."""
        with self._lock:
            base = self.base
        return self.store.repo.blob_id(self.store.path_of(self.project_no)) != base

    def refresh(self) -> bool:
        """Take up someone else's newer revision when nothing here is unsaved; True if it did."""
        if self.dirty or self.rejected or self.saving or self.conflict or not self.stale():
            return False
        self._start(self.store.load(self.project_no))
        self.commit = self.store.log(self.project_no, limit=1)[0].commit
        return True

    # --- conflicts ------------------------------------------------------------------

    def merge_with_theirs(self, choices: Mapping[str, Prefer] | None = None) -> AuditMerge:
        """The store's field-by-field merge of this session's edits with the stored revision:
        what it would give with `choices` (field → ours/theirs; ours by default), changing nothing."""
        theirs = self.store.load(self.project_no)
        with self._lock:
            base = self._base_audit
        return merge_audits(base, self.audit, theirs.audit, choices=choices, source=f"{self.project_no} (merged)")

    def who_set(self, fields: Iterable[str]) -> dict[str, Revision]:
        """For each field, the newest revision since this session's base that changed it."""
        from auditdesk.criteria import tomldata

        wanted = set(fields)
        found: dict[str, Revision] = {}
        with self._lock:
            base = self.base
        path = self.store.path_of(self.project_no)
        revisions = self.store.log(self.project_no, limit=50)
        values: list[tuple[Revision, dict[str, Any]]] = []
        for revision in revisions:
            blob = self.store.repo.blob_id(path, revision.commit)
            if blob is None:
                break
            data = tomldata.to_data(self.store.parse(self.store.repo.read_blob(blob), f"{path}@{revision.commit[:7]}")[0])
            values.append((revision, data))
            if blob == base:
                break
        for (revision, newer), (_, older) in itertools.pairwise(values):
            for name in wanted - found.keys():
                if _dig(newer, name) != _dig(older, name):
                    found[name] = revision
        return found

    def settle(self, choices: Mapping[str, Prefer] | None = None) -> AuditMerge:
        """Take up the stored revision merged with this session's edits, conflicts settled by
        `choices` (ours where not given); the next save (`request_save`) commits the result."""
        theirs = self.store.load(self.project_no)
        with self._lock:
            base = self._base_audit
        result = merge_audits(base, self.audit, theirs.audit, choices=choices, source=f"{self.project_no} (merged)")
        if result.audit is None:
            raise AuditdeskError(f"the merged audit is not valid: {result.problem}",
                                 zh=f"合并后的项目无效: {result.problem}")
        self._adopt(theirs, result.audit, [c.field for c in result.conflicts] + result.taken)
        return result

    def rebase_on_theirs(self) -> None:
        """Reload the stored revision and re-apply this session's edits on top (the store's
        merge; where both changed a value, this session's wins).  The next save commits it."""
        self.settle()

    def overwrite_theirs(self) -> None:
        """Base the next save on the stored revision, so this version replaces it."""
        theirs = self.store.load(self.project_no)
        self._adopt(theirs, self.audit, [])

    def _adopt(self, theirs: Loaded, audit: Audit, targets: list[str]) -> None:
        with self._lock:
            self._paused = None
            self._pending = None
        self._start(theirs)
        self.commit = self.store.log(self.project_no, limit=1)[0].commit
        self.audit = audit
        self.touch(*targets)

    def later(self) -> None:
        """Leave a conflict unsettled for now: nothing is saved until it is settled."""


def _dig(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(data, dict):
            return _ABSENT
        data = data.get(key, _ABSENT)
    return data


__all__ = ["AuditSession", "Change", "FieldConflict", "Outdated", "Saved", "Undo", "get_path", "put_path", "snapshot"]
