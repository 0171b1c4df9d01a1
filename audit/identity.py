"""Who is acting: the same identity authors commits and is checked by the workflow."""

from __future__ import annotations

import getpass
import re
import socket
from dataclasses import dataclass

from auditdesk.errors import InvalidInput
from auditdesk.safetext import refusal

__all__ = ["Identity", "default_email", "parse_identity"]

_NAME_EMAIL = re.compile(r"^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$")


@dataclass(frozen=True)
class Identity:
    """Who makes a change; passed per call, never taken from git config by the git layer."""

    name: str
    email: str
    person: str = ""
    """The registered person's id (people.toml); empty in a store without a registry."""
    roles: tuple[str, ...] = ()
    """The registered person's roles; empty without a registry (no role rules apply)."""

    @property
    def ref(self) -> str:
        """How an audit file refers to this person: the registered id, else the name."""
        return self.person or self.name


def parse_identity(text: str, source: str = "--user") -> Identity:
    """"Name <email>" or just "Name" (the email then derived from the login)."""
    text = text.strip()
    why = refusal(text, allow="")
    if why:
        raise InvalidInput.single(source, "", why)
    if text.startswith("-"):  # a mistyped option (--user --store …) or an attempt at one
        raise InvalidInput.single(source, "", f"{text!r} is not a user: a name cannot start with '-'; write it as 'Name <email>' or 'Name'")
    match = _NAME_EMAIL.match(text)
    if match:
        return Identity(match.group(1), match.group(2))
    if not text or "<" in text or ">" in text or any(ord(c) < 32 for c in text):
        raise InvalidInput.single(source, "", f"{text!r} is not a user; write it as 'Name <email>' or 'Name'")
    return Identity(text, default_email())


def default_email() -> str:
    """login@host: the e-mail of someone who gave only a name."""
    return f"{getpass.getuser()}@{socket.gethostname() or 'localhost'}"
