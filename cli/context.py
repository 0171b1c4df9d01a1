"""What every command gets: its parsed arguments, the store opened on first use, the acting user."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.errors import AuditdeskError
from auditdesk.paths import default_store

if TYPE_CHECKING:
    from auditdesk.audit.identity import Identity
    from auditdesk.store.audits import AuditStore


#: The commands that create the store they are given; every other command refuses a
#: missing one, so a mistyped --store fails instead of quietly starting an empty store.
CREATE_STORE = frozenset({"init", "demo"})


class Context:
    """Parsed arguments and a lazily opened store: commands that need no store never open one."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.store_path: Path = Path(args.store) if getattr(args, "store", None) else default_store()
        self._store: AuditStore | None = None

    @property
    def store_named(self) -> str | None:
        """How the user named the store (``--store``, ``$AUDITDESK_STORE``), or None for the default store."""
        if getattr(self.args, "store", None):
            return "--store"
        return "$AUDITDESK_STORE" if os.environ.get("AUDITDESK_STORE") else None

    @property
    def may_create_store(self) -> bool:
        """Only `init`, `demo` and the first use of the default store create a store."""
        return self.store_named is None or getattr(self.args, "command", None) in CREATE_STORE

    def check_store_exists(self) -> None:
        """Refuse a named store that does not exist, like git, pass and hledger, and
        an empty folder that is not one yet (a typo for a store, or a folder made by hand)."""
        if self.may_create_store:
            return
        path, named = self.store_path, self.store_named
        create = f"`auditdesk init --store {path}` (or `auditdesk demo --store …` for the sample)"
        if not os.path.lexists(path):
            raise AuditdeskError(
                f"no store at {path} (from {named}); check the path, or create one with {create}. "
                "Only init, demo and the first use of the default store create a store")
        with contextlib.suppress(OSError):
            if path.is_dir() and not (path / ".git").exists() and not any(path.iterdir()):
                raise AuditdeskError(f"{path} is an empty folder, not a store yet; create one there with {create}")

    @property
    def store(self) -> AuditStore:
        if self._store is None:
            from auditdesk.store.audits import AuditStore

            self.check_store_exists()
            # create=True also explains a folder that is neither empty nor a store; an empty
            # one is only made a store by init, demo and the default store (checked above).
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


def note_missing_diff_driver() -> None:
    """Say so when git cannot find auditdesk's diff driver: plain `git diff` of a hand edit
    (and `git log -p` of revisions auditdesk has not converted) would fail until it can."""
    import shutil

    from auditdesk.audit.textconv import COMMAND

    if shutil.which(COMMAND) is None:
        here = Path(sys.executable).parent
        where = f" (it is in {here})" if (here / COMMAND).exists() else ""
        activate = f". {here / 'activate'}" if (here / "activate").exists() else "activate the virtual environment"
        print(f"auditdesk: note: {COMMAND} is not on PATH{where}: plain git diff and git log -p of audits "
              f"will fail until it is; run {activate}, or install auditdesk with pipx", file=sys.stderr)


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
