"""The git auditdesk needs, checked once per process before a store is opened.

2.36 or newer, for what the store relies on:

* ``-c core.fsync=committed`` (2.36): a save's objects and the ref that names
  them reach the disk before the save reports success; older git ignores the
  setting without a word, so a power cut could lose a save it reported;
* ``git init -b main`` and ``rev-parse --show-object-format`` (2.28);
* ``--end-of-options`` (2.24), so a revision or remote can never be read as an option.
"""

from __future__ import annotations

import functools
import re
import subprocess

from auditdesk.store.git.errors import GitError
from auditdesk.store.git.process import clean_env, git_binary

__all__ = ["MINIMUM", "git_version", "require_git"]

MINIMUM = (2, 36)


@functools.cache
def git_version(binary: str) -> tuple[int, int, int] | None:
    """`git --version` as numbers, or None when it prints no version auditdesk can read."""
    try:
        done = subprocess.run([binary, "--version"], env=clean_env(), capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run {binary}: {exc}") from None
    found = re.search(rb"git version (\d+)\.(\d+)(?:\.(\d+))?", done.stdout)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def require_git() -> None:
    """Refuse, with what to do, a git older than MINIMUM (or none at all)."""
    binary = git_binary()
    found = git_version(binary)
    if found is not None and found[:2] < MINIMUM:
        need = ".".join(map(str, MINIMUM))
        raise GitError(
            f"auditdesk needs git {need} or newer; {binary} is {'.'.join(map(str, found))}. "
            f"Install a newer git (it makes each save durable with core.fsync=committed, new in {need}) "
            "or put one first on PATH")
