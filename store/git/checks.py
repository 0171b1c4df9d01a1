"""Checks on everything that reaches git from outside: paths, revisions, remotes,
identities, messages.  User text never reaches git as an option."""

from __future__ import annotations

import os
import re

from auditdesk.audit.identity import Identity
from auditdesk.safetext import refusal, visible
from auditdesk.store.git.errors import GitError

__all__ = [
    "TEMP_FILE_PREFIX", "check_config_key", "check_identity", "check_relpath", "check_remote", "check_rev",
    "check_tag_name", "message_bytes",
]

#: Temp files of working-tree writes start with this; recovery removes them.
TEMP_FILE_PREFIX = ".auditdesk-tmp-"

_REV = re.compile(r"(?:[0-9a-f]{7,64}|HEAD|refs/[A-Za-z0-9._/-]+)(?:~[0-9]{1,6})?")
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_CONFIG_KEY = re.compile(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+")


def check_relpath(relpath: str, *, allow_empty: bool = False) -> str:
    """Return ``relpath`` if it is a safe path inside the store, else raise GitError.

    Rejected so that a name can never escape the store, reach into ``.git`` or
    be read by git as an option.
    """
    if not isinstance(relpath, str):
        raise GitError(f"invalid path {relpath!r}: not a string")
    if relpath == "" and allow_empty:
        return ""
    problem = None
    if relpath == "":
        problem = "empty"
    elif relpath.startswith(("/", "-")):
        problem = "must be relative and not start with '-'"
    elif any(ord(c) < 32 or ord(c) == 127 for c in relpath) or "\\" in relpath:
        problem = "contains control characters or a backslash"
    else:
        for part in relpath.split("/"):
            if part in ("", ".", ".."):
                problem = "has an empty, '.' or '..' component"
            elif part.lower() == ".git":
                problem = "points into .git"
            elif part.startswith(TEMP_FILE_PREFIX):
                problem = "uses a name reserved for temporary files"
            elif len(os.fsencode(part)) > 255:
                problem = "has a component longer than 255 bytes"
            if problem:
                break
    if problem:
        raise GitError(f"invalid path {relpath!r}: {problem}")
    return relpath


def check_rev(rev: str) -> str:
    """Return ``rev`` if it is an object id, ``HEAD`` or ``refs/...`` (optionally ``~N``)."""
    if not (
        isinstance(rev, str)
        and _REV.fullmatch(rev)
        and ".." not in rev
        and "//" not in rev
        and "/." not in rev
        and not rev.split("~")[0].endswith(("/", ".", ".lock"))
    ):
        raise GitError(f"invalid revision {rev!r}: use an object id, HEAD, HEAD~N or refs/...")
    return rev


def check_tag_name(name: str, *, prefix: bool = False) -> str:
    """A tag name (or, with ``prefix``, a folder of tags) git cannot misread."""
    if not (isinstance(name, str) and _TAG.fullmatch(name) and ".." not in name
            and not name.endswith(".lock") and len(name) <= 200):
        raise GitError(f"invalid tag {'prefix' if prefix else 'name'} {name!r}")
    return name


def check_config_key(key: str) -> str:
    if not (isinstance(key, str) and _CONFIG_KEY.fullmatch(key)):
        raise GitError(f"invalid config key {key!r}")
    return key


def check_remote(remote: str) -> str:
    """A configured remote's name, a URL or a path — never something git could read as an option."""
    if (not isinstance(remote, str) or not remote or remote.startswith(("-", "ext::"))
            or any(ord(c) < 32 for c in remote)
            or ("::" in remote.split("/", 1)[0] and not remote.startswith(("ssh::", "file::")))):
        raise GitError(f"invalid remote {remote!r}: give a remote's name, a URL or a path")
    return remote


def check_identity(who: Identity) -> Identity:
    for value in (who.name, who.email):
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "<>\n\r\0"):
            raise GitError(f"invalid identity {who.name!r} <{who.email!r}>: name and email must be non-empty, without <, > or newlines")
        why = refusal(value, allow="")  # a name from a store's git config ends up on colleagues' terminals
        if why:
            raise GitError(f"invalid identity {visible(who.name)} <{visible(who.email)}>: {why}")
    return who


def message_bytes(message: str) -> bytes:
    if not isinstance(message, str) or not message.strip() or "\0" in message:
        raise GitError("a commit message must be non-empty text")
    return message.rstrip("\n").encode("utf-8") + b"\n"
