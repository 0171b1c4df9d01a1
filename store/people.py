"""Who is acting in a store: from the command line, the environment or the store's git config."""

from __future__ import annotations

import getpass
import os

from auditdesk.audit.identity import Identity, default_email, parse_identity
from auditdesk.store.git import GitRepo

__all__ = ["resolve_identity"]


def resolve_identity(explicit: str | None, repo: GitRepo | None) -> Identity:
    """--user, else $AUDITDESK_USER, else the store's git config, else the login name."""
    if explicit:
        return parse_identity(explicit)
    env = os.environ.get("AUDITDESK_USER")
    if env:
        return parse_identity(env, "$AUDITDESK_USER")
    name = repo.config("user.name") if repo else ""
    if name:
        return Identity(name, (repo.config("user.email") if repo else "") or default_email())
    return Identity(getpass.getuser(), default_email())
