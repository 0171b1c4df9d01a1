"""Finishing or reporting what an interrupted save, sync or git command left behind.

What a crash leaves, and what :func:`recover` does about it (see
docs/store.md, "Crash recovery"):

* before the working-tree rename: at most an unreferenced blob (``git gc``
  prunes it) and a temp file beside the audit (deleted; the report says
  whether its complete bytes are in the object store);
* after the rename, before ``update-ref`` lands: the working-tree file holds
  the new bytes, HEAD the old ones.  The file is *reported*, never committed
  automatically (it may as well be a hand edit); saving the same bytes
  again commits it;
* after ``update-ref``, before git's index is refreshed: the index entry is
  refreshed and reported;
* a sync killed after its ``update-ref``: files that still hold what
  ``main`` had before get HEAD's version;
* a git command killed while holding one of git's ``*.lock`` files: the lock
  is removed once stale.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.store.git.checks import TEMP_FILE_PREFIX
from auditdesk.store.git.errors import GitError
from auditdesk.store.git.locks import LOCK_NAME, remove_if_stale

if TYPE_CHECKING:
    from auditdesk.store.git.repo import GitRepo

__all__ = ["recover"]

#: The reflog message of ``main``'s moves made by sync; recovery looks for it.
SYNC_REFLOG = "auditdesk: sync"


def recover(repo: GitRepo) -> list[str]:
    """Find what an interrupted save or git command left and finish or report it.

    Stale locks and temporary files are removed; git's index is brought in
    line where the working tree already matches HEAD; working-tree files
    that differ from HEAD are reported, never committed."""
    with repo.locked():
        report = _clear_locks(repo)
        report += _clear_temp_files(repo)
        report += _finish_sync(repo)
        report += _resync_index(repo)
        report += [f"{p}: differs from the last commit and is not committed; keep it with 'auditdesk commit "
                   f"{Path(p).stem}' or drop it with 'git checkout -- {p}' in the store" for p in repo.status_dirty()]
    return report


def _finish_sync(repo: GitRepo) -> list[str]:
    """Working-tree files a sync killed after its ``update-ref`` did not write:
    ``main``'s last move is our sync and the file still holds what ``main`` had
    before (so nothing typed is in it): it gets HEAD's version."""
    head = repo.head()
    last = repo.git.run("log", "-g", "-n", "2", "--format=%H %gs", "--end-of-options", repo.MAIN_REF, "--", ok=(0, 128))
    entries = last.decode("utf-8", "replace").splitlines()
    if head is None or len(entries) < 2 or entries[0] != f"{head} {SYNC_REFLOG}":
        return []
    before = entries[1].split()[0]
    done = []
    for relpath in repo.status_dirty():
        if repo.worktree.blob_of(relpath) != repo.blob_at(before, relpath):
            continue  # changed by someone: reported, never overwritten
        now = repo.blob_at(head, relpath)
        if now is None:
            repo.worktree.remove(relpath)
        else:
            repo.worktree.write(relpath, repo.read_blob(now))
        done.append(relpath)
    if done:
        repo.sync_index(done)
    return [f"{p}: brought up to date with HEAD (a sync was interrupted after its commit)" for p in done]


def _clear_locks(repo: GitRepo) -> list[str]:
    report = []
    dirs = (repo.git_dir, repo.common_dir)
    candidates = {*repo.git_dir.glob("*.lock"), *repo.common_dir.glob("*.lock"), *(repo.common_dir / "refs").rglob("*.lock")}
    for lock in sorted(candidates):
        if lock.name == LOCK_NAME:
            continue
        done = remove_if_stale(lock, dirs)
        report.append(done or f"left {lock} alone: it is recent, a git command may still be running")
    return report


def _clear_temp_files(repo: GitRepo) -> list[str]:
    """Temp files from an interrupted working-tree write; their bytes were
    stored as a blob before the write began, which the report confirms."""
    report = []
    for folder, dirs, names in os.walk(repo.path):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            if name.startswith(TEMP_FILE_PREFIX):
                temp = Path(folder) / name
                rel = temp.relative_to(repo.path)
                try:
                    blob = repo.objects.blob_id_of(temp.read_bytes())
                    temp.unlink()
                except OSError as exc:
                    report.append(f"could not remove temporary file {rel}: {exc.strerror}")
                    continue
                report.append(
                    f"removed temporary file {rel} of an interrupted save; "
                    + (f"its complete bytes are blob {blob} (unreferenced: git gc will prune it)"
                       if repo.has_object(blob) else "it was incomplete")
                )
    return report


def _resync_index(repo: GitRepo) -> list[str]:
    """git's index entries that lag behind HEAD while the working tree already
    matches HEAD: a save interrupted after its commit."""
    head = repo.head()
    if head is None:
        return []
    out = repo.git.run("diff-index", "--cached", "--name-only", "-z", "--no-renames", head)
    stale = []
    for relpath in (os.fsdecode(n) for n in out.split(b"\0") if n):
        try:
            blob = repo.worktree.blob_of(relpath)
        except GitError:
            continue
        if blob is not None and blob == repo.blob_at(head, relpath):
            stale.append(relpath)
    if not stale:
        return []
    repo.sync_index(stale)
    return [f"{p}: git's index updated to the committed version (a save was interrupted after its commit)" for p in stale]
