"""The store's own lock, and git's lock files left by killed commands.

Everything that changes the store runs under an exclusive ``flock`` on
``.git/auditdesk.lock`` (closing the fd releases it, even on SIGKILL).  A
git ``*.lock`` file older than :data:`STALE_LOCK_SECONDS` is taken to be left
by a dead command and removed — only ever under our flock.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditdesk.lazylog import logger
from auditdesk.store.git.errors import GitError

__all__ = ["FLOCK_WAIT_SECONDS", "LOCK_NAME", "LOCK_WAIT_SECONDS", "STALE_LOCK_SECONDS", "flock", "remove_if_stale"]


LOCK_NAME = "auditdesk.lock"
#: A git ``*.lock`` file older than this is taken to be left by a dead command.
STALE_LOCK_SECONDS = 5.0
#: How long a save waits for a young git lock (someone's ``git status``) to go.
LOCK_WAIT_SECONDS = 2.0
#: How long a save waits for another save's flock before giving up.
FLOCK_WAIT_SECONDS = 30.0


@contextmanager
def flock(common_dir: Path, mode: int, *, shared_store: bool, root: Path) -> Iterator[None]:
    """Hold the store's exclusive flock; wait up to FLOCK_WAIT_SECONDS for it."""
    lock = common_dir / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, mode)
    except OSError as exc:
        raise GitError(f"cannot lock the store ({lock}: {exc.strerror}); changing it needs write access to {root}") from None
    if shared_store and stat.S_IMODE(os.fstat(fd).st_mode) != mode:
        try:
            os.fchmod(fd, mode)  # the umask narrowed it; only its owner can widen it
        except OSError:
            pass
    try:
        deadline = time.monotonic() + FLOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise GitError(
                        f"the store is busy: another process has held {LOCK_NAME} for over {FLOCK_WAIT_SECONDS:.0f} s"
                    ) from None
                time.sleep(0.002)
        yield
    finally:
        os.close(fd)


def remove_if_stale(lock: Path, git_dirs: tuple[Path, ...]) -> str | None:
    """Delete a git lock file inside ``git_dirs`` older than STALE_LOCK_SECONDS; say what was done."""
    if lock.name == LOCK_NAME or not lock.name.endswith(".lock"):
        return None
    if not any(lock.is_relative_to(d) for d in git_dirs):
        return None
    try:
        age = time.time() - lock.stat().st_mtime
        if age < STALE_LOCK_SECONDS:
            return None
        lock.unlink()
    except FileNotFoundError:
        return f"lock {lock} went away by itself"
    logger(__name__).warning("removed stale git lock %s (%.0f s old)", lock, age)
    return f"removed stale lock {lock} ({age:.0f} s old, left by an interrupted git command)"
