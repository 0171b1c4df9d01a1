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


#: Arguments that are free text (newlines and tabs allowed); every other text argument is one line.
FREE_TEXT_ARGS = frozenset({"org", "note", "reason", "comment"})
_PROJECT_NUMBERS = frozenset({"audit", "project_no", "against", "previous"})
#: Positional arguments, named as the usage line names them.
_POSITIONAL = frozenset({"audit", "scores", "files", "rev_a", "rev_b", "key", "remote", "report", "file", "id"})


def refuse_unsafe_arguments(args: argparse.Namespace) -> None:
    """No argument may hold a control character or a bidirectional override
    (they would end up in the store, or on someone's terminal)."""
    from auditdesk.errors import InvalidInput
    from auditdesk.safetext import refusal

    for name, value in vars(args).items():
        if name in _PROJECT_NUMBERS:
            continue  # checked as project numbers, naming what a file name cannot hold
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                why = refusal(text, allow="\n\t" if name in FREE_TEXT_ARGS else "")
                if why:
                    shown = name.upper() if name in _POSITIONAL else f"--{name.replace('_', '-')}"
                    raise InvalidInput.single(shown.replace("_", "-"), "", why)
