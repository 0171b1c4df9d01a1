"""One open audit: the edit in memory, the revision it started from, saving.

The TUI never writes files itself: every save goes through
`AuditStore.save(..., base=...)`, so a concurrent change by someone else
raises `Conflict` instead of being overwritten.  After a save the returned
blob is the base of the next one.  A conflict is settled without losing
anything typed: either the other person's revision is reloaded and this
session's changes are applied on top of it, or this session's version is
saved over it (theirs stays in the history).

Stage moves go through the domain's workflow functions, committed with
`AuditStore.transition` from this session's base (approval through
`desk.actions.approve`, which also tags the revision).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from auditdesk.audit.document import Audit, from_toml
from auditdesk.audit.identity import Identity
from auditdesk.audit.workflow import NotAllowed, edit_refusal
from auditdesk.criteria import tomldata
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, score_audit
from auditdesk.errors import AuditdeskError
from auditdesk.store.audits import AuditStore, Loaded


class Outdated(AuditdeskError):
    """The stored audit moved on since this session loaded it."""


Change = Callable[[Audit], str]
"""A workflow step (`workflow.advance` and friends, bound to their arguments): changes
the audit in memory, returns the commit message, raises NotAllowed or Blocked."""

_ABSENT = object()


class AuditSession:
    """The audit being edited and the blob each save is based on."""

    def __init__(self, store: AuditStore, loaded: Loaded, user: Identity, commit: str | None) -> None:
        """`commit` is the revision `loaded` was read at (shown, and named in the report)."""
        self.store = store
        self.user = user
        self.commit = commit
        self.catalog = loaded.catalog
        self.edits = 0
        """Counts changes to the audit, so views can tell whether to redraw."""
        self.rejected: dict[str, str] = {}
        """Form fields holding text that is not valid, so not in the audit: path → field label."""
        self._start(loaded)

    def _start(self, loaded: Loaded) -> None:
        self.edits += 1
        self.audit: Audit = loaded.audit
        self.base: str | None = loaded.blob
        self._base_audit = copy.deepcopy(loaded.audit)
        self.dirty = False

    @property
    def project_no(self) -> str:
        return self.audit.project_no

    @property
    def refusal(self) -> NotAllowed | None:
        """Why this user may not edit the audit now (stage, team), or None."""
        return edit_refusal(self.audit, self.user)

    def scorecard(self) -> Scorecard:
        return score_audit(self.catalog, self.audit.items, self.audit.special)

    def set_item(self, code: str, result: ItemResult) -> None:
        """Record an item result; an empty result removes the item (unscored)."""
        if result == ItemResult():
            self.audit.items.pop(code, None)
        else:
            self.audit.items[code] = result
        self.touch()

    def touch(self) -> None:
        """Mark the audit as edited in place (forms change it directly)."""
        self.dirty = True
        self.edits += 1

    def save(self) -> str | None:
        """Commit the audit if it was edited: the new commit, or None when there was nothing
        to commit.  Conflict, NotAllowed and InvalidInput reach the caller unchanged."""
        if not self.dirty:
            return None
        result = self.store.save(self.audit, base=self.base, user=self.user)
        self.base = result.blob
        self._base_audit = copy.deepcopy(self.audit)
        self.dirty = False
        self.commit = result.commit or self.commit
        return result.commit

    def now(self) -> dt.datetime:
        """The time a stage move records: the store's commit clock, to the second."""
        return self.store.repo.clock().replace(microsecond=0)

    def try_change(self, change: Change) -> str:
        """Run a workflow step on a copy: its refusal (NotAllowed, Blocked) without a commit."""
        return change(copy.deepcopy(self.audit))

    def transition(self, change: Change) -> str | None:
        """Commit a workflow step on the saved audit (save edits first); the session then
        holds the moved audit.  A change by someone else since `base` raises Conflict."""
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

        assert not self.dirty, "save before a stage move"
        if self.stale():
            raise Outdated(f"{self.project_no} changed since it was loaded here; look at it again before approving")
        tag = approve(self.store, self.project_no, self.user, self.now(), comments)
        self._start(self.store.load(self.project_no))
        self.commit = tag.commit
        return tag.name

    def stale(self) -> bool:
        """True when the stored audit is no longer the revision this session started from."""
        return self.store.repo.blob_id(self.store.path_of(self.project_no)) != self.base

    def refresh(self) -> bool:
        """Take up someone else's newer revision when nothing here is unsaved; True if it did."""
        if self.dirty or self.rejected or not self.stale():
            return False
        self._start(self.store.load(self.project_no))
        self.commit = self.store.log(self.project_no, limit=1)[0].commit
        return True

    def rebase_on_theirs(self) -> None:
        """Reload the stored revision and re-apply this session's edits on top.

        Values this session changed win; everything else is theirs.  The audit
        stays dirty, so the next save commits the merged result.
        """
        theirs = self.store.load(self.project_no)
        merged = _merge(tomldata.to_data(self._base_audit), tomldata.to_data(self.audit), tomldata.to_data(theirs.audit))
        audit = from_toml(tomldata.dumps(merged), f"{self.project_no} (merged)", self.catalog)
        self._start(theirs)
        self.audit = audit
        self.touch()

    def overwrite_theirs(self) -> None:
        """Base the next save on the stored revision, so this version replaces it."""
        self.base = self.store.load(self.project_no).blob
        self.touch()


def _merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Three-way merge of nested TOML data: keys changed in `mine` take mine."""
    out = dict(theirs)
    for key in base.keys() | mine.keys():
        old, new = base.get(key, _ABSENT), mine.get(key, _ABSENT)
        if old == new:
            continue
        other = theirs.get(key, _ABSENT)
        if isinstance(old, dict) and isinstance(new, dict) and isinstance(other, dict):
            out[key] = _merge(old, new, other)
        elif new is _ABSENT:
            out.pop(key, None)
        else:
            out[key] = new
    return out
