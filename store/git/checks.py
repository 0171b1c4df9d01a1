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
    "check_tag_name", "is_full_id", "message_bytes",
]

#: Temp files of working-tree writes start with this; recovery removes them.
TEMP_FILE_PREFIX = ".auditdesk-tmp-"

_ANCESTRY = re.compile(r"(?:[~^][0-9]{0,6})*$")
_FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
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
    """Return ``rev`` if it names one commit the way git does, else raise GitError.

    Any such name is accepted — a commit id or a short one, ``HEAD``, ``HEAD~2``,
    ``HEAD^``, a branch (``main``, ``origin/main``), a tag (``approved/X/1``),
    ``refs/...`` — so long as git cannot read it as an option (a leading ``-``)
    or as something other than one commit: no range (``..``), no path or search
    (``:``), no reflog entry (``@{...}``: one clone's own), no whitespace or
    control character, nothing a ref name may not hold.  Callers still put it
    after ``--end-of-options`` or hand it to ``cat-file`` on stdin; whether it
    exists is :meth:`GitRepo.resolve`'s question.
    """
    base = _ANCESTRY.sub("", rev) if isinstance(rev, str) else ""
    if not (
        isinstance(rev, str)
        and 0 < len(rev) <= 256
        and base
        and not rev.startswith("-")
        and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in rev)
        and not any(bad in rev for bad in ("@{", "..", ":", "//", "\\", "?", "*", "["))
        and not any(part.startswith(".") or part.endswith(".lock") for part in base.split("/"))
        and not base.endswith(("/", "."))
    ):
        raise GitError(f"invalid revision {rev!r}: name one commit (an id, HEAD, HEAD~N, a branch such as main or "
                       "origin/main, a tag such as approved/X/1); not a range, a path, an option or a reflog entry")
    return rev


def is_full_id(rev: str) -> bool:
    """A full object id (SHA-1 or SHA-256): safe to join with ``:path`` as it is."""
    return bool(_FULL_ID.fullmatch(rev))


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
