"""The store's working tree: the audit files people read, replaced atomically.

A pulled symlink must never redirect a read or a write out of the store, so
parents are walked with ``lstat`` and files opened with ``O_NOFOLLOW``.  A
file holding bytes that are not committed (a hand edit, an interrupted
save) is never overwritten by a save: :class:`DirtyWorktree` is raised.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from auditdesk.fileio import fsync_dir, replace_file
from auditdesk.lazylog import logger
from auditdesk.store.git.checks import TEMP_FILE_PREFIX
from auditdesk.store.git.errors import DirtyWorktree, GitError

__all__ = ["Worktree"]


class Worktree:
    """Files under the store root, read and replaced without following symlinks."""

    def __init__(self, root: Path, file_mode: int, dir_mode: int, blob_id_of: Callable[[bytes], str]) -> None:
        self.root = root
        self._fmode = file_mode
        self._dmode = dir_mode
        self._blob_id_of = blob_id_of

    def path(self, relpath: str, *, create: bool) -> Path:
        """The file's path in the working tree, refusing symlinked or non-folder
        parents (a pulled symlink must not redirect a write out of the store)."""
        folder = self.root
        for part in relpath.split("/")[:-1]:
            folder = folder / part
            try:
                mode = os.lstat(folder).st_mode
            except FileNotFoundError:
                if not create:
                    break
                os.mkdir(folder, self._dmode)
                os.chmod(folder, self._dmode)
                continue
            if not stat.S_ISDIR(mode):
                raise GitError(f"cannot use {relpath}: {folder.relative_to(self.root)} is not a folder")
        return self.root / relpath

    def read_path(self, target: Path) -> bytes | None:
        """A regular file's bytes; None when absent."""
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise GitError(f"cannot read {target.relative_to(self.root)}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise GitError(f"{target.relative_to(self.root)} is not a regular file")
            return f.read()

    def read(self, relpath: str) -> bytes | None:
        return self.read_path(self.path(relpath, create=False))

    def blob_of(self, relpath: str) -> str | None:
        """The blob id the file's bytes would have; None when absent."""
        data = self.read(relpath)
        return None if data is None else self._blob_id_of(data)

    def before_save(self, relpath: str, head_blob: str | None, new_blob: str) -> bytes | None:
        """The file's current bytes (None if absent), refusing uncommitted ones
        unless they are exactly what we are about to save."""
        data = self.read(relpath)
        if data is None:
            if head_blob is not None:
                raise DirtyWorktree(relpath)
            return None
        if self._blob_id_of(data) not in (head_blob, new_blob):
            raise DirtyWorktree(relpath)
        return data

    def write(self, relpath: str, data: bytes) -> None:
        """Replace the working-tree file atomically: readers see the old or the new
        bytes, never a truncated file."""
        try:
            target = self.path(relpath, create=True)
            replace_file(target, data, mode=self._fmode, prefix=TEMP_FILE_PREFIX)
        except OSError as exc:
            raise GitError(f"cannot write {relpath}: {exc.strerror or exc}") from None

    def remove(self, relpath: str) -> None:
        target = self.path(relpath, create=False)
        if os.path.lexists(target):
            target.unlink()
            fsync_dir(target.parent)

    def restore(self, written: list[str], before: Mapping[str, bytes | None]) -> None:
        """Undo working-tree writes of a save that did not commit."""
        for relpath in written:
            old = before[relpath]
            try:
                if old is None:
                    self.remove(relpath)
                else:
                    self.write(relpath, old)
            except (OSError, GitError) as exc:
                logger(__name__).error("could not restore %s after a failed save: %s", relpath, exc)
