"""Running git: one command at a time, or one persistent ``cat-file --batch`` reader.

Every git auditdesk starts gets a clean environment (no ``GIT_*`` variable
of the caller's but those choosing config files) and the store root as its
working directory.  git's reason for a failure becomes one line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from auditdesk.store.git.errors import GitError, LockBusy, RefMoved

__all__ = ["DURABLE", "Git", "ObjectReader", "clean_env", "git_binary", "one_line"]

#: Object writes reach the disk before a ref points at them (git >= 2.36).
DURABLE = ("-c", "core.fsync=committed")

_LOCK_BUSY = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_REF_MOVED = re.compile(r"cannot lock ref '[^']+': is at [0-9a-f]+ but expected|reference already exists")

#: GIT_* variables passed on: they choose which config files git reads (tests
#: and CI point them at /dev/null); every other one is dropped.
_KEPT_GIT_VARS = frozenset({"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH"})


def one_line(stderr: bytes, returncode: int) -> str:
    """The line of git's stderr that says what went wrong."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for ln in lines:
        for prefix in ("fatal: ", "error: "):
            if ln.startswith(prefix):
                return ln[len(prefix):]
    return lines[-1] if lines else f"exit status {returncode}"


def clean_env() -> dict[str, str]:
    """The caller's environment without GIT_* variables that could redirect us (a
    hook's GIT_DIR or GIT_INDEX_FILE, injected config), plus what every call needs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARS}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", LC_ALL="C")
    return env


def git_binary() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (no 'git' on PATH)")
    return git


class Git:
    """git commands at one store root."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.bin = git_binary()
        self.root = root
        self.env = env
        """For commands that write: git may take its optional locks."""
        self.read_env = dict(env, GIT_OPTIONAL_LOCKS="0")

    def run(
        self, *args: str, stdin: bytes = b"", env: Mapping[str, str] | None = None, ok: tuple[int, ...] = (0,),
        durable: bool = False,
    ) -> bytes:
        """Run one git command; raise GitError with git's reason (LockBusy, RefMoved
        for the two failures a caller may wait out)."""
        cmd = [self.bin, *(DURABLE if durable else ()), *args]
        done = subprocess.run(
            cmd, input=stdin, cwd=self.root, env=self.read_env if env is None else env,
            capture_output=True, check=False,
        )
        if done.returncode not in ok:
            why = one_line(done.stderr, done.returncode)
            busy = _LOCK_BUSY.search(done.stderr.decode("utf-8", "replace"))
            if busy:
                raise LockBusy(f"git {args[0]}: {why}", self.root / busy.group(1))
            if _REF_MOVED.search(why):
                raise RefMoved(f"git {args[0]}: {why}")
            raise GitError(f"git {args[0]}: {why}")
        return done.stdout


class ObjectReader:
    """One persistent ``git cat-file --batch`` child: reading an object costs a pipe
    round trip instead of a process.  Safe across threads, not across ``fork``."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._mutex = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    def close(self) -> None:
        """End the child; the reader stays usable (it restarts on demand)."""
        with self._mutex:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()

    def _child(self) -> subprocess.Popen[bytes]:
        if self._owner_pid != os.getpid():
            raise GitError("a GitRepo cannot be used across fork(); open a new one in the child process")
        if self._proc is not None and self._proc.poll() is not None:
            self.close()  # it died: reap it and close its pipes before starting another
        if self._proc is None:
            self._proc = subprocess.Popen(
                [self._git.bin, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, cwd=self._git.root, env=self._git.read_env,
            )
        return self._proc

    def object(self, name: str) -> tuple[str, str, bytes] | None:
        """(oid, type, content) of ``name`` (``rev``, ``rev:path``, ``oid``) or None
        if git has no such object."""
        with self._mutex:
            proc = self._child()
            stdin: IO[bytes] | None = proc.stdin
            stdout: IO[bytes] | None = proc.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(os.fsencode(name) + b"\n")
                stdin.flush()
                header = stdout.readline()
                if header.endswith((b" missing\n", b" ambiguous\n")):
                    return None
                oid, kind, size = header.decode("ascii").split()
                content = stdout.read(int(size) + 1)[:-1]
            except (OSError, ValueError) as exc:
                self.close()
                raise GitError(f"git cat-file stopped answering ({exc})") from None
            return oid, kind, content
