"""The git layer of the audit store: paths and bytes in, commits out.

A store is an ordinary git repository with a working tree on branch ``main``.
Audit files live in the working tree so people can read them; every save is a
commit whose objects (blob, trees, commit) are written here as loose
objects — never through an index, ours or GitPython's — and ``main`` is
moved with a compare-and-swap ``update-ref``.  Starting git processes is
what a save costs, so only two are left: ``update-ref`` and the refresh of
git's own index.  Everything that changes the store runs under an
exclusive ``flock`` on ``.git/auditdesk.lock``; the critical section lasts a
few ms.

Order of a save, chosen so that a crash (SIGKILL, power loss) at any point
loses at most the edit whose save had not returned yet, and never leaves a
half-written file:

1. the new bytes go into the object store (temp file, fsync, rename) before
   anything refers to them; this needs no lock;
2. take the flock; check HEAD is on ``main`` with no rebase/merge going on;
3. base check: the file's blob at HEAD must be the ``base`` the caller
   started from, otherwise the refused bytes go to a side ref
   ``refs/auditdesk/rejected/...`` and :class:`Conflict` is raised;
4. the working-tree file must be HEAD's version (or already the new bytes):
   a hand edit is never overwritten, :class:`DirtyWorktree` is raised;
5. the working-tree file is replaced atomically (temp file in the same
   folder, fsync, ``os.replace``, fsync of the folder);
6. the trees and the commit are written as objects, then
   ``update-ref refs/heads/main NEW OLD``; any failure here puts the old
   working-tree bytes back;
7. the repository's own index entry is refreshed so ``git status`` is clean.

What a crash leaves, and what :meth:`GitRepo.recover` does about it:

* before the rename in 5: at most an unreferenced blob (harmless; ``git gc``
  prunes it) and a temp file beside the audit (deleted; the report says
  whether its complete bytes are in the object store);
* after the rename, before ``update-ref`` lands: the working-tree file holds
  the new bytes, HEAD the old ones.
  The file is *reported* as differing from HEAD, never committed
  automatically: the caller decides (it may as well be a hand edit).  Saving
  the same bytes again commits it;
* after ``update-ref``, before 7: HEAD and the working tree agree, git's index
  lags: the index entry is refreshed and reported;
* a git command killed while holding one of git's ``*.lock`` files: the lock
  is removed once older than :data:`STALE_LOCK_SECONDS` (both by ``recover``
  and by a save that runs into it), always under our flock.

Reads go through one persistent ``git cat-file --batch`` child per
:class:`GitRepo`; call :meth:`GitRepo.close` (or use ``with``) to end it.  A
:class:`GitRepo` may be shared by threads (calls are serialised where they
share state) but not across ``fork``: open a new one in the child.

User text never reaches git as an option: relpaths and revisions are
validated, paths come after ``--`` and are taken literally
(``GIT_LITERAL_PATHSPECS``), messages go through stdin.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from auditdesk.criteria.problems import AuditdeskError

__all__ = [
    "STALE_LOCK_SECONDS",
    "check_relpath",
    "check_rev",
    "Conflict",
    "DirtyWorktree",
    "GitError",
    "GitRepo",
    "Identity",
    "Tag",
    "NotARepository",
    "Revision",
    "SaveManyResult",
    "SaveResult",
]

logger = logging.getLogger(__name__)

MAIN_REF = "refs/heads/main"
LOCK_NAME = "auditdesk.lock"
TEMP_FILE_PREFIX = ".auditdesk-tmp-"
SIDE_REF_ROOT = "refs/auditdesk/"
#: A git ``*.lock`` file older than this is taken to be left by a dead command.
STALE_LOCK_SECONDS = 5.0
#: How long a save waits for a young git lock (someone's ``git status``) to go.
LOCK_WAIT_SECONDS = 2.0
#: How long a save waits for another save's flock before giving up.
FLOCK_WAIT_SECONDS = 30.0
#: Attempts when ``main`` moves under us (a git command outside auditdesk).
CAS_ATTEMPTS = 5
#: Object writes reach the disk before a ref points at them (git >= 2.36).
DURABLE = ("-c", "core.fsync=committed")

_REV = re.compile(r"(?:[0-9a-f]{7,64}|HEAD|refs/[A-Za-z0-9._/-]+)(?:~[0-9]{1,6})?")
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_LOCK_BUSY = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_REF_MOVED = re.compile(r"cannot lock ref '[^']+': is at [0-9a-f]+ but expected|reference already exists")


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


class _LockBusy(GitError):
    """git found one of its ``*.lock`` files in place."""

    def __init__(self, message: str, lock: Path) -> None:
        super().__init__(message)
        self.lock = lock


class _RefMoved(GitError):
    """A compare-and-swap ``update-ref`` found the ref elsewhere."""


@dataclass(frozen=True)
class Identity:
    """Who makes a commit; passed per call, never taken from git config."""

    name: str
    email: str


@dataclass(frozen=True)
class Revision:
    """One commit touching a file."""

    commit: str
    author: str
    email: str
    date: datetime
    message: str


@dataclass(frozen=True)
class Tag:
    """An annotated tag: the commit it names, who made it, when, and its message."""

    name: str
    commit: str
    tagger: str
    date: datetime
    message: str


@dataclass(frozen=True)
class SaveResult:
    """``commit`` is None (and ``changed`` False) when the bytes equalled HEAD's."""

    commit: str | None
    blob: str
    changed: bool


@dataclass(frozen=True)
class SaveManyResult:
    """Like :class:`SaveResult` for several files saved in one commit."""

    commit: str | None
    blobs: dict[str, str]
    changed: bool


def check_relpath(relpath: str, *, allow_empty: bool = False) -> str:
    """Return ``relpath`` if it is a safe path inside the store, else raise GitError.

    Rejected so that a name can never escape the store, reach into ``.git`` or
    be read by git as an option.
    """
    if not isinstance(relpath, str):
        raise GitError(f"invalid path {relpath!r}: not a string")
    if relpath == "" and allow_empty:
        return ""
    problem = None
    if relpath == "":
        problem = "empty"
    elif relpath.startswith(("/", "-")):
        problem = "must be relative and not start with '-'"
    elif any(ord(c) < 32 or ord(c) == 127 for c in relpath) or "\\" in relpath:
        problem = "contains control characters or a backslash"
    else:
        for part in relpath.split("/"):
            if part in ("", ".", ".."):
                problem = "has an empty, '.' or '..' component"
            elif part.lower() == ".git":
                problem = "points into .git"
            elif part.startswith(TEMP_FILE_PREFIX):
                problem = "uses a name reserved for temporary files"
            elif len(os.fsencode(part)) > 255:
                problem = "has a component longer than 255 bytes"
            if problem:
                break
    if problem:
        raise GitError(f"invalid path {relpath!r}: {problem}")
    return relpath


def check_rev(rev: str) -> str:
    """Return ``rev`` if it is an object id, ``HEAD`` or ``refs/...`` (optionally ``~N``)."""
    if not (
        isinstance(rev, str)
        and _REV.fullmatch(rev)
        and ".." not in rev
        and "//" not in rev
        and "/." not in rev
        and not rev.split("~")[0].endswith(("/", ".", ".lock"))
    ):
        raise GitError(f"invalid revision {rev!r}: use an object id, HEAD, HEAD~N or refs/...")
    return rev


_REMOTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
REMOTE_TIMEOUT = 300


def check_remote(remote: str) -> str:
    """A configured remote's name, a URL or a path — never something git could read as an option."""
    if (not isinstance(remote, str) or not remote or remote.startswith("-") or any(ord(c) < 32 for c in remote)
            or remote.startswith("ext::") or "::" in remote.split("/", 1)[0] and not remote.startswith(("ssh::", "file::"))):
        raise GitError(f"invalid remote {remote!r}: give a remote's name, a URL or a path")
    return remote


def _check_identity(who: Identity) -> Identity:
    for value in (who.name, who.email):
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "<>\n\r\0"):
            raise GitError(f"invalid identity {who.name!r} <{who.email!r}>: name and email must be non-empty, without <, > or newlines")
    return who


def _message_bytes(message: str) -> bytes:
    if not isinstance(message, str) or not message.strip() or "\0" in message:
        raise GitError("a commit message must be non-empty text")
    return message.rstrip("\n").encode("utf-8") + b"\n"


def _one_line(stderr: bytes, returncode: int) -> str:
    """The line of git's stderr that says what went wrong."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for ln in lines:
        for prefix in ("fatal: ", "error: "):
            if ln.startswith(prefix):
                return ln[len(prefix):]
    return lines[-1] if lines else f"exit status {returncode}"


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _file_mode(shared: str, umask: int) -> int:
    """Mode for files we create: umask, widened as ``core.sharedRepository`` asks,
    never world-writable."""
    mode = 0o666 & ~umask
    value = shared.strip().lower()
    if value in ("group", "true", "1"):
        mode |= 0o660
    elif value in ("all", "world", "everybody", "2"):
        mode |= 0o664
    elif re.fullmatch(r"0[0-7]{3}", value):
        mode = (int(value, 8) & 0o666) | 0o600
    return mode & ~0o002


#: GIT_* variables passed on: they choose which config files git reads (tests
#: and CI point them at /dev/null); every other one is dropped.
_KEPT_GIT_VARS = frozenset({"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH"})


def _clean_env() -> dict[str, str]:
    """The caller's environment without GIT_* variables that could redirect us (a
    hook's GIT_DIR or GIT_INDEX_FILE, injected config), plus what every call needs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARS}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", LC_ALL="C")
    return env


def _git_binary() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (no 'git' on PATH)")
    return git


class GitRepo:
    """One store, opened for reading and saving."""

    path: Path

    @property
    def file_mode(self) -> int:
        """Mode for files written into the store, as its sharing setting asks."""
        return self._fmode

    @property
    def dir_mode(self) -> int:
        return self._dmode

    @staticmethod
    def clock() -> datetime:
        """When a commit is made (local time with offset); tests fix it for repeatable commit ids."""
        return datetime.now(timezone.utc).astimezone()

    @classmethod
    def init(cls, path: Path, *, shared_group: bool = False, author: Identity | None = None) -> GitRepo:
        """Create a store: ``git init -b main`` plus one empty commit so HEAD exists."""
        path = Path(path).absolute()
        if (path / ".git").exists():
            raise GitError(f"{path} is already a git repository")
        path.mkdir(parents=True, exist_ok=True)
        args = [_git_binary(), "init", "-q", "-b", "main"]
        if shared_group:
            args.append("--shared=group")
        done = subprocess.run([*args, "--", str(path)], env=_clean_env(), capture_output=True, check=False)
        if done.returncode:
            raise GitError(f"git init: {_one_line(done.stderr, done.returncode)}")
        if shared_group:
            os.chmod(path, (stat.S_IMODE(path.stat().st_mode) | 0o2070) & ~0o002)
        repo = cls(path)
        try:
            who = _check_identity(author or Identity("auditdesk", "auditdesk@localhost"))
            with repo._locked():
                tree = repo._write_object(b"tree", b"")
                commit = repo._commit(tree, [], who, _message_bytes("Create audit store"))
                repo._update_ref(MAIN_REF, commit, None, "auditdesk: create store")
        except BaseException:
            repo.close()
            raise
        return repo

    def __init__(self, path: Path) -> None:
        """Open the store at ``path``; raise NotARepository saying why it can't be used."""
        self._bin = _git_binary()
        given = Path(path).absolute()
        if not given.exists():
            raise NotARepository(f"{given} does not exist")
        if not given.is_dir():
            raise NotARepository(f"{given} is not a folder")
        env = _clean_env()
        out = self._probe(given, env, "--is-bare-repository", "--is-inside-git-dir", "--show-object-format",
                          "--absolute-git-dir", "--git-common-dir")
        bare, inside_git_dir, object_format, git_dir, common_dir = out.split("\n")[:5]
        if bare == "true":
            raise NotARepository(f"{given} is a bare repository; auditdesk needs one with a working tree")
        if inside_git_dir == "true":
            raise NotARepository(f"{given} is inside a .git folder")
        root = Path(self._probe(given, env, "--show-toplevel"))
        if root.resolve() != given.resolve():
            raise NotARepository(f"{given} is inside the git repository {root}; open {root} instead")
        self.path = root
        self._git_dir = Path(git_dir)
        self._common_dir = (given / common_dir).resolve()
        self._hash = object_format
        self._oid_len = len(hashlib.new(object_format).hexdigest())
        if root.parent != root:
            env["GIT_CEILING_DIRECTORIES"] = str(root.parent)
        self._env = env
        self._read_env = dict(env, GIT_OPTIONAL_LOCKS="0")
        self._remote_env = dict(env, GIT_SSH_COMMAND="ssh -o BatchMode=yes", GIT_ALLOW_PROTOCOL="file:git:http:https:ssh")
        self._mutex = threading.RLock()
        self._cat: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()
        shared = self._git("config", "--get", "core.sharedRepository", ok=(0, 1)).decode()
        self._shared = bool(shared.strip()) and shared.strip().lower() not in ("umask", "false", "0")
        self._fmode = _file_mode(shared, _umask())
        self._dmode = self._fmode | ((self._fmode & 0o444) >> 2) | (0o2000 if self._shared else 0)
        self._check_state()

    def _probe(self, where: Path, env: dict[str, str], *flags: str) -> str:
        """``git rev-parse`` at ``where`` during open, turning failures into reasons."""
        done = subprocess.run([self._bin, "rev-parse", *flags], cwd=where, env=env, capture_output=True, check=False)
        if done.returncode:
            why = _one_line(done.stderr, done.returncode)
            if "dubious ownership" in why:
                raise NotARepository(
                    f"{where} belongs to another user and git refuses it until it is trusted: "
                    f"git config --global --add safe.directory {where}"
                )
            if "not a git repository" in why:
                raise NotARepository(f"{where} is not a git repository")
            raise NotARepository(f"{where} cannot be opened: {why}")
        return done.stdout.decode().rstrip("\n")

    def _check_state(self) -> None:
        """Refuse a HEAD that is detached, on another branch, or mid-operation:
        a save would silently land in the wrong place."""
        busy = {
            "rebase-merge": "a rebase is in progress",
            "rebase-apply": "a rebase or git am is in progress",
            "MERGE_HEAD": "a merge is in progress",
            "CHERRY_PICK_HEAD": "a cherry-pick is in progress",
            "REVERT_HEAD": "a revert is in progress",
        }
        for name, why in busy.items():
            if (self._git_dir / name).exists():
                raise NotARepository(f"{self.path}: {why}; finish or abort it first")
        try:
            head = (self._git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            raise NotARepository(f"{self.path}: cannot read .git/HEAD ({exc.strerror})") from None
        if not head.startswith("ref: "):
            raise NotARepository(f"{self.path}: HEAD is detached (at {head[:12]}); check out main first")
        if head[5:] != MAIN_REF:
            raise NotARepository(f"{self.path}: on branch {head[5:].removeprefix('refs/heads/')}; stores use main")

    # ---------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """End the ``cat-file`` child; the object stays usable (it restarts on demand)."""
        with self._mutex:
            proc, self._cat = self._cat, None
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

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ running

    def _git(
        self,
        *args: str,
        stdin: bytes = b"",
        env: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (0,),
        durable: bool = False,
    ) -> bytes:
        """Run one git command at the store root; raise GitError with git's reason."""
        cmd = [self._bin, *(DURABLE if durable else ()), *args]
        done = subprocess.run(
            cmd, input=stdin, cwd=self.path, env=self._read_env if env is None else env,
            capture_output=True, check=False,
        )
        if done.returncode not in ok:
            why = _one_line(done.stderr, done.returncode)
            busy = _LOCK_BUSY.search(done.stderr.decode("utf-8", "replace"))
            if busy:
                raise _LockBusy(f"git {args[0]}: {why}", self.path / busy.group(1))
            if _REF_MOVED.search(why):
                raise _RefMoved(f"git {args[0]}: {why}")
            raise GitError(f"git {args[0]}: {why}")
        return done.stdout

    def _write(self, *args: str, stdin: bytes = b"", env: Mapping[str, str]) -> bytes:
        """A writing git command: durable, and patient with git's own lock files
        (removing them once stale, which is safe because we hold the flock)."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return self._git(*args, stdin=stdin, env=env, durable=True)
            except _LockBusy as busy:
                if self._remove_if_stale(busy.lock) is not None:
                    continue
                if time.monotonic() > deadline:
                    raise GitError(
                        f"{busy.lock} is held by another git command; if none is running, "
                        "remove it or run recover()"
                    ) from None
                time.sleep(0.02)

    def _remove_if_stale(self, lock: Path) -> str | None:
        """Delete a git lock file older than STALE_LOCK_SECONDS; say what was done."""
        if lock.name == LOCK_NAME or not lock.name.endswith(".lock"):
            return None
        if not any(lock.is_relative_to(d) for d in (self._git_dir, self._common_dir)):
            return None
        try:
            age = time.time() - lock.stat().st_mtime
            if age < STALE_LOCK_SECONDS:
                return None
            lock.unlink()
        except FileNotFoundError:
            return f"lock {lock} went away by itself"
        logger.warning("removed stale git lock %s (%.0f s old)", lock, age)
        return f"removed stale lock {lock} ({age:.0f} s old, left by an interrupted git command)"

    def _env_for(self, who: Identity) -> dict[str, str]:
        return dict(
            self._env,
            GIT_AUTHOR_NAME=who.name, GIT_AUTHOR_EMAIL=who.email,
            GIT_COMMITTER_NAME=who.name, GIT_COMMITTER_EMAIL=who.email,
        )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The store's critical section: our thread lock plus the flock shared by
        every process (closing the fd releases it, even on SIGKILL)."""
        with self._mutex:
            lock = self._common_dir / LOCK_NAME
            try:
                fd = os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, self._fmode)
            except OSError as exc:
                raise GitError(f"cannot lock the store ({lock}: {exc.strerror}); changing it needs write access to {self.path}") from None
            if self._shared and stat.S_IMODE(os.fstat(fd).st_mode) != self._fmode:
                try:
                    os.fchmod(fd, self._fmode)  # the umask narrowed it; only its owner can widen it
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
                                f"the store is busy: another process has held {LOCK_NAME} "
                                f"for over {FLOCK_WAIT_SECONDS:.0f} s"
                            ) from None
                        time.sleep(0.002)
                yield
            finally:
                os.close(fd)

    def _catfile(self) -> subprocess.Popen[bytes]:
        if self._owner_pid != os.getpid():
            raise GitError("a GitRepo cannot be used across fork(); open a new one in the child process")
        if self._cat is not None and self._cat.poll() is not None:
            self.close()  # it died: reap it and close its pipes before starting another
        if self._cat is None:
            self._cat = subprocess.Popen(
                [self._bin, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, cwd=self.path, env=self._read_env,
            )
        return self._cat

    def _object(self, name: str) -> tuple[str, str, bytes] | None:
        """(oid, type, content) of ``name`` (``rev``, ``rev:path``, ``oid``) or None
        if git has no such object."""
        with self._mutex:
            proc = self._catfile()
            stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
            stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]
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

    # -------------------------------------------------------------------- reads

    def head(self) -> str | None:
        """The commit ``main`` points at, or None before the first commit."""
        found = self._object(MAIN_REF)
        return found[0] if found else None

    def resolve(self, rev: str) -> str:
        """Full commit id of a validated revision."""
        found = self._object(f"{check_rev(rev)}^{{commit}}")
        if found is None:
            raise GitError(f"unknown revision {rev!r}")
        return found[0]

    def _entry(self, relpath: str, rev: str) -> tuple[str, str, bytes] | None:
        """The object at ``rev:relpath``; None if the file is absent, GitError if
        the revision itself is unknown (so a typo is not mistaken for "no file")."""
        found = self._object(f"{check_rev(rev)}:{check_relpath(relpath)}")
        if found is None:
            self.resolve(rev)
        return found

    def blob_id(self, relpath: str, rev: str = "HEAD") -> str | None:
        """The file's blob id at ``rev`` (the ``base`` for a later save), None if absent."""
        found = self._entry(relpath, rev)
        return found[0] if found and found[1] == "blob" else None

    def read(self, relpath: str, rev: str = "HEAD") -> bytes:
        """The file's bytes at ``rev``."""
        found = self._entry(relpath, rev)
        if found is None or found[1] != "blob":
            raise GitError(f"{relpath} does not exist at {rev}" if found is None else f"{relpath} is a folder at {rev}")
        return found[2]

    def read_blob(self, blob: str) -> bytes:
        """The bytes of a blob id (from :meth:`blobs`, a SaveResult or a Conflict)."""
        if not isinstance(blob, str) or not re.fullmatch(r"[0-9a-f]{7,64}", blob):
            raise GitError(f"invalid blob id {blob!r}")
        found = self._object(blob)
        if found is None or found[1] != "blob":
            raise GitError(f"no blob {blob}")
        return found[2]

    def blobs(self, under: str = "", rev: str = "HEAD") -> dict[str, str]:
        """relpath -> blob id of every file under a folder, with one ``ls-tree``."""
        under = check_relpath(under.rstrip("/"), allow_empty=True)
        check_rev(rev)
        if rev == "HEAD" and self.head() is None:
            return {}
        out = self._git("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev, *(["--", under] if under else []))
        result = {}
        for entry in out.split(b"\0"):
            if entry:
                meta, _, name = entry.partition(b"\t")
                mode, kind, oid = meta.decode("ascii").split()
                if kind == "blob" and mode in ("100644", "100755"):
                    result[os.fsdecode(name)] = oid
        return result

    def log(self, relpath: str | None = None, *, limit: int | None = None, rev: str = "HEAD") -> list[Revision]:
        """Commits touching ``relpath`` (or all), newest first."""
        check_rev(rev)
        args = ["log", "-z", "--format=%H%x00%an%x00%ae%x00%aI%x00%B"]
        if limit is not None:
            if not isinstance(limit, int) or limit < 0:
                raise GitError(f"invalid limit {limit!r}")
            if limit == 0:
                return []
            args += ["-n", str(limit)]
        if rev == "HEAD" and self.head() is None:
            return []
        args += ["--end-of-options", rev]
        if relpath is not None:
            args += ["--", check_relpath(relpath)]
        fields = self._git(*args).split(b"\0")
        revisions = []
        for i in range(0, len(fields) - 4, 5):
            commit, author, email, date, message = (f.decode("utf-8", "replace") for f in fields[i:i + 5])
            revisions.append(Revision(commit, author, email, datetime.fromisoformat(date), message.rstrip("\n")))
        return revisions

    def status_dirty(self, under: str = "") -> list[str]:
        """Working-tree files under a folder that differ from HEAD: modified,
        deleted or untracked (not ignored)."""
        under = check_relpath(under.rstrip("/"), allow_empty=True)
        spec = ["--", under] if under else []
        base = self.head() or hashlib.new(self._hash, b"tree 0\0").hexdigest()
        changed = self._git("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, *spec)
        untracked = self._git("ls-files", "-z", "--others", "--exclude-standard", *spec)
        names = {os.fsdecode(n) for n in (changed + b"\0" + untracked).split(b"\0") if n}
        return sorted(n for n in names if not n.rpartition("/")[2].startswith(TEMP_FILE_PREFIX))

    # ------------------------------------------------------------------- writes

    def save(self, relpath: str, data: bytes, *, base: str | None, author: Identity, message: str) -> SaveResult:
        """Commit one file's bytes if the file is still at ``base`` (None: new file).

        Raises Conflict (bytes kept on a side ref) or DirtyWorktree."""
        done = self.save_many({relpath: data}, bases={relpath: base}, author=author, message=message)
        return SaveResult(done.commit, done.blobs[relpath], done.changed)

    def save_many(
        self, files: Mapping[str, bytes], *, bases: Mapping[str, str | None], author: Identity, message: str
    ) -> SaveManyResult:
        """Commit several files in one commit, with the same rules as :meth:`save`;
        files whose bytes equal HEAD's are left out."""
        if not files:
            raise GitError("nothing to save")
        for relpath, data in files.items():
            check_relpath(relpath)
            if not isinstance(data, bytes):
                raise GitError(f"{relpath}: data must be bytes")
            if relpath not in bases:
                raise GitError(f"{relpath}: no base given (use None for a new file)")
            base = bases[relpath]
            if base is not None and not (isinstance(base, str) and len(base) == self._oid_len and re.fullmatch(r"[0-9a-f]+", base)):
                raise GitError(f"{relpath}: invalid base {base!r} (a full blob id or None)")
        _check_identity(author)
        text = _message_bytes(message)
        blobs = {p: self._blob_id_of(d) for p, d in files.items()}
        env = self._env_for(author)
        for p, d in files.items():  # objects may be written outside the lock: nothing refers to them yet
            self._store_blob(d, blobs[p], env)
        with self._locked():
            self._check_state()
            for _ in range(CAS_ATTEMPTS):
                head = self.head()
                current = {p: self._blob_at(head, p) for p in files}
                changed = sorted(p for p in files if current[p] != blobs[p])
                if not changed:
                    return SaveManyResult(None, blobs, False)
                conflicts = [p for p in changed if current[p] != bases[p]]
                if conflicts:
                    raise self._reject(head, conflicts[0], {p: blobs[p] for p in changed}, bases[conflicts[0]], author, message)
                before = {p: self._worktree_bytes(p, current[p], blobs[p]) for p in changed}
                written: list[str] = []
                try:
                    for p in changed:
                        self._write_worktree(p, files[p])
                        written.append(p)
                    commit = self._commit_with(head, {p: blobs[p] for p in changed}, author, text)
                    self._update_ref(MAIN_REF, commit, head, "auditdesk: save")
                except _RefMoved:
                    self._restore_worktree(written, before)
                    continue
                except BaseException:
                    self._restore_worktree(written, before)
                    raise
                self._sync_index(changed)
                return SaveManyResult(commit, blobs, True)
        raise GitError(f"main kept moving while saving (changed by git outside auditdesk {CAS_ATTEMPTS} times)")

    def discard_worktree(self, relpath: str, *, author: Identity) -> str | None:
        """Put HEAD's version of a file back in the working tree. The bytes it
        replaces are kept on ``refs/auditdesk/discarded/...`` (returned; None when
        there was nothing to keep)."""
        check_relpath(relpath)
        _check_identity(author)
        with self._locked():
            self._check_state()
            head = self.head()
            current = self._blob_at(head, relpath)
            target = self._worktree_path(relpath, create=False)
            data = self._read_worktree(target)
            kept = None
            if data is not None and self._blob_id_of(data) != current:
                blob = self._store_blob(data, self._blob_id_of(data), self._env_for(author))
                text = _message_bytes(f"Discarded working-tree version of {relpath}")
                kept = self._side_ref("discarded", relpath, self._commit_with(head, {relpath: blob}, author, text))
            if current is None:
                if data is not None:
                    target.unlink()
                    self._fsync_dir(target.parent)
            elif data is None or kept is not None:
                self._write_worktree(relpath, self.read_blob(current))
            self._sync_index([relpath])
            return kept

    def tag(self, name: str, rev: str, *, message: str, tagger: Identity, sign: bool = False) -> str:
        """Create an annotated (optionally signed) tag; return the tag object's id."""
        if not (isinstance(name, str) and _TAG.fullmatch(name) and ".." not in name
                and not name.endswith(".lock") and len(name) <= 200):
            raise GitError(f"invalid tag name {name!r}")
        commit = self.resolve(rev)
        _check_identity(tagger)
        text = _message_bytes(message)
        with self._locked():
            self._write("tag", "-a", *(["-s"] if sign else []), "--cleanup=verbatim", "-F", "-", "--", name, commit,
                        stdin=text, env=self._env_for(tagger))
        found = self._object(f"refs/tags/{name}")
        if found is None:
            raise GitError(f"tag {name} was not created")
        return found[0]

    # ------------------------------------------------------------------- sync

    def fetch(self, remote: str) -> str | None:
        """Fetch the remote's ``main``; its commit, or None when it has none yet."""
        check_remote(remote)
        done = subprocess.run(
            [self._bin, "fetch", "--quiet", "--no-tags", "--end-of-options", remote, "main"],
            cwd=self.path, env=self._remote_env, capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
        )
        if done.returncode != 0:
            why = _one_line(done.stderr, done.returncode)
            if "couldn't find remote ref" in why:
                return None
            raise GitError(f"cannot fetch from {remote}: {why}")
        return self._git("rev-parse", "--verify", "FETCH_HEAD^{commit}").decode().strip()

    def push(self, remote: str) -> None:
        """Push ``main``; a remote that moved meanwhile is refused by git (sync again)."""
        check_remote(remote)
        done = subprocess.run(
            [self._bin, "push", "--quiet", "--end-of-options", remote, "refs/heads/main:refs/heads/main"],
            cwd=self.path, env=self._remote_env, capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
        )
        if done.returncode != 0:  # say why: git's last line is only "failed to push some refs"
            stderr = done.stderr.decode("utf-8", "replace")
            rejected = re.search(r"! \[(?:remote )?rejected\][^\n]*\(([^)\n]+)\)", stderr)
            why = rejected.group(1) if rejected else _one_line(done.stderr, done.returncode)
            said = "; ".join(ln.strip()[7:].strip() for ln in stderr.splitlines() if ln.strip().startswith("remote:") and ln.strip()[7:].strip())
            said = "".join(c for c in said if c.isprintable())[:300]
            hint = "; someone pushed meanwhile: run sync again" if why in ("fetch first", "non-fast-forward") else ""
            raise GitError(f"cannot push to {remote}: {why}" + (f" (the remote said: {said})" if said else "") + hint)

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.merge_base(older, newer) == self.resolve(older)

    def merge_base(self, a: str, b: str) -> str | None:
        out = self._git("merge-base", "--end-of-options", check_rev(a), check_rev(b), ok=(0, 1)).decode().strip()
        return out or None

    def changed(self, a: str | None, b: str) -> list[str]:
        """Paths that differ between two commits (all of ``b``'s when ``a`` is None)."""
        if a is None:
            return sorted(self.blobs(rev=b))
        out = self._git("diff", "--name-only", "--no-renames", "-z", "--end-of-options", check_rev(a), check_rev(b), "--")
        return sorted(p.decode("utf-8") for p in out.split(b"\0") if p)

    def integrate(self, files: Mapping[str, bytes | None], *, parents: list[str], expected_head: str | None,
                  author: Identity, message: str) -> str:
        """Move ``main`` to a commit whose tree is the first parent's with ``files``
        put in (None deletes), and update the working tree to match.

        Used by sync for merges (two parents) and fast-forwards (``files`` are
        the incoming changes, one parent).  Refused if ``main`` moved since
        ``expected_head`` or a touched file has uncommitted changes.
        """
        for relpath in files:
            check_relpath(relpath)
        _check_identity(author)
        env = self._env_for(author)
        blobs = {p: None if d is None else self._store_blob(d, self._blob_id_of(d), env) for p, d in files.items()}
        with self._locked():
            self._check_state()
            head = self.head()
            if head != expected_head:
                raise GitError("main moved while syncing (another save?); run sync again")
            for p in files:
                on_disk = self._read_worktree(self.path / p) if (self.path / p).exists() else None
                if (None if on_disk is None else self._blob_id_of(on_disk)) != self._blob_at(head, p):
                    raise DirtyWorktree(p)
            tree = self._tree_with(parents[0], blobs, author)
            if len(parents) == 1 and self._object(f"{parents[0]}^{{tree}}")[0] == tree:  # type: ignore[index]
                commit = parents[0]
            else:
                commit = self._commit(tree, parents, author, _message_bytes(message))
            self._update_ref(MAIN_REF, commit, head, "auditdesk: sync")
            for p, data in files.items():
                if data is None:
                    (self.path / p).unlink(missing_ok=True)
                else:
                    self._write_worktree(p, data)
            self._sync_index(sorted(files))
            return commit

    def keep(self, kind: str, label: str, commit: str) -> str:
        """Keep ``commit`` reachable on a new side ref (e.g. a remote version sync could not merge)."""
        with self._locked():
            return self._side_ref(kind, label, self.resolve(commit))

    def tags(self, prefix: str) -> list[Tag]:
        """Annotated tags under ``refs/tags/<prefix>/``, oldest first."""
        if not _TAG.fullmatch(prefix) or ".." in prefix:
            raise GitError(f"invalid tag prefix {prefix!r}")
        fmt = "%(refname:strip=2)%00%(*objectname)%00%(taggername)%00%(taggerdate:iso-strict)%00%(contents)%00"
        fields = self._git("for-each-ref", "--sort=taggerdate", f"--format={fmt}", f"refs/tags/{prefix}/").split(b"\0")
        found = []
        for i in range(0, len(fields) - 5, 5):
            name, commit, tagger, date, message = (f.decode("utf-8", "replace").lstrip("\n") for f in fields[i:i + 5])
            if commit:  # lightweight tags have no tagger or message: not ours
                found.append(Tag(name, commit, tagger, datetime.fromisoformat(date), message))
        return found

    def config(self, key: str) -> str:
        """A git config value as git sees it in this repository ("" when unset)."""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+", key):
            raise GitError(f"invalid config key {key!r}")
        return self._git("config", "--get", "--", key, ok=(0, 1)).decode("utf-8", "replace").strip()

    def set_config(self, key: str, value: str) -> None:
        """Set a repository-local git config value (e.g. the store's default user)."""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+", key) or "\n" in value or "\0" in value:
            raise GitError(f"invalid config {key!r} = {value!r}")
        with self._locked():
            self._git("config", "--local", "--", key, value, env=self._read_env)

    # ----------------------------------------------------------- save internals

    def _blob_id_of(self, data: bytes) -> str:
        """The id git gives these exact bytes (no filters), computed without git."""
        return hashlib.new(self._hash, b"blob %d\0" % len(data) + data).hexdigest()

    def _blob_at(self, commit: str | None, relpath: str) -> str | None:
        if commit is None:
            return None
        found = self._object(f"{commit}:{relpath}")
        return found[0] if found and found[1] == "blob" else None

    def _store_blob(self, data: bytes, expected: str, env: Mapping[str, str]) -> str:
        blob = self._write_object(b"blob", data)
        if blob != expected:
            raise GitError(f"stored the bytes as {blob}, expected {expected}")
        return blob

    def _write_object(self, kind: bytes, body: bytes) -> str:
        """Write a loose object without starting git: zlib, temp file, fsync, rename.

        Saves spend most of their time starting git processes; writing the
        blob, trees and commit here leaves only ``update-ref`` (the
        compare-and-swap) and the index refresh to git.  An object that
        exists is left alone; a crash leaves at most a ``tmp_obj_`` file,
        which git's gc removes.
        """
        data = b"%s %d\0" % (kind, len(body)) + body
        oid = hashlib.new(self._hash, data).hexdigest()
        target = self._common_dir / "objects" / oid[:2] / oid[2:]
        if target.exists():
            return oid
        try:
            folder = target.parent
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)
                os.chmod(folder, self._dmode)
            fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(zlib.compress(data, 1))
                    f.flush()
                    os.fchmod(f.fileno(), self._fmode & 0o444)
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise GitError(f"cannot write to the object store: {exc.strerror or exc}") from None
        return oid

    def _tree_put(self, tree: str | None, parts: list[str], blob: str | None) -> str | None:
        """``tree`` with the file at ``parts`` set to ``blob`` (None removes it);
        None when the result is an empty folder."""
        entries: dict[bytes, tuple[bytes, bytes]] = {}
        if tree is not None:
            found = self._object(tree)
            assert found is not None and found[1] == "tree"
            data, i = found[2], 0
            while i < len(data):
                space = data.index(b" ", i)
                nul = data.index(b"\0", space)
                end = nul + 1 + self._oid_len // 2
                entries[data[space + 1:nul]] = (data[i:space], data[nul + 1:end])
                i = end
        name = os.fsencode(parts[0])
        if len(parts) == 1:
            new = blob
            mode = b"100644"
        else:
            mode = b"40000"
            current = entries.get(name)
            sub = current[1].hex() if current and current[0] == b"40000" else None
            new = self._tree_put(sub, parts[1:], blob)
        if new is None:
            entries.pop(name, None)
        else:
            entries[name] = (mode, bytes.fromhex(new))
        if not entries:
            return None
        ordered = sorted(entries.items(), key=lambda e: e[0] + (b"/" if e[1][0] == b"40000" else b""))
        return self._write_object(b"tree", b"".join(m + b" " + n + b"\0" + oid for n, (m, oid) in ordered))

    def _tree_with(self, parent: str | None, files: Mapping[str, str | None], who: Identity) -> str:
        """The tree of ``parent`` with ``files`` (relpath -> blob, None deletes) put in."""
        root = self._object(f"{parent}^{{tree}}")[0] if parent else None  # type: ignore[index]
        for relpath, blob in files.items():
            root = self._tree_put(root, relpath.split("/"), blob)
        return root or self._write_object(b"tree", b"")

    def _commit(self, tree: str, parents: list[str], who: Identity, text: bytes) -> str:
        now = self.clock()
        minutes = int((now.utcoffset() or timedelta(0)).total_seconds()) // 60
        stamp = f"{int(now.timestamp())} {'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        person = f"{who.name} <{who.email}> {stamp}".encode("utf-8")
        body = b"tree " + tree.encode() + b"\n" + b"".join(b"parent " + p.encode() + b"\n" for p in parents)
        body += b"author " + person + b"\ncommitter " + person + b"\n\n" + text
        return self._write_object(b"commit", body)

    def _commit_with(self, parent: str | None, files: Mapping[str, str | None], who: Identity, text: bytes) -> str:
        return self._commit(self._tree_with(parent, files, who), [parent] if parent else [], who, text)

    def _update_ref(self, ref: str, new: str, old: str | None, reason: str) -> None:
        """Compare-and-swap: only moves ``ref`` if it is still at ``old`` (None:
        must not exist yet)."""
        self._write("update-ref", "-m", reason, ref, new, old or "", env=self._env)

    def _side_ref(self, kind: str, relpath: str, commit: str) -> str:
        """Keep ``commit`` on a new ``refs/auditdesk/<kind>/<time>-<pid>-<slug>`` ref."""
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", relpath).strip("_")[:80] or "file"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        ref = f"{SIDE_REF_ROOT}{kind}/{stamp}-{os.getpid()}-{slug}"
        self._update_ref(ref, commit, None, f"auditdesk: {kind}")
        return ref

    def _reject(
        self, head: str | None, path: str, blobs: Mapping[str, str], base: str | None, who: Identity, message: str
    ) -> Conflict:
        """Keep the refused (already stored) blobs on a rejected ref and describe
        who got there first."""
        last: tuple[str, str, datetime] | None = None
        base_commit: str | None = None
        if head is not None:
            out = self._git("log", "--format=%x01%H%x00%an%x00%aI", "--raw", "--no-abbrev", "-n", "1000",
                            "--end-of-options", head, "--", path)
            for chunk in out.decode("utf-8", "replace").split("\x01")[1:]:
                first, *raw = chunk.split("\n")
                commit, name, date = first.split("\0")
                if last is None:
                    last = (commit, name, datetime.fromisoformat(date))
                if base is not None and any(ln.startswith(":") and ln.split()[3] == base for ln in raw):
                    base_commit = commit
                    break
        parent = base_commit or head
        text = _message_bytes(f"Rejected save of {path} (changed by someone else meanwhile)\n\n{message}")
        ref = self._side_ref("rejected", path, self._commit_with(parent, blobs, who, text))
        if last is None:
            return Conflict(path, None, None, None, ref)
        return Conflict(path, *last, ref)

    def _worktree_path(self, relpath: str, *, create: bool) -> Path:
        """The file's path in the working tree, refusing symlinked or non-folder
        parents (a pulled symlink must not redirect a write out of the store)."""
        folder = self.path
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
                raise GitError(f"cannot use {relpath}: {folder.relative_to(self.path)} is not a folder")
        return self.path / relpath

    def _read_worktree(self, target: Path) -> bytes | None:
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise GitError(f"cannot read {target.relative_to(self.path)}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise GitError(f"{target.relative_to(self.path)} is not a regular file")
            return f.read()

    def _worktree_bytes(self, relpath: str, head_blob: str | None, new_blob: str) -> bytes | None:
        """The file's current bytes (None if absent), refusing uncommitted ones
        unless they are exactly what we are about to save."""
        data = self._read_worktree(self._worktree_path(relpath, create=False))
        if data is None:
            if head_blob is not None:
                raise DirtyWorktree(relpath)
            return None
        if self._blob_id_of(data) not in (head_blob, new_blob):
            raise DirtyWorktree(relpath)
        return data

    def _write_worktree(self, relpath: str, data: bytes) -> None:
        """Replace the working-tree file atomically: readers see the old or the new
        bytes, never a truncated file."""
        try:
            target = self._worktree_path(relpath, create=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_FILE_PREFIX, dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fchmod(f.fileno(), self._fmode)
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._fsync_dir(target.parent)
        except OSError as exc:
            raise GitError(f"cannot write {relpath}: {exc.strerror or exc}") from None

    @staticmethod
    def _fsync_dir(folder: Path) -> None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _restore_worktree(self, written: list[str], before: Mapping[str, bytes | None]) -> None:
        """Undo working-tree writes of a save that did not commit."""
        for relpath in written:
            old = before[relpath]
            try:
                if old is None:
                    (self.path / relpath).unlink(missing_ok=True)
                else:
                    self._write_worktree(relpath, old)
            except (OSError, GitError) as exc:
                logger.error("could not restore %s after a failed save: %s", relpath, exc)

    def _sync_index(self, relpaths: list[str]) -> None:
        """Point git's own index at the committed files so ``git status`` is clean.
        The commit already stands, so a failure here is logged, not raised;
        recover() finishes it."""
        try:
            self._write("update-index", "--add", "--remove", "--", *relpaths, env=self._env)
        except GitError as exc:
            logger.warning("git's index not updated for %s: %s (recover() fixes it)", ", ".join(relpaths), exc)

    # ----------------------------------------------------------------- recovery

    def recover(self) -> list[str]:
        """Find what an interrupted save or git command left and finish or report it.

        Stale locks and temporary files are removed; git's
        index is brought in line where the working tree already matches HEAD;
        working-tree files that differ from HEAD are reported, never committed."""
        with self._locked():
            report = self._clear_locks()
            report += self._clear_temp_files()
            report += self._finish_sync()
            report += self._resync_index()
            report += [f"{p}: differs from the last commit and is not committed; keep it with 'auditdesk commit "
                       f"{Path(p).stem}' or drop it with 'git checkout -- {p}' in the store" for p in self.status_dirty()]
        return report

    def _finish_sync(self) -> list[str]:
        """Working-tree files a sync killed after its ``update-ref`` did not write:
        ``main``'s last move is our sync and the file still holds what ``main`` had
        before (so nothing typed is in it): it gets HEAD's version."""
        head = self.head()
        last = self._git("log", "-g", "-n", "2", "--format=%H %gs", "--end-of-options", MAIN_REF, "--", ok=(0, 128))
        entries = last.decode("utf-8", "replace").splitlines()
        if head is None or len(entries) < 2 or entries[0] != f"{head} auditdesk: sync":
            return []
        before = entries[1].split()[0]
        done = []
        for relpath in self.status_dirty():
            data = self._read_worktree(self._worktree_path(relpath, create=False))
            if (None if data is None else self._blob_id_of(data)) != self._blob_at(before, relpath):
                continue  # changed by someone: reported, never overwritten
            now = self._blob_at(head, relpath)
            if now is None:
                (self.path / relpath).unlink(missing_ok=True)
            else:
                self._write_worktree(relpath, self.read_blob(now))
            done.append(relpath)
        if done:
            self._sync_index(done)
        return [f"{p}: brought up to date with HEAD (a sync was interrupted after its commit)" for p in done]

    def _clear_locks(self) -> list[str]:
        report = []
        candidates = {*self._git_dir.glob("*.lock"), *self._common_dir.glob("*.lock"),
                      *(self._common_dir / "refs").rglob("*.lock")}
        for lock in sorted(candidates):
            if lock.name == LOCK_NAME:
                continue
            done = self._remove_if_stale(lock)
            report.append(done or f"left {lock} alone: it is recent, a git command may still be running")
        return report

    def _clear_temp_files(self) -> list[str]:
        """Temp files from an interrupted working-tree write; their bytes were
        stored as a blob before the write began, which the report confirms."""
        report = []
        for folder, dirs, names in os.walk(self.path):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in names:
                if name.startswith(TEMP_FILE_PREFIX):
                    temp = Path(folder) / name
                    rel = temp.relative_to(self.path)
                    try:
                        blob = self._blob_id_of(temp.read_bytes())
                        temp.unlink()
                    except OSError as exc:
                        report.append(f"could not remove temporary file {rel}: {exc.strerror}")
                        continue
                    report.append(
                        f"removed temporary file {rel} of an interrupted save; "
                        + (f"its complete bytes are blob {blob} (unreferenced: git gc will prune it)"
                           if self._object(blob) is not None else "it was incomplete")
                    )
        return report

    def _resync_index(self) -> list[str]:
        """git's index entries that lag behind HEAD while the working tree already
        matches HEAD: a save interrupted after its commit."""
        head = self.head()
        if head is None:
            return []
        out = self._git("diff-index", "--cached", "--name-only", "-z", "--no-renames", head)
        stale = []
        for relpath in (os.fsdecode(n) for n in out.split(b"\0") if n):
            try:
                data = self._read_worktree(self._worktree_path(relpath, create=False))
            except GitError:
                continue
            if data is not None and self._blob_id_of(data) == self._blob_at(head, relpath):
                stale.append(relpath)
        if not stale:
            return []
        self._write("update-index", "--add", "--", *stale, env=self._env)
        return [f"{p}: git's index updated to the committed version (a save was interrupted after its commit)" for p in stale]
