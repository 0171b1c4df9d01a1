"""The git layer of the audit store: paths and bytes in, commits out.

A store is an ordinary git repository with a working tree on branch ``main``.
Audit files live in the working tree so people can read them; every save is a
commit whose objects (blob, trees, commit) are written as loose objects by
:mod:`objects` — never through an index — and ``main`` is moved with a
compare-and-swap ``update-ref``.  Everything that changes the store runs
under the store's exclusive flock (:mod:`locks`); the critical section
lasts a few ms.

Order of a save, chosen so that a crash at any point loses at most the edit
whose save had not returned yet, and never leaves a half-written file:

1. the new bytes go into the object store before anything refers to them;
   this needs no lock;
2. take the flock; check HEAD is on ``main`` with no rebase/merge going on;
3. base check: the file's blob at HEAD must be the ``base`` the caller
   started from, otherwise the refused bytes go to a side ref
   ``refs/auditdesk/rejected/...`` and :class:`Conflict` is raised;
4. the working-tree file must be HEAD's version (or already the new bytes):
   a hand edit is never overwritten, :class:`DirtyWorktree` is raised;
5. the working-tree file is replaced atomically;
6. the trees and the commit are written as objects, then
   ``update-ref refs/heads/main NEW OLD``; any failure here puts the old
   working-tree bytes back;
7. the repository's own index entry is refreshed so ``git status`` is clean.

:mod:`recovery` finishes or reports what a crash between these steps
leaves.  Reads go through one persistent ``git cat-file --batch`` child per
:class:`GitRepo`; call :meth:`GitRepo.close` (or use ``with``) to end it.  A
:class:`GitRepo` may be shared by threads but not across ``fork``.

User text never reaches git as an option: relpaths and revisions are
validated (:mod:`checks`), paths come after ``--`` and are taken literally
(``GIT_LITERAL_PATHSPECS``), messages go through stdin.

Why this module is long: the GitRepo facade; refs, tags and signed objects (issue
14) and the notes cache (issue 15) are its next modules.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from auditdesk.audit.identity import Identity
from auditdesk.fileio import file_mode
from auditdesk.lazylog import logger
from auditdesk.store.git import recovery, remotes
from auditdesk.store.git.checks import (
    TEMP_FILE_PREFIX,
    check_config_key,
    check_identity,
    check_relpath,
    check_rev,
    check_tag_name,
    is_full_id,
    message_bytes,
)
from auditdesk.store.git.errors import Conflict, DirtyWorktree, GitError, LockBusy, NotARepository, RefMoved
from auditdesk.store.git.locks import LOCK_WAIT_SECONDS, flock, remove_if_stale
from auditdesk.store.git.notes import add_notes, noted
from auditdesk.store.git.objects import ObjectStore, Sign
from auditdesk.store.git.process import Git, ObjectReader, clean_env, git_binary, one_line, safe_args
from auditdesk.store.git.worktree import Worktree

__all__ = ["CommitInfo", "GitRepo", "Revision", "SaveManyResult", "SaveResult", "Tag", "TagRequest"]


SIDE_REF_ROOT = "refs/auditdesk/"
#: Attempts when ``main`` moves under us (a git command outside auditdesk).
CAS_ATTEMPTS = 5


@dataclass(frozen=True)
class Revision:
    """One commit touching a file."""

    commit: str
    author: str
    email: str
    date: datetime
    message: str
    parents: tuple[str, ...] = ()
    """Its parents; with ``log(graph=True)`` as rewritten for the file (the commits that touched it)."""


@dataclass(frozen=True)
class CommitInfo:
    """One commit as read from its object: what history checks need."""

    commit: str
    parents: list[str]
    author: str
    email: str
    time: int
    message: str
    raw: bytes


@dataclass(frozen=True)
class Tag:
    """An annotated tag: the commit it names, who made it, when, and its message."""

    name: str
    commit: str
    tagger: str
    date: datetime
    message: str


@dataclass(frozen=True)
class TagRequest:
    """An annotated tag to create with a save (see :meth:`GitRepo.save_many`): its name, and
    its message, computed from the new commit's id (the approval records its revision)."""

    name: str
    message: Callable[[str], str]


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


def _probe(binary: str, where: Path, env: dict[str, str], *flags: str) -> str:
    """``git rev-parse`` at ``where`` during open, turning failures into reasons."""
    done = subprocess.run([binary, *safe_args(), "rev-parse", *flags], cwd=where, env=env, capture_output=True,
                          check=False)
    if done.returncode:
        why = one_line(done.stderr, done.returncode)
        if "dubious ownership" in why:
            raise NotARepository(
                f"{where} belongs to another user and git refuses it until it is trusted: "
                f"git config --global --add safe.directory {where}"
            )
        if "not a git repository" in why:
            raise NotARepository(f"{where} is not a git repository")
        raise NotARepository(f"{where} cannot be opened: {why}")
    return done.stdout.decode().rstrip("\n")


def _config_name(key: str) -> str:
    """A config key as ``git config --list`` prints it: section and name in lower case,
    a subsection as written."""
    section, _, rest = key.partition(".")
    middle, _, name = rest.rpartition(".")
    return f"{section.lower()}.{middle + '.' if middle else ''}{name.lower()}"


def _parse_config_list(out: bytes) -> dict[str, str]:
    """``git config --list -z``: ``key\\nvalue\\0`` per entry (no newline: a key without value);
    the last of several values wins, as with ``git config --get``."""
    found: dict[str, str] = {}
    for entry in out.decode("utf-8", "replace").split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            found[key] = value
    return found


def _raw_paths(raw: bytes) -> list[str]:
    """The paths of ``git log --raw -z`` lines (``:mode mode id id status\0path\0``)."""
    fields = raw.lstrip(b"\n").split(b"\0")
    paths = []
    for i in range(0, len(fields) - 1, 2):
        if fields[i].startswith(b":"):
            paths.append(os.fsdecode(fields[i + 1]))
    return paths


class GitRepo:
    """One store, opened for reading and saving."""

    MAIN_REF = "refs/heads/main"

    path: Path

    @staticmethod
    def clock() -> datetime:
        """When a commit is made (local time with offset); tests fix it for repeatable commit ids."""
        return datetime.now(UTC).astimezone()

    @classmethod
    def init(cls, path: Path, *, shared_group: bool = False, author: Identity | None = None) -> GitRepo:
        """Create a store: ``git init -b main`` plus one empty commit so HEAD exists."""
        path = Path(path).absolute()
        if (path / ".git").exists():
            raise GitError(f"{path} is already a git repository")
        path.mkdir(parents=True, exist_ok=True)
        args = [git_binary(), *safe_args(), "init", "-q", "-b", "main"]
        if shared_group:
            args.append("--shared=group")
        done = subprocess.run([*args, "--", str(path)], env=clean_env(), capture_output=True, check=False)
        if done.returncode:
            raise GitError(f"git init: {one_line(done.stderr, done.returncode)}")
        if shared_group:
            os.chmod(path, (stat.S_IMODE(path.stat().st_mode) | 0o2070) & ~0o002)
        repo = cls(path)
        try:
            who = check_identity(author or Identity("auditdesk", "auditdesk@localhost"))
            with repo.locked():
                tree = repo.objects.write(b"tree", b"")
                commit = repo.objects.commit(tree, [], who, message_bytes("Create audit store"), cls.clock())
                repo._update_ref(cls.MAIN_REF, commit, None, "auditdesk: create store")
        except BaseException:
            repo.close()
            raise
        return repo

    @classmethod
    def init_hub(cls, path: Path, *, shared_group: bool = False) -> str:
        """Create the hub a team shares: a bare repository whose ``main`` holds one empty
        commit (so every clone starts from the same history), refusing force-pushes and
        deleted branches, since the history is the audit trail.  Returns that commit."""
        path = Path(path).absolute()
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise GitError(f"{path} already exists and is not an empty folder; choose another")
        path.mkdir(parents=True, exist_ok=True)
        binary, env = git_binary(), clean_env()
        args = ["init", "-q", "--bare", "-b", "main", *(["--shared=group"] if shared_group else []), "--", str(path)]

        def run(*cmd: str, stdin: bytes = b"") -> str:
            done = subprocess.run([binary, *cmd], cwd=path, env=env, input=stdin, capture_output=True, check=False)
            if done.returncode:
                raise GitError(f"git {cmd[0]}: {one_line(done.stderr, done.returncode)}")
            return done.stdout.decode().strip()

        run(*args)
        if shared_group:
            os.chmod(path, (stat.S_IMODE(path.stat().st_mode) | 0o2070) & ~0o002)
        for key, value in (("receive.denyNonFastForwards", "true"), ("receive.denyDeletes", "true")):
            run("config", "--", key, value)
        tree = run("mktree")
        who = dict(GIT_AUTHOR_NAME="auditdesk", GIT_AUTHOR_EMAIL="auditdesk@localhost",
                   GIT_COMMITTER_NAME="auditdesk", GIT_COMMITTER_EMAIL="auditdesk@localhost")
        env.update(who)
        commit = run("commit-tree", tree, "-m", "Create audit store")
        run("update-ref", "refs/heads/main", commit, "")
        return commit

    @classmethod
    def clone(cls, url: str, path: Path) -> GitRepo:
        """Clone a hub's ``main`` into a new folder and open it (see :func:`remotes.clone`)."""
        remotes.clone(url, path)
        return cls(path)

    def __init__(self, path: Path) -> None:
        """Open the store at ``path``; raise NotARepository saying why it can't be used."""
        binary = git_binary()
        given = Path(path).absolute()
        if not given.exists():
            raise NotARepository(f"{given} does not exist")
        if not given.is_dir():
            raise NotARepository(f"{given} is not a folder")
        env = clean_env()
        if stat.S_ISDIR(os.lstat(given / ".git").st_mode if os.path.lexists(given / ".git") else 0):
            self._check_files(given, given / ".git")  # before git reads any of them
        layout = ("--is-bare-repository", "--is-inside-git-dir", "--show-object-format", "--absolute-git-dir", "--git-common-dir")
        try:  # one process when the store is sound; the two probes below say why when it is not
            bare, inside_git_dir, object_format, git_dir, common_dir, top = _probe(
                binary, given, env, *layout, "--show-toplevel").split("\n")[:6]
        except (NotARepository, ValueError):
            bare, inside_git_dir, object_format, git_dir, common_dir = _probe(binary, given, env, *layout).split("\n")[:5]
            top = ""
        if bare == "true":
            raise NotARepository(f"{given} is a bare repository; auditdesk needs one with a working tree")
        if inside_git_dir == "true":
            raise NotARepository(f"{given} is inside a .git folder")
        if (given / ".git").resolve() == Path(git_dir).resolve():
            root = given  # its own .git: a core.worktree in its config is not followed (GIT_WORK_TREE, see process)
        else:
            root = Path(top or _probe(binary, given, env, "--show-toplevel"))
        if root.resolve() != given.resolve():
            raise NotARepository(f"{given} is inside the git repository {root}; open {root} instead")
        self.path = root
        self.git_dir = Path(git_dir)
        self.common_dir = (given / common_dir).resolve()
        self._check_files(given, self.git_dir, self.common_dir)
        if root.parent != root:
            env["GIT_CEILING_DIRECTORIES"] = str(root.parent)
        try:
            self.git = Git(root, env, self.git_dir)
        except GitError as exc:
            raise NotARepository(str(exc)) from None
        self._reader = ObjectReader(self.git)
        self._mutex = threading.RLock()
        self._config: dict[str, str] | None = None
        shared = self.config("core.sharedRepository")
        self._shared = bool(shared.strip()) and shared.strip().lower() not in ("umask", "false", "0")
        self._fmode = file_mode(shared)
        self._dmode = self._fmode | ((self._fmode & 0o444) >> 2) | (0o2000 if self._shared else 0)
        self.objects = ObjectStore(self._reader, self.common_dir, object_format, self._fmode, self._dmode)
        self.worktree = Worktree(root, self._fmode, self._dmode, self.objects.blob_id_of)
        self._check_state()

    @property
    def file_mode(self) -> int:
        """Mode for files written into the store, as its sharing setting asks."""
        return self._fmode

    @property
    def dir_mode(self) -> int:
        return self._dmode

    #: Files git reads on every command that no -c setting can point elsewhere: a
    #: symlink to /dev/zero or a FIFO there would hang git or fill the memory.
    GIT_FILES = ("info/attributes", "info/exclude", "config")
    MAX_GIT_FILE = 1 << 20

    @classmethod
    def _check_files(cls, where: Path, *folders: Path) -> None:
        """Refuse a store whose .git/info/attributes, info/exclude or config is not a
        plain file of sensible size (see RELIABILITY.md, "Threat model")."""
        for rel in cls.GIT_FILES:
            for folder in dict.fromkeys(folders):
                try:
                    st = os.lstat(folder / rel)
                except FileNotFoundError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    raise NotARepository(f"{where}: {folder / rel} is not a plain file (a symlink, a FIFO or a "
                                         "device); auditdesk will not let git read it. Replace it with a file")
                if st.st_size > cls.MAX_GIT_FILE:
                    raise NotARepository(f"{where}: {folder / rel} is {st.st_size} bytes; auditdesk will not let git "
                                         f"read a file over {cls.MAX_GIT_FILE} bytes there")

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
            if (self.git_dir / name).exists():
                raise NotARepository(f"{self.path}: {why}; finish or abort it first")
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            raise NotARepository(f"{self.path}: cannot read .git/HEAD ({exc.strerror})") from None
        if not head.startswith("ref: "):
            raise NotARepository(f"{self.path}: HEAD is detached (at {head[:12]}); check out main first")
        if head[5:] != self.MAIN_REF:
            raise NotARepository(f"{self.path}: on branch {head[5:].removeprefix('refs/heads/')}; stores use main")

    # ---------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """End the ``cat-file`` child; the object stays usable (it restarts on demand)."""
        self._reader.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The store's critical section: our thread lock plus the flock shared by every process."""
        with (self._mutex, flock(self.common_dir, self._fmode, shared_store=self._shared, root=self.path),
              self.operation()):
            yield

    def operation(self, *, git_only: bool = False) -> AbstractContextManager[None]:
        """Mark a change of the store while it runs, so that a crash leaves a marker (see :mod:`recovery`).

        ``git_only``: the operation is one git command, which cleans up after itself
        when it fails; only a kill (or a timeout, which kills it) leaves the marker."""
        if git_only:
            return recovery.operation(self.common_dir, self._fmode, self._dmode, clean=(GitError,))
        return recovery.operation(self.common_dir, self._fmode, self._dmode)

    def write_git(self, *args: str, stdin: bytes = b"", env: Mapping[str, str] | None = None) -> bytes:
        """A writing git command: durable, and patient with git's own lock files
        (removing them once stale, which is safe because we hold the flock)."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return self.git.run(*args, stdin=stdin, env=self.git.env if env is None else env, durable=True)
            except LockBusy as busy:
                if remove_if_stale(busy.lock, (self.git_dir, self.common_dir)) is not None:
                    continue
                if time.monotonic() > deadline:
                    raise GitError(
                        f"{busy.lock} is held by another git command; if none is running, remove it or run recover()"
                    ) from None
                time.sleep(0.02)

    def _env_for(self, who: Identity) -> dict[str, str]:
        return dict(
            self.git.env,
            GIT_AUTHOR_NAME=who.name, GIT_AUTHOR_EMAIL=who.email,
            GIT_COMMITTER_NAME=who.name, GIT_COMMITTER_EMAIL=who.email,
        )

    def recover(self) -> list[str]:
        """Finish or report what an interrupted save or git command left (see :mod:`recovery`)."""
        return recovery.recover(self)

    def recover_if_interrupted(self) -> list[str]:
        """:meth:`recover` when a marker says an operation was interrupted; otherwise
        nothing is run and no lock is taken (what every open does)."""
        return recovery.recover(self) if recovery.interrupted(self.common_dir) else []

    def worktree_report(self) -> list[str]:
        """Working-tree files that differ from HEAD (hand edits), said with the commands that settle them."""
        return recovery.worktree_report(self)

    # -------------------------------------------------------------------- reads

    def has_object(self, oid: str) -> bool:
        return self._reader.object(oid) is not None

    def head(self) -> str | None:
        """The commit ``main`` points at, or None before the first commit."""
        found = self._reader.object(self.MAIN_REF)
        return found[0] if found else None

    def resolve(self, rev: str) -> str:
        """Full commit id of any revision name git takes (``main``, ``HEAD~2``, ``origin/main``,
        ``approved/X/1``, a short id); a clear error for one this store does not have.
        The name reaches git on ``cat-file``'s stdin, never as an argument."""
        found = self._reader.object(f"{check_rev(rev)}^{{commit}}")
        if found is None:
            raise GitError(f"unknown revision {rev!r}")
        return found[0]

    def _entry(self, relpath: str, rev: str) -> tuple[str, str, bytes] | None:
        """The object at ``rev:relpath``; None if the file is absent, GitError if
        the revision itself is unknown (so a typo is not mistaken for "no file")."""
        commit = rev if rev == "HEAD" or is_full_id(rev) else self.resolve(rev)
        found = self._reader.object(f"{check_rev(commit)}:{check_relpath(relpath)}")
        if found is None:
            self.resolve(commit)
        return found

    def blob_id(self, relpath: str, rev: str = "HEAD") -> str | None:
        """The file's blob id at ``rev`` (the ``base`` for a later save), None if absent."""
        found = self._entry(relpath, rev)
        return found[0] if found and found[1] == "blob" else None

    def blob_at(self, commit: str | None, relpath: str) -> str | None:
        """The blob at ``commit:relpath`` of a commit id known to exist (no checks)."""
        if commit is None:
            return None
        found = self._reader.object(f"{commit}:{relpath}")
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
        found = self._reader.object(blob)
        if found is None or found[1] != "blob":
            raise GitError(f"no blob {blob}")
        return found[2]

    def blobs(self, under: str = "", rev: str = "HEAD") -> dict[str, str]:
        """relpath -> blob id of every file under a folder, with one ``ls-tree``."""
        under = check_relpath(under.rstrip("/"), allow_empty=True)
        check_rev(rev)
        if rev == "HEAD" and self.head() is None:
            return {}
        out = self.git.run("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev, *(["--", under] if under else []))
        result = {}
        for entry in out.split(b"\0"):
            if entry:
                meta, _, name = entry.partition(b"\t")
                mode, kind, oid = meta.decode("ascii").split()
                if kind == "blob" and mode in ("100644", "100755"):
                    result[os.fsdecode(name)] = oid
        return result

    def log(self, relpath: str | None = None, *, limit: int | None = None, rev: str = "HEAD",
            graph: bool = False) -> list[Revision]:
        """Commits touching ``relpath`` (or all), newest first; with ``graph``, children
        always before their parents and each commit's parents among the commits listed
        (git's parent rewriting), so merges can be followed."""
        check_rev(rev)
        args = ["log", "-z", "--format=%H%x00%an%x00%ae%x00%aI%x00%P%x00%B"]
        if graph:
            args += ["--parents", "--topo-order"]
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
        fields = self.git.run(*args).split(b"\0")
        revisions = []
        for i in range(0, len(fields) - 5, 6):
            commit, author, email, date, parents, message = (f.decode("utf-8", "replace") for f in fields[i:i + 6])
            commit = commit.split(" ")[0]  # --parents also lists them after the id
            revisions.append(Revision(commit, author, email, datetime.fromisoformat(date), message.rstrip("\n"),
                                      tuple(parents.split())))
        return revisions

    def knows_committer(self) -> bool:
        """Whether git here can name a committer (config, environment or a usable host name):
        git's textconv cache is a commit, and git stops `git log -p` when it cannot."""
        try:
            self.git.run("var", "GIT_COMMITTER_IDENT")
        except GitError:
            return False
        return True

    def last_commit(self, relpath: str, rev: str = "HEAD") -> str | None:
        """The newest commit that gave the file its content as of ``rev``: the first
        revision ``git log REV -- PATH`` lists (None if the file never existed)."""
        if rev == "HEAD" and self.head() is None:
            return None
        out = self.git.run("log", "-1", "--format=%H", "--end-of-options", check_rev(rev), "--", check_relpath(relpath))
        return out.decode().strip() or None

    def last_commits(self, relpaths: list[str], rev: str = "HEAD") -> dict[str, str]:
        """:meth:`last_commit` of many files at once, with one walk of the history.

        git's own rule, followed file by file: from ``rev``, a commit that changed
        the file is the answer; past one that did not, go on to its parent — for
        a merge, to the first parent with the same version of the file (a merge
        that matches none of its parents is itself the answer).  Files absent at
        ``rev`` are left out."""
        commit = self.resolve(rev) if self.head() is not None else None
        if commit is None:
            return {}
        present = {p for p in relpaths if self.blob_at(commit, check_relpath(p)) is not None}
        at: dict[str, set[str]] = {commit: set(present)}  # commit -> files whose walk stands there
        found: dict[str, str] = {}
        skip, window = 0, 256
        while at:
            out = self.git.run("log", "--topo-order", "--no-renames", "--raw", "--no-abbrev", "-z",
                               "--format=%x01%H %P", f"--skip={skip}", f"-n{window}", "--end-of-options", commit)
            if not out:
                break
            for chunk in out.split(b"\x01")[1:]:
                head, _, raw = chunk.partition(b"\0")
                ids = head.decode("ascii").split()
                here = at.pop(ids[0], None)
                if not here:
                    continue
                parents, changed = ids[1:], set(_raw_paths(raw))
                for path in here:
                    if len(parents) <= 1:
                        if path in changed or not parents:
                            found[path] = ids[0]
                        else:
                            at.setdefault(parents[0], set()).add(path)
                        continue
                    mine = self.blob_at(ids[0], path)
                    same = next((p for p in parents if self.blob_at(p, path) == mine), None)
                    if same is None:
                        found[path] = ids[0]
                    else:
                        at.setdefault(same, set()).add(path)
            skip += window
            window *= 4
        return found

    def status_dirty(self, under: str = "") -> list[str]:
        """Working-tree files under a folder that differ from HEAD: modified,
        deleted or untracked (not ignored)."""
        under = check_relpath(under.rstrip("/"), allow_empty=True)
        spec = ["--", under] if under else []
        base = self.head() or self.objects.empty_tree()
        changed = self.git.run("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, *spec)
        untracked = self.git.run("ls-files", "-z", "--others", "--exclude-standard", *spec)
        # git compares through the attributes a store names (eol, text, working-tree-encoding, ident):
        # a file it calls modified is confirmed by its bytes, or it would be a false "interrupted save"
        names = {n for n in map(os.fsdecode, changed.split(b"\0")) if n and self._differs(n, base)}
        names |= {os.fsdecode(n) for n in untracked.split(b"\0") if n}
        return sorted(n for n in names if not n.rpartition("/")[2].startswith(TEMP_FILE_PREFIX))

    def _differs(self, relpath: str, commit: str) -> bool:
        """Whether the working-tree file's bytes differ from ``commit``'s (absent counts)."""
        try:
            return self.worktree.blob_of(relpath) != self.blob_at(commit, relpath)
        except GitError:  # unreadable (a symlinked folder, not a regular file): it differs
            return True

    def tags(self, prefix: str) -> list[Tag]:
        """Annotated tags under ``refs/tags/<prefix>/``, oldest first."""
        check_tag_name(prefix, prefix=True)
        fmt = "%(refname:strip=2)%00%(*objectname)%00%(taggername)%00%(taggerdate:iso-strict)%00%(contents)%00"
        fields = self.git.run("for-each-ref", "--sort=taggerdate", f"--format={fmt}", f"refs/tags/{prefix}/").split(b"\0")
        found = []
        for i in range(0, len(fields) - 5, 5):
            name, commit, tagger, date, message = (f.decode("utf-8", "replace").lstrip("\n") for f in fields[i:i + 5])
            if commit:  # lightweight tags have no tagger or message: not ours
                found.append(Tag(name, commit, tagger, datetime.fromisoformat(date), message))
        return found

    def config(self, key: str) -> str:
        """A git config value as git sees it in this repository ("" when unset).

        Every value is read with one ``git config --list`` when the store is
        opened (the sharing mode, the acting user and the diff driver all need
        one), then kept; :meth:`set_config` keeps the copy up to date."""
        check_config_key(key)
        with self._mutex:
            if self._config is None:
                self._config = _parse_config_list(self.git.run("config", "--list", "-z"))
            return self._config.get(_config_name(key), "").strip()

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.merge_base(older, newer) == self.resolve(older)

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.git.run("merge-base", "--end-of-options", check_rev(a), check_rev(b), ok=(0, 1)).decode().strip()
        return out or None

    def changed(self, a: str | None, b: str) -> list[str]:
        """Paths that differ between two commits (all of ``b``'s when ``a`` is None)."""
        if a is None:
            return sorted(self.blobs(rev=b))
        out = self.git.run("diff", "--name-only", "--no-renames", "-z", "--end-of-options", check_rev(a), check_rev(b), "--")
        return sorted(os.fsdecode(p) for p in out.split(b"\0") if p)  # a name that is not UTF-8 keeps its bytes

    def entries_changed(self, a: str | None, b: str) -> list[tuple[str, str, str]]:
        """(path, mode in ``b``, status A/M/D/T) of every path that differs between
        two commits (``a`` None: every path of ``b``), symlinks and submodules included."""
        out = self.git.run("diff", "--raw", "-z", "--no-renames", "--no-abbrev", "--end-of-options",
                           check_rev(a) if a else self.objects.empty_tree(), check_rev(b), "--")
        fields = out.split(b"\0")
        found = []
        for meta, path in zip(fields[0:-1:2], fields[1::2], strict=False):
            _old_mode, new_mode, _old, _new, status = meta.decode("ascii").lstrip(":").split()
            found.append((os.fsdecode(path), new_mode, status[0]))
        return found

    # ------------------------------------------------------------------- writes

    def save(self, relpath: str, data: bytes, *, base: str | None, author: Identity, message: str,
             sign: Sign | None = None) -> SaveResult:
        """Commit one file's bytes if the file is still at ``base`` (None: new file); signed with `sign`.

        Raises Conflict (bytes kept on a side ref) or DirtyWorktree."""
        done = self.save_many({relpath: data}, bases={relpath: base}, author=author, message=message, sign=sign)
        return SaveResult(done.commit, done.blobs[relpath], done.changed)

    def save_many(
        self, files: Mapping[str, bytes], *, bases: Mapping[str, str | None], author: Identity, message: str,
        sign: Sign | None = None, tag: TagRequest | None = None,
    ) -> SaveManyResult:
        """Commit several files in one commit, with the same rules as :meth:`save`;
        files whose bytes equal HEAD's are left out.  With `tag`, an annotated tag on the
        new commit is created in the same ref transaction: both land or neither does."""
        if not files:
            raise GitError("nothing to save")
        for relpath, data in files.items():
            check_relpath(relpath)
            if not isinstance(data, bytes):
                raise GitError(f"{relpath}: data must be bytes")
            if relpath not in bases:
                raise GitError(f"{relpath}: no base given (use None for a new file)")
            base = bases[relpath]
            if base is not None and not (isinstance(base, str) and len(base) == self.objects.oid_len
                                         and re.fullmatch(r"[0-9a-f]+", base)):
                raise GitError(f"{relpath}: invalid base {base!r} (a full blob id or None)")
        check_identity(author)
        text = message_bytes(message)
        # Objects may be written outside the lock: nothing refers to them yet.
        blobs = {p: self.objects.store_blob(d) for p, d in files.items()}
        with self.locked():
            self._check_state()
            for _ in range(CAS_ATTEMPTS):
                head = self.head()
                current = {p: self.blob_at(head, p) for p in files}
                changed = sorted(p for p in files if current[p] != blobs[p])
                if not changed:
                    return SaveManyResult(None, blobs, False)
                conflicts = [p for p in changed if current[p] != bases[p]]
                if conflicts:
                    raise self._reject(head, conflicts[0], {p: blobs[p] for p in changed}, bases[conflicts[0]], author, message)
                before = {p: self.worktree.before_save(p, current[p], blobs[p]) for p in changed}
                written: list[str] = []
                try:
                    for p in changed:
                        self.worktree.write(p, files[p])
                        written.append(p)
                    commit = self.objects.commit_with(head, {p: blobs[p] for p in changed}, author, text, self.clock(), sign)
                    if tag is None:
                        self._update_ref(self.MAIN_REF, commit, head, "auditdesk: save")
                    else:
                        self._commit_and_tag(commit, head, tag, author, sign)
                except RefMoved:
                    self.worktree.restore(written, before)
                    continue
                except BaseException:
                    self.worktree.restore(written, before)
                    raise
                self.sync_index(changed)
                return SaveManyResult(commit, blobs, True)
        raise GitError(f"main kept moving while saving (changed by git outside auditdesk {CAS_ATTEMPTS} times)")

    def discard_worktree(self, relpath: str, *, author: Identity) -> str | None:
        """Put HEAD's version of a file back in the working tree. The bytes it
        replaces are kept on ``refs/auditdesk/discarded/...`` (returned; None when
        there was nothing to keep)."""
        check_relpath(relpath)
        check_identity(author)
        with self.locked():
            self._check_state()
            head = self.head()
            current = self.blob_at(head, relpath)
            data = self.worktree.read(relpath)
            kept = None
            if data is not None and self.objects.blob_id_of(data) != current:
                blob = self.objects.store_blob(data)
                text = message_bytes(f"Discarded working-tree version of {relpath}")
                kept = self._side_ref("discarded", relpath,
                                      self.objects.commit_with(head, {relpath: blob}, author, text, self.clock()))
            if current is None:
                if data is not None:
                    self.worktree.remove(relpath)
            elif data is None or kept is not None:
                self.worktree.write(relpath, self.read_blob(current))
            self.sync_index([relpath])
            return kept

    def tag(self, name: str, rev: str, *, message: str, tagger: Identity, sign: bool = False) -> str:
        """Create an annotated (optionally signed) tag; return the tag object's id."""
        check_tag_name(name)
        commit = self.resolve(rev)
        check_identity(tagger)
        text = message_bytes(message)
        with self.locked():
            self.write_git("tag", "-a", *(["-s"] if sign else []), "--cleanup=verbatim", "-F", "-", "--", name, commit,
                           stdin=text, env=self._env_for(tagger))
        found = self._reader.object(f"refs/tags/{name}")
        if found is None:
            raise GitError(f"tag {name} was not created")
        return found[0]

    def integrate(self, files: Mapping[str, bytes | None], *, parents: list[str], expected_head: str | None,
                  author: Identity, message: str, sign: Sign | None = None) -> str:
        """Move ``main`` to a commit whose tree is the first parent's with ``files``
        put in (None deletes), and update the working tree to match.

        Used by sync for merges (two parents) and fast-forwards (``files`` are
        the incoming changes, one parent).  Refused if ``main`` moved since
        ``expected_head`` or a touched file has uncommitted changes.
        """
        for relpath in files:
            check_relpath(relpath)
        check_identity(author)
        blobs = {p: None if d is None else self.objects.store_blob(d) for p, d in files.items()}
        with self.locked():
            self._check_state()
            head = self.head()
            if head != expected_head:
                raise GitError("main moved while syncing (another save?); run sync again")
            for p in files:
                if self.worktree.blob_of(p) != self.blob_at(head, p):
                    raise DirtyWorktree(p)
            tree = self.objects.tree_with(parents[0], blobs)
            if len(parents) == 1 and self.objects.tree_of(parents[0]) == tree:
                commit = parents[0]
            else:
                commit = self.objects.commit(tree, parents, author, message_bytes(message), self.clock(), sign)
            self._update_ref(self.MAIN_REF, commit, head, recovery.SYNC_REFLOG)
            for p, data in files.items():
                if data is None:
                    self.worktree.remove(p)  # never through a symlinked folder
                else:
                    self.worktree.write(p, data)
            self.sync_index(sorted(files))
            return commit

    def ref_target(self, ref: str) -> str | None:
        """What a full ref name (``refs/...``) points at, or None."""
        found = self._reader.object(check_rev(ref)) if ref.startswith("refs/") else None
        return found[0] if found else None

    def move_ref(self, ref: str, new: str, old: str | None, reason: str) -> None:
        """Compare-and-swap a ref of auditdesk's own (a cache, a side ref); RefMoved if it moved."""
        if not ref.startswith(("refs/notes/", SIDE_REF_ROOT)):
            raise GitError(f"auditdesk does not move {ref!r} this way")
        self._update_ref(ref, new, old, reason)

    def add_notes(self, ref: str, validity: str, notes: Mapping[str, bytes]) -> int:
        """Fill a git notes cache (see :mod:`notes`); how many notes were added."""
        return add_notes(self, ref, validity, notes)

    def noted(self, ref: str, validity: str, oids: list[str]) -> set[str]:
        """Which of ``oids`` a git notes cache has a note for."""
        return noted(self, ref, validity, oids)

    def changed_blobs(self, under: str, *, since: str | None = None, limit: int | None = None) -> list[str]:
        """Blob ids (both sides) of the files under a folder changed by the newest
        ``limit`` commits of ``main``, or by those after ``since``; newest first."""
        under = check_relpath(under.rstrip("/"))
        if self.head() is None:
            return []
        args = ["log", "--raw", "--no-abbrev", "--no-renames", "--format=", "-m"]
        if limit is not None:
            args += ["-n", str(int(limit))]
        args += ["--end-of-options", f"{self.resolve(since)}..HEAD" if since else "HEAD", "--", under]
        found: dict[str, None] = {}
        for line in self.git.run(*args).decode("utf-8", "replace").splitlines():
            if line.startswith(":"):
                meta = line.split("\t", 1)[0].split()
                for oid in meta[2:4]:
                    if oid.strip("0"):
                        found[oid] = None
        return list(found)

    def keep(self, kind: str, label: str, commit: str) -> str:
        """Keep ``commit`` reachable on a new side ref (e.g. a remote version sync could not merge)."""
        with self.locked():
            return self._side_ref(kind, label, self.resolve(commit))

    def set_config(self, key: str, value: str) -> None:
        """Set a repository-local git config value (e.g. the store's default user)."""
        check_config_key(key)
        if "\n" in value or "\0" in value:
            raise GitError(f"invalid config {key!r} = {value!r}")
        with self.locked():
            self.git.run("config", "--local", "--", key, value)
            self._config = None  # read again when next asked: git's own view, includes and all

    def fetch(self, remote: str) -> str | None:
        """Fetch the remote's ``main`` (see :mod:`remotes`)."""
        with self.operation(git_only=True):  # killed, git leaves its locks: the next start clears them
            return remotes.fetch(self, remote)

    def push(self, remote: str, tags: tuple[str, ...] = ()) -> None:
        """Push ``main``, with `tags` in the same atomic push (see :mod:`remotes`)."""
        with self.operation(git_only=True):
            remotes.push(self, remote, tags)

    def fetch_tags(self, remote: str, prefix: str) -> dict[str, tuple[str, str]]:
        """The remote's annotated tags under ``refs/tags/<prefix>/``: name -> (tag object, commit),
        fetched aside (see :mod:`remotes`), not yet taken as ours."""
        with self.operation(git_only=True):  # killed, git leaves its locks: the next start clears them
            space = remotes.fetch_tags(self, remote, prefix)
        out = self.git.run("for-each-ref", "--format=%(refname) %(objecttype) %(objectname) %(*objectname)",
                           f"{space}/{prefix}/").decode()
        found = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[1] == "tag":
                found[parts[0][len(space) + 1:]] = (parts[2], parts[3])
        return found

    def sync_index(self, relpaths: list[str]) -> None:
        """Point git's own index at the committed files so ``git status`` is clean.
        The commit already stands, so a failure here is logged, not raised;
        recover() finishes it."""
        # The entries are the committed blobs, not the files hashed again: git would hash them
        # through the attributes a store names (working-tree-encoding, eol, filters), and an
        # index that then differs from HEAD reads as an interrupted save.  --refresh records
        # the files' stat data where their bytes match.
        head = self.head()
        entries: list[str] = []
        removed: list[str] = []
        for relpath in relpaths:
            blob = self.blob_at(head, relpath)
            if blob is None:
                removed.append(relpath)
            else:
                entries += ["--cacheinfo", f"100644,{blob},{relpath}"]
        try:
            self.write_git("update-index", "--add", *entries, "-q", "--refresh",
                           *(["--force-remove", "--", *removed] if removed else []))
        except GitError as exc:
            logger(__name__).warning("git's index not updated for %s: %s (recover() fixes it)", ", ".join(relpaths), exc)

    # ------------------------------------------------- objects, refs, signatures

    def read_object(self, oid: str) -> tuple[str, bytes] | None:
        """(type, raw content) of an object id, None if absent: what signatures are checked on."""
        if not isinstance(oid, str) or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", oid):
            raise GitError(f"invalid object id {oid!r}")
        found = self._reader.object(oid)
        return None if found is None else (found[1], found[2])

    def commit_info(self, commit: str) -> CommitInfo:
        """Parents, author and raw bytes of a commit id."""
        found = self.read_object(commit)
        if found is None or found[0] != "commit":
            raise GitError(f"no commit {commit}")
        raw = found[1]
        head = raw.split(b"\n\n", 1)[0].decode("utf-8", "replace").split("\n")
        parents = [ln[7:] for ln in head if ln.startswith("parent ")]
        author = next((ln[7:] for ln in head if ln.startswith("author ")), "")
        match = re.match(r"^(.*?) <([^<>]*)> (\d+) ([+-]\d{4})$", author)
        name, email, stamp = (match.group(1), match.group(2), int(match.group(3))) if match else (author, "", 0)
        message = raw.split(b"\n\n", 1)[1].decode("utf-8", "replace") if b"\n\n" in raw else ""
        return CommitInfo(commit, parents, name, email, stamp, message, raw)

    def rev_list(self, include: str, exclude: str | None = None, paths: tuple[str, ...] = ()) -> list[str]:
        """Commits reachable from `include` but not `exclude` (touching `paths`, every side of merges), newest first."""
        args = ["rev-list", "--full-history", check_rev(include)]
        if exclude is not None:
            args.append("^" + check_rev(exclude))
        if paths:
            args += ["--", *(check_relpath(p) for p in paths)]
        return self.git.run(*args).decode().split()

    def tag_objects(self, prefix: str) -> dict[str, tuple[str, str]]:
        """name -> (tag object id, commit it names) of every annotated tag under ``refs/tags/<prefix>/``."""
        check_tag_name(prefix, prefix=True)
        out = self.git.run("for-each-ref", "--format=%(refname:strip=2) %(objecttype) %(objectname) %(*objectname)",
                           f"refs/tags/{prefix}/").decode()
        found = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[1] == "tag":
                found[parts[0]] = (parts[2], parts[3])
        return found

    def update_refs(self, updates: list[tuple[str, str, str | None]], reason: str) -> None:
        """Move several refs in one transaction: (ref, new, old or None for "must not exist")."""
        lines = ["start"]
        for ref, new, old in updates:
            if not ref.startswith("refs/") or any(c.isspace() for c in ref):
                raise GitError(f"invalid ref {ref!r}")
            lines.append(f"update {ref} {new} {old or self.objects.zero_id}")
        lines += ["prepare", "commit", ""]
        with self.locked():
            self.write_git("update-ref", "-m", reason, "--stdin", stdin="\n".join(lines).encode())

    def _commit_and_tag(self, commit: str, head: str | None, tag: TagRequest, who: Identity, sign: Sign | None) -> None:
        """Create the tag object on `commit`, then move ``main`` and create the tag ref in one
        ``update-ref --stdin`` transaction: git applies both or neither."""
        check_tag_name(tag.name)
        tag_oid = self.objects.tag(commit, tag.name, who, message_bytes(tag.message(commit)), self.clock(), sign)
        zero = self.objects.zero_id
        script = (f"start\nupdate {self.MAIN_REF} {commit} {head or zero}\ncreate refs/tags/{tag.name} {tag_oid}\n"
                  "prepare\ncommit\n")
        self.write_git("update-ref", "-m", "auditdesk: approve", "--stdin", stdin=script.encode())

    # ----------------------------------------------------------- save internals

    def _update_ref(self, ref: str, new: str, old: str | None, reason: str) -> None:
        """Compare-and-swap: only moves ``ref`` if it is still at ``old`` (None:
        must not exist yet)."""
        self.write_git("update-ref", "-m", reason, ref, new, old or "")

    def _side_ref(self, kind: str, relpath: str, commit: str) -> str:
        """Keep ``commit`` on a new ``refs/auditdesk/<kind>/<time>-<pid>-<slug>`` ref."""
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", relpath).strip("_")[:80] or "file"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
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
            out = self.git.run("log", "--format=%x01%H%x00%an%x00%aI", "--raw", "--no-abbrev", "-n", "1000",
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
        text = message_bytes(f"Rejected save of {path} (changed by someone else meanwhile)\n\n{message}")
        ref = self._side_ref("rejected", path, self.objects.commit_with(parent, blobs, who, text, self.clock()))
        if last is None:
            return Conflict(path, None, None, None, ref)
        return Conflict(path, *last, ref)
