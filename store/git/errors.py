"""What the git layer raises: one clear line each, for a person to act on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from auditdesk.errors import AuditdeskError

__all__ = ["Conflict", "DirtyWorktree", "GitError", "LockBusy", "NotARepository", "RefMoved"]


class GitError(AuditdeskError):
    """A git operation failed; the message is one clear line."""


class NotARepository(GitError):
    """The path cannot be used as a store; the message says why."""


class DirtyWorktree(GitError):
    """The working-tree file holds bytes that are not committed (a hand edit or an
    interrupted save); a save refuses to overwrite them."""

    def __init__(self, path: str) -> None:
        self.path = path
        stem = Path(path).stem
        super().__init__(
            f"{path} has changes in the working tree that are not committed; keep them with "
            f"'auditdesk commit {stem}', or drop them with 'git checkout -- {path}' in the store"
        )


class Conflict(GitError):
    """Someone else changed the file since ``base``; the refused bytes are kept on
    ``rejected_ref`` (``git show REF:path``)."""

    def __init__(
        self, path: str, commit: str | None, author: str | None, date: datetime | None, rejected_ref: str
    ) -> None:
        self.path = path
        self.commit = commit
        self.author = author
        self.date = date
        self.rejected_ref = rejected_ref
        if commit is None or date is None:
            what = f"{path} was changed by someone else"
        else:
            what = f"{path} was changed by {author} on {date:%Y-%m-%d %H:%M %z} (commit {commit[:12]})"
        super().__init__(f"{what} after you opened it; your version is kept at {rejected_ref}")


class LockBusy(GitError):
    """git found one of its ``*.lock`` files in place."""

    def __init__(self, message: str, lock: Path) -> None:
        super().__init__(message)
        self.lock = lock


class RefMoved(GitError):
    """A compare-and-swap ``update-ref`` found the ref elsewhere."""
