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

Recovery runs when something says it is needed, not on every open: each
operation that changes the store (every critical section under the store's
flock, and sync's fetch and push, which run outside it) first leaves a
*marker* in ``.git/auditdesk-ops/`` and holds an ``flock`` on it, and removes
it when it ends cleanly.  A crash at any point, SIGKILL included, leaves the
file with nobody holding its lock (the kernel drops a dead process's locks),
so :func:`interrupted` finds it with one ``listdir`` and a non-blocking lock
per marker, without taking the store's lock; a marker whose lock is held is an
operation still running in another process.  An operation that fails with an
error other than the clean refusals (a conflict, a hand edit in the way) keeps
its marker too, so the next start checks what it left.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.fileio import fsync_dir
from auditdesk.store.git.checks import TEMP_FILE_PREFIX
from auditdesk.store.git.errors import Conflict, DirtyWorktree, GitError, NotARepository
from auditdesk.store.git.locks import LOCK_NAME, remove_if_stale

if TYPE_CHECKING:
    from auditdesk.store.git.repo import GitRepo

__all__ = ["MARKERS", "interrupted", "operation", "recover", "worktree_report"]

#: The reflog message of ``main``'s moves made by sync; recovery looks for it.
SYNC_REFLOG = "auditdesk: sync"
#: The folder (in the common git dir) of the markers of running operations.
MARKERS = "auditdesk-ops"
_MARKER_SUFFIX = ".op"
#: Errors after which the store is known to be as it was: the marker goes.
_CLEAN_REFUSALS = (Conflict, DirtyWorktree, NotARepository)


@contextmanager
def operation(common_dir: Path, file_mode: int, dir_mode: int,
              clean: tuple[type[BaseException], ...] = _CLEAN_REFUSALS) -> Iterator[None]:
    """Mark an operation that changes the store for as long as it runs (see the module's docstring).

    The marker is created under a temporary name and locked before it is given
    its final name, so nobody ever sees an unlocked marker of a live operation;
    its folder is fsynced, so a power loss after the operation began leaves it too.
    ``clean``: the errors that leave the store as it was (the marker goes)."""
    folder = common_dir / MARKERS
    token = f"{os.getpid()}-{os.urandom(6).hex()}"
    try:
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            os.chmod(folder, dir_mode)
        temp = folder / f"{token}.new"
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, file_mode)
    except OSError as exc:
        raise GitError(f"cannot change the store ({folder}: {exc.strerror}); changing it needs write access") from None
    marker = folder / f"{token}{_MARKER_SUFFIX}"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(temp, marker)
        fsync_dir(folder)
    except OSError as exc:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise GitError(f"cannot change the store ({folder}: {exc.strerror})") from None
    try:
        yield
    except clean:
        marker.unlink(missing_ok=True)
        raise
    except BaseException:
        raise  # the marker stays: the next start checks what this left
    else:
        marker.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _orphans(common_dir: Path) -> list[tuple[Path, int]]:
    """Markers nobody holds: (path, an fd holding its lock now)."""
    folder = common_dir / MARKERS
    try:
        names = os.listdir(folder)
    except OSError:  # FileNotFoundError above all: nothing was ever marked
        return []
    found = []
    for name in names:
        path = folder / name
        if not name.endswith(_MARKER_SUFFIX):
            if name.endswith(".new"):  # a marker whose operation never began; old ones go
                try:
                    if time.time() - path.stat().st_mtime > 60:
                        path.unlink()
                except OSError:
                    pass
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # removed meanwhile: its operation ended
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # held: an operation running in another process
            continue
        found.append((path, fd))
    return found


def interrupted(common_dir: Path) -> bool:
    """Did an operation end without finishing (a crash, a kill, a failure)?  No store lock taken."""
    orphans = _orphans(common_dir)
    for _, fd in orphans:
        os.close(fd)
    return bool(orphans)


def recover(repo: GitRepo) -> list[str]:
    """Find what an interrupted save or git command left and finish or report it.

    Stale locks and temporary files are removed; git's index is brought in
    line where the working tree already matches HEAD; working-tree files
    that differ from HEAD are reported, never committed.  The markers of the
    interrupted operations are removed once this has run through."""
    with repo.locked():
        orphans = _orphans(repo.common_dir)
        try:
            report = _clear_locks(repo)
            report += _clear_temp_files(repo)
            report += _finish_sync(repo)
            report += _resync_index(repo)
            report += worktree_report(repo)
            for path, _ in orphans:
                path.unlink(missing_ok=True)
        finally:
            for _, fd in orphans:
                os.close(fd)
    return report


def worktree_report(repo: GitRepo) -> list[str]:
    """Working-tree files that differ from HEAD (hand edits), each with the two commands that settle it."""
    return [f"{p}: differs from the last commit and is not committed; keep it with 'auditdesk commit "
            f"{Path(p).stem}' or drop it with 'git checkout -- {p}' in the store" for p in repo.status_dirty()]


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
