"""What every command gets: its parsed arguments, the store opened on first use, the acting user."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.paths import default_store

if TYPE_CHECKING:
    from auditdesk.audit.identity import Identity
    from auditdesk.store.audits import AuditStore


class Context:
    """Parsed arguments and a lazily opened store: commands that need no store never open one."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.store_path: Path = Path(args.store) if getattr(args, "store", None) else default_store()
        self._store: AuditStore | None = None

    @property
    def store(self) -> AuditStore:
        if self._store is None:
            from auditdesk.store.audits import AuditStore

            self._store = AuditStore.open(self.store_path, create=True)
            for line in self._store.recovered:
                print(f"auditdesk: note: {line}", file=sys.stderr)
        return self._store

    @property
    def user(self) -> Identity:
        """Who acts: the SSH key's person (``--as``, set by the forced command), else --user,
        $AUDITDESK_USER or the store's git config, resolved to a registered person when the
        store has a registry."""
        from auditdesk.store.people import resolve_identity

        forced = getattr(self.args, "as_person", None)
        if forced is not None:
            self.store.key_from_config = False  # the service account's config is nobody's key
            return resolve_identity(None, self.store.repo, people=self.store.people, forced=forced)
        return resolve_identity(getattr(self.args, "user", None), self.store.repo, people=self.store.people)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def now() -> dt.datetime:
    """The time a command records (a stage move), to the second, with the local offset."""
    return dt.datetime.now(dt.UTC).astimezone().replace(microsecond=0)
