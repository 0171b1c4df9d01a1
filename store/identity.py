"""Who is acting: the same identity authors commits and is checked by the stages."""

from __future__ import annotations

import getpass
import os
import re
import socket

from auditdesk.criteria.problems import InvalidInput

from .gitrepo import GitRepo, Identity

_NAME_EMAIL = re.compile(r"^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$")


def parse_identity(text: str, source: str = "--user") -> Identity:
    """"Name <email>" or just "Name" (the email then derived from the login)."""
    text = text.strip()
    if text.startswith("-"):  # a mistyped option (--user --store …) or an attempt at one
        raise InvalidInput.single(source, "", f"{text!r} is not a user: a name cannot start with '-'; write it as 'Name <email>' or 'Name'")
    match = _NAME_EMAIL.match(text)
    if match:
        return Identity(match.group(1), match.group(2))
    if not text or "<" in text or ">" in text or any(ord(c) < 32 for c in text):
        raise InvalidInput.single(source, "", f"{text!r} is not a user; write it as 'Name <email>' or 'Name'")
    return Identity(text, _default_email())


def _default_email() -> str:
    return f"{getpass.getuser()}@{socket.gethostname() or 'localhost'}"


def resolve_identity(explicit: str | None, repo: GitRepo | None) -> Identity:
    """--user, else $AUDITDESK_USER, else the store's git config, else the login name."""
    if explicit:
        return parse_identity(explicit)
    env = os.environ.get("AUDITDESK_USER")
    if env:
        return parse_identity(env, "$AUDITDESK_USER")
    name = repo.config("user.name") if repo else ""
    if name:
        return Identity(name, (repo.config("user.email") if repo else "") or _default_email())
    return Identity(getpass.getuser(), _default_email())
