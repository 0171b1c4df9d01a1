"""Which revision of each audit a user last looked at in the review view.

Kept in the user's state folder (`auditdesk.paths.seen_path`), by
store folder, user and project number: it is the user's own reading
position, so it stays out of a store that others share (and works when the
store is read-only).  Losing the file only loses the default comparison.
"""

from __future__ import annotations

import json
from pathlib import Path

from auditdesk.audit.identity import Identity
from auditdesk.errors import AuditdeskError
from auditdesk.fileio import write_atomic


class Seen:
    """The last revision `user` saw of each audit of the store at `root`."""

    def __init__(self, path: Path, root: Path, user: Identity) -> None:
        self.path = path
        self.keys = (str(root.resolve()), f"{user.name} <{user.email}>")

    def _read(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, project_no: str) -> str | None:
        store, user = self.keys
        found = self._read().get(store, {}).get(user, {}).get(project_no)
        return found if isinstance(found, str) else None

    def put(self, project_no: str, commit: str) -> None:
        """Remember `commit`; a file that cannot be written is ignored (it is only a convenience)."""
        store, user = self.keys
        data = self._read()
        data.setdefault(store, {}).setdefault(user, {})[project_no] = commit
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        except (OSError, AuditdeskError):
            pass
