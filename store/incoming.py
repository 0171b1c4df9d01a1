"""What a remote may bring: sync refuses, before anything changes locally, files a
store does not hold (a committed ``auditdesk/__init__.py`` would run as code under
git's diff driver, a ``.gitattributes`` or a symlink changes what git and auditdesk
do), store files auditdesk would refuse to read, and commits whose author or message
carries terminal control sequences (issue 11; RELIABILITY.md, "Threat model")."""

from __future__ import annotations

import re

from auditdesk.audit.document import check_project_no
from auditdesk.criteria import tomldata
from auditdesk.errors import AuditdeskError
from auditdesk.safetext import refusal, visible
from auditdesk.store.audits import AUDITS, CONFIG, AuditStore, StoreConfig
from auditdesk.store.people import PEOPLE

__all__ = ["STORE_FILES", "SyncRefused", "refuse_what_a_store_does_not_hold", "shown_path"]

#: The files a store holds; sync refuses to bring anything else (a committed
#: ``auditdesk/__init__.py`` would run as code under git's diff driver, a
#: ``.gitattributes`` or a symlink changes what git and auditdesk do).
STORE_FILES = f"{AUDITS}/*.toml, {CONFIG}, {PEOPLE}, catalogs/*.toml"
_CATALOG = re.compile(r"catalogs/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.toml")
_REGULAR = ("100644", "100755")


class SyncRefused(AuditdeskError):
    """The remote brings files a store must not hold, or files that cannot be read safely."""


def shown_path(path: str) -> str:
    """A path as a person can read it: bytes that are not UTF-8 as ``\\xff``, controls escaped."""
    return visible(path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def _outside_the_store(path: str, mode: str) -> str | None:
    """Why a file the remote adds or changes is not one a store holds, or None."""
    if path != path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
        return "its name is not UTF-8 text"
    folder, _, name = path.rpartition("/")
    is_audit = folder == AUDITS and name.endswith(".toml") and check_project_no(name[:-5]) is None
    if not (is_audit or path in (CONFIG, PEOPLE) or _CATALOG.fullmatch(path)):
        return f"not a file a store holds ({STORE_FILES})"
    if mode not in _REGULAR:
        return "a symbolic link" if mode == "120000" else "a submodule" if mode == "160000" else f"not a regular file (mode {mode})"
    return None


def _content_problems(store: AuditStore, path: str, data: bytes, source: str) -> list[str]:
    """What is wrong with a store file the remote brings: it is read exactly as auditdesk
    would read it (shape, encoding, control characters, length), before it lands."""
    try:
        if path.startswith(f"{AUDITS}/"):
            audit, _ = store.parse(data, source)
            if f"{AUDITS}/{audit.project_no}.toml" != path:
                return [f"{source}: project_no: is {audit.project_no!r} but the file is {path}; they must agree"]
        elif path == CONFIG:
            tomldata.load_record(StoreConfig, data, source)
        else:  # people.toml, catalogs: whatever their records, their text is checked like an audit's
            raw = tomldata.parse(data, source)
            reader = tomldata.Reader(data.decode("utf-8"), source)
            for where, message in tomldata.text_problems(raw):
                reader.problem(where, message)
            reader.check()
    except AuditdeskError as exc:
        return str(exc).splitlines()
    return []


def _commit_problems(store: AuditStore, base: str | None, incoming: str) -> list[str]:
    """Authors, committers and messages of the incoming commits holding control or bidi
    characters: git prints them raw (``git log`` in the store, as the README suggests)."""
    fields = "%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x00"
    out = store.repo.git.run("log", f"--format={fields}", "-n", "10000", "--end-of-options", incoming,
                             *([f"^{base}"] if base else []), "--")
    parts = out.decode("utf-8", "replace").split("\0")
    problems = []
    for i in range(0, len(parts) - 5, 6):
        commit, *who, message = (p.lstrip("\n") for p in parts[i:i + 6])
        for what, text, allow in (("author", who[0], ""), ("author e-mail", who[1], ""), ("committer", who[2], ""),
                                  ("committer e-mail", who[3], ""), ("message", message, "\n\t")):
            why = refusal(text, allow=allow)
            if why:
                problems.append(f"commit {commit[:12]}: {what}: {why}")
    return problems


def refuse_what_a_store_does_not_hold(store: AuditStore, remote: str, base: str | None, incoming: str) -> None:
    """Refuse the remote's changes since ``base`` when they add or change a file a store
    does not hold, or a store file auditdesk would refuse to read; nothing changes locally.
    Deleting any file is fine.  The remote's version is kept on a side ref to look at."""
    problems = _commit_problems(store, base, incoming)
    for path, mode, status in store.repo.entries_changed(base, incoming):
        if status == "D":
            continue
        why = _outside_the_store(path, mode)
        if why:
            problems.append(f"{shown_path(path)}: {why}")
            continue
        blob = store.repo.blob_at(incoming, path)
        if blob is not None:
            problems += _content_problems(store, path, store.repo.read_blob(blob), f"{remote}:{path}")
    if problems:
        kept = store.repo.keep("refused", remote, incoming)
        lines = "\n".join(f"  - {p}" for p in problems[:50]) + (f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else "")
        raise SyncRefused(
            f"sync stopped: the remote's main ({incoming[:12]}) brings what this store will not take; nothing was "
            f"changed locally.\n{lines}\nIts version is kept at {kept}. Whoever can push to {remote} must remove or "
            "fix these there (git rm, or auditdesk validate) before anyone can sync."
        )
