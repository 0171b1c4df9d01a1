"""git's textconv cache, filled by auditdesk: notes on blobs under ``refs/notes/textconv/<driver>``.

With ``diff.<driver>.cachetextconv = true`` git keeps what a textconv driver
printed for a blob as a note on that blob, in a notes tree whose commit
message is the driver's command (git drops the cache when the command
changes).  Running the driver once per blob is what makes a first ``git log
-p`` slow, so auditdesk writes the same notes itself, in-process, for the
blobs it saves, syncs and clones: git then finds them and never starts the
driver.  The layout is git's own (``ab/cdef…``, one level of fanout), the
commit has no parent, as git writes it, and a cache entry is only ever a
copy of what the driver would print, so losing one costs time, never
correctness: a concurrent update simply loses (no lock, a compare-and-swap).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from auditdesk.audit.identity import Identity
from auditdesk.lazylog import logger
from auditdesk.store.git.errors import GitError, RefMoved

if TYPE_CHECKING:
    from auditdesk.store.git.repo import GitRepo

__all__ = ["add_notes", "noted"]

_CACHE_AUTHOR = Identity("auditdesk", "auditdesk@localhost")


def _tree(repo: GitRepo, oid: str | None) -> dict[bytes, tuple[bytes, bytes]]:
    """name -> (mode, raw id) of a tree object (empty for None)."""
    if oid is None:
        return {}
    found = repo.objects.read(oid, "tree")
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    i, size = 0, repo.objects.oid_len // 2
    while i < len(found):
        space = found.index(b" ", i)
        nul = found.index(b"\0", space)
        entries[found[space + 1:nul]] = (found[i:space], found[nul + 1:nul + 1 + size])
        i = nul + 1 + size
    return entries


def _write_tree(repo: GitRepo, entries: Mapping[bytes, tuple[bytes, bytes]]) -> str:
    ordered = sorted(entries.items(), key=lambda e: e[0] + (b"/" if e[1][0] == b"40000" else b""))
    return repo.objects.write(b"tree", b"".join(m + b" " + n + b"\0" + oid for n, (m, oid) in ordered), durable=False)


def _head(repo: GitRepo, ref: str, validity: str) -> tuple[str | None, str | None]:
    """(the ref's commit, its tree if the cache is valid for `validity`)."""
    commit = repo.ref_target(ref)
    if commit is None:
        return None, None
    body = repo.objects.read(commit, "commit")
    header, _, message = body.partition(b"\n\n")
    if message.decode("utf-8", "replace").split("\n", 1)[0].strip() != validity:
        return commit, None
    tree = header.split(b"\n", 1)[0].removeprefix(b"tree ").decode("ascii")
    return commit, tree


def noted(repo: GitRepo, ref: str, validity: str, oids: list[str]) -> set[str]:
    """Which of `oids` the cache already has a note for."""
    try:
        tree = _head(repo, ref, validity)[1]
        root = _tree(repo, tree)
        found, subtrees = set(), {}
        for oid in oids:
            name = oid.encode("ascii")
            if name in root:
                found.add(oid)
                continue
            prefix = name[:2]
            if prefix not in subtrees:
                entry = root.get(prefix)
                subtrees[prefix] = _tree(repo, entry[1].hex()) if entry and entry[0] == b"40000" else {}
            if name[2:] in subtrees[prefix]:
                found.add(oid)
        return found
    except (GitError, OSError, ValueError):
        return set()


def add_notes(repo: GitRepo, ref: str, validity: str, notes: Mapping[str, bytes]) -> int:
    """Add notes (blob id -> text) that the cache does not hold yet; how many were added.
    Never raises for a busy or unwritable repository: a cache is best effort."""
    if not notes:
        return 0
    try:
        old, tree = _head(repo, ref, validity)
        root = _tree(repo, tree)
        added = 0
        by_prefix: dict[bytes, dict[bytes, str]] = {}
        for oid in notes:
            name = oid.encode("ascii")
            if name in root:  # git itself wrote a flat (unfanned) tree
                continue
            by_prefix.setdefault(name[:2], {})[name[2:]] = oid
        for prefix, wanted in by_prefix.items():
            entry = root.get(prefix)
            sub = _tree(repo, entry[1].hex()) if entry and entry[0] == b"40000" else {}
            fresh = {rest: oid for rest, oid in wanted.items() if rest not in sub}
            if not fresh:
                continue
            for rest, oid in fresh.items():
                blob = repo.objects.write(b"blob", notes[oid], durable=False)
                sub[rest] = (b"100644", bytes.fromhex(blob))
                added += 1
            root[prefix] = (b"40000", bytes.fromhex(_write_tree(repo, sub)))
        if not added:
            return 0
        new_tree = _write_tree(repo, root)
        commit = repo.objects.commit(new_tree, [], _CACHE_AUTHOR, validity.encode("utf-8") + b"\n",
                                     datetime.now(UTC), durable=False)
        repo.move_ref(ref, commit, old, "auditdesk: textconv cache")
        return added
    except (RefMoved, GitError, OSError, ValueError) as exc:
        logger(__name__).info("textconv cache %s not updated: %s", ref, exc)
        return 0
