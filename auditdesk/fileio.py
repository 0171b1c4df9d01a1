"""Writing files whole or not at all, with the modes a shared store needs.

Every file auditdesk writes — audit files, git objects, reports, caches,
settings — goes through :func:`write_atomic`: a temp file in the target's
folder, written, optionally fsynced, given its mode, then renamed over the
target.  A reader (or a crash) sees the old bytes or the new ones, never a
truncated mix.  See docs/store.md, "Atomic writes".
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from pathlib import Path

from auditdesk.errors import AuditdeskError

__all__ = ["file_mode", "fsync_dir", "replace_file", "umask", "write_atomic", "write_output"]

_umask_lock = threading.Lock()


def umask() -> int:
    """The process umask, read without changing it where Linux allows.

    Elsewhere it has to be set and put back, which is not atomic: a lock
    keeps two threads of this process from seeing each other's temporary value.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode(shared: str = "", mask: int | None = None) -> int:
    """Mode for files we create: the umask, widened as git's ``core.sharedRepository``
    value ``shared`` asks, never world-writable."""
    mode = 0o666 & ~(umask() if mask is None else mask)
    value = shared.strip().lower()
    if value in ("group", "true", "1"):
        mode |= 0o660
    elif value in ("all", "world", "everybody", "2"):
        mode |= 0o664
    elif re.fullmatch(r"0[0-7]{3}", value):
        mode = (int(value, 8) & 0o666) | 0o600
    return mode & ~0o002


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes, *, mode: int | None = None, durable: bool = True,
                 prefix: str | None = None, fsync_folder: bool = True) -> None:
    """Replace ``path`` with ``data`` through a temp file and a rename; OSError on failure,
    with the temp file removed.  ``prefix`` names the temp file (recovery looks for it);
    ``fsync_folder`` is off for git objects, as for git's own loose objects (the
    power-loss gap this leaves is named in docs/store.md)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.", suffix="" if prefix else ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), file_mode() if mode is None else mode)
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable and fsync_folder:
        fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Replace ``path`` with ``data``: a crash leaves the old file or the new one.

    ``mode`` defaults to what the umask allows; ``durable`` fsyncs the file
    and its folder (off for files that can always be made again, such as
    rendered reports).  A symlink at ``path`` is replaced, never followed.
    Missing folders are created.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data, mode=mode, durable=durable)
    except OSError as exc:
        raise AuditdeskError(f"cannot write {path}: {exc.strerror or exc}; nothing was changed") from None


def write_output(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write a report or an export where the user pointed ``-o``, as they expect.

    * a regular file (or nothing yet) is replaced atomically; through a symlink,
      the file it points at is replaced and the link kept;
    * a FIFO, a terminal, ``/dev/stdout`` or another device is written to as a
      stream, appending as a shell's ``>>`` would (``-o /dev/stdout >> log``
      must not truncate the log), never replaced by a regular file;
    * a folder is refused.

    True when a regular file was written (files that go beside it, such as
    radar charts, may then be written too)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise AuditdeskError(f"cannot write {path}: {exc.strerror or exc}; nothing was changed") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise AuditdeskError(f"cannot write {path}: it is a folder; give a file name")
    special = os.path.abspath(path).startswith(("/dev/", "/proc/"))
    if st is not None and (special or not stat.S_ISREG(st.st_mode)):
        try:
            with open(path, "ab") as f:
                f.write(data)
        except OSError as exc:
            raise AuditdeskError(f"cannot write {path}: {exc.strerror or exc}") from None
        return False
    write_atomic(Path(os.path.realpath(path)), data, durable=durable)
    return True
