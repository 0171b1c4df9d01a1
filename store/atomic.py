"""Replace a file whole or not at all: temp file, fsync, rename, fsync the folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from auditdesk.criteria.problems import AuditdeskError


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """A crash leaves the old file or the new one, never a truncated mix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AuditdeskError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AuditdeskError(f"cannot write {path}: {exc.strerror}; nothing was changed") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
