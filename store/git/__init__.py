"""The git layer: small modules over git's plumbing, with :class:`GitRepo` as their face.

``checks`` (input), ``process`` (running git, the persistent reader),
``locks``, ``objects`` (writing objects without git), ``worktree``,
``remotes``, ``recovery`` and ``repo`` (the facade the store uses).
"""

from auditdesk.store.git.checks import TEMP_FILE_PREFIX, check_relpath, check_remote, check_rev
from auditdesk.store.git.errors import Conflict, DirtyWorktree, GitError, NotARepository
from auditdesk.store.git.locks import STALE_LOCK_SECONDS
from auditdesk.store.git.repo import GitRepo, Revision, SaveManyResult, SaveResult, Tag

__all__ = [
    "STALE_LOCK_SECONDS", "TEMP_FILE_PREFIX", "Conflict", "DirtyWorktree", "GitError", "GitRepo", "NotARepository",
    "Revision", "SaveManyResult", "SaveResult", "Tag", "check_relpath", "check_remote", "check_rev",
]
