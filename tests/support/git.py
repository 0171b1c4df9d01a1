"""git as a person runs it, the checks that a repository or a process tree is sound, and the umask."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def git(repo: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    """The git CLI as a person would run it in `repo`, with an identity of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    env.update(GIT_AUTHOR_NAME="Cli", GIT_AUTHOR_EMAIL="cli@example.org",
               GIT_COMMITTER_NAME="Cli", GIT_COMMITTER_EMAIL="cli@example.org")
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False, input=input)
    if check and done.returncode:
        raise AssertionError(f"git {args}: {done.stderr}")
    return done.stdout


def fsck_clean(repo: Path) -> None:
    """`git fsck --strict` finds nothing at all."""
    done = subprocess.run(["git", "fsck", "--strict", "--no-dangling", "--no-progress"], cwd=repo,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), done.stdout + done.stderr


def session_alive(sid: int) -> bool:
    """Whether any process of session `sid` (a killed worker and its git children) still lives."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                return True
    return False


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a Python subprocess (a worker, ``python -m auditdesk``) with this process's imports."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.update(extra)
    return env


@contextmanager
def with_umask(mask: int) -> Iterator[None]:
    """The process umask set to ``mask`` inside the block, and put back after it."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)
