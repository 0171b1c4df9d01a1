"""One open audit: the edit in memory, the revision it started from, saving.

The TUI never writes files itself: every save goes through
`AuditStore.save(..., base=...)`, so a concurrent change by someone else
raises `Conflict` instead of being overwritten.  After a save the returned
blob is the base of the next one.  A conflict is settled without losing
anything typed: either the other person's revision is reloaded and this
session's changes are applied on top of it, or this session's version is
saved over it (theirs stays in the history).
"""

from __future__ import annotations

import copy
from typing import Any

from auditdesk.criteria import tomldata
from auditdesk.criteria.results import ItemResult
from auditdesk.criteria.scoring import Scorecard, score_audit
from auditdesk.store.audits import AuditStore, Loaded
from auditdesk.store.document import Audit, from_toml
from auditdesk.store.gitrepo import Identity
from auditdesk.store.workflow import edit_refusal

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
    def refusal(self) -> str | None:
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
