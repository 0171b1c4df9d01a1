"""Running git: one command at a time, or one persistent ``cat-file --batch`` reader.

Every git auditdesk starts gets a clean environment (no ``GIT_*`` variable
of the caller's but those choosing config files) and the store root as its
working directory.  git's reason for a failure becomes one line.

A store is someone else's repository (a colleague's push, a folder handed
over, a group-shared server): its ``.git/config``, the files that config
includes, ``.git/info/attributes``, committed ``.gitattributes`` and
``.git/hooks`` can all name programs git would run.  Every git auditdesk
starts runs none of them (see RELIABILITY.md, "Threat model"):

* ``-c`` settings (:data:`SAFE_CONFIG`), read last by git, replace every key
  that names a program or a file a config could point at ``/dev/zero``:
  hooks, fsmonitor, pager, editor, askpass, credential helpers, gpg and ssh
  programs, submodules, automatic gc;
* the filter, diff and merge drivers defined anywhere are listed once when
  a store is opened (``git config --list`` runs nothing) and disarmed through
  ``GIT_CONFIG_COUNT`` (a driver's name is the attacker's choice, it may hold
  ``=``); textconv and external diff drivers get ``--no-textconv
  --no-ext-diff`` on every command that could run them (:data:`COMMAND_FLAGS`);
* environment variables git checks before any config: ``GIT_ALLOW_PROTOCOL``
  (no remote helper a store names: ``ext::``, ``fd::``, ``remote.X.vcs``),
  ``GIT_PROXY_COMMAND=`` (``core.gitProxy``), ``GIT_NO_REPLACE_OBJECTS``;
  ``GIT_DIR``/``GIT_WORK_TREE`` (``core.worktree`` cannot move the work tree);
* what the *user* configured is theirs and stays (:data:`USER_KEYS`): their own
  signing program and key, credential helper, ssh command (``GIT_SSH_COMMAND``,
  ``GIT_SSH`` or a global ``core.sshCommand``) are taken from the environment
  and the user's global and system config, never from the store's.

The other side of a fetch or push from a local (file) hub is started by git
and never sees our ``-c`` settings: :meth:`Git.hub_program` names it with its
own, so the hub's hooks do not run either (see :mod:`remotes`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from auditdesk.store.git.errors import GitError, LockBusy, RefMoved

__all__ = [
    "ALLOWED_PROTOCOLS", "COMMAND_FLAGS", "DURABLE", "SAFE_CONFIG", "USER_KEYS", "Git", "ObjectReader", "clean_env",
    "git_binary", "one_line", "safe_args",
]

#: Object writes reach the disk before a ref points at them (git >= 2.36).
DURABLE = ("-c", "core.fsync=committed")

_LOCK_BUSY = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_REF_MOVED = re.compile(r"cannot lock ref '[^']+': is at [0-9a-f]+ but expected|reference already exists")

#: GIT_* variables passed on: they choose which config files git reads (tests
#: and CI point them at /dev/null); every other one is dropped.
_KEPT_GIT_VARS = frozenset({"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH"})

#: Transports a remote may use.  ``GIT_ALLOW_PROTOCOL`` beats every
#: ``protocol.*.allow`` of any config and holds for remote helpers too
#: (``foo::url``, ``remote.<name>.vcs``): ``ext::`` and ``fd::`` are out.
ALLOWED_PROTOCOLS = "file:git:http:https:ssh"

#: ``-c key=value`` on every git call: each beats the same key in the system,
#: global, repository and included config.
SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    # programs a config names
    ("core.fsmonitor", "false"),             # status/diff/ls-files/update-index run it
    ("core.hooksPath", "/dev/null"),         # every hook (reference-transaction, post-index-change, ...)
    ("core.askPass", ""),                    # runs even with GIT_TERMINAL_PROMPT=0
    ("credential.helper", ""),               # empties the list; the user's own helpers are added back
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("core.pager", "cat"),
    ("core.alternateRefsCommand", ""),       # fetch/push when objects/info/alternates exists
    ("diff.external", ""),
    ("gpg.program", "gpg"),                  # verify-tag, log --show-signature, tag -s
    ("gpg.openpgp.program", "gpg"),
    ("gpg.x509.program", "gpgsm"),
    ("gpg.ssh.program", "ssh-keygen"),
    ("gpg.ssh.defaultKeyCommand", ""),
    ("gpg.format", "openpgp"),
    ("gpg.ssh.allowedSignersFile", "/dev/null"),
    ("gpg.ssh.revocationFile", "/dev/null"),
    ("tag.gpgSign", "false"),                # auditdesk asks for a signature itself (tag -s)
    ("tag.forceSignAnnotated", "false"),
    ("commit.gpgSign", "false"),
    ("push.gpgSign", "false"),
    ("ssh.variant", "auto"),
    # what a user's own config may set that breaks parsing git's output
    ("log.showSignature", "false"),
    ("i18n.logOutputEncoding", "UTF-8"),
    ("log.mailmap", "false"),
    ("mailmap.file", "/dev/null"),
    ("mailmap.blob", ""),
    ("color.ui", "false"),
    # transports (GIT_ALLOW_PROTOCOL is what holds for helpers)
    ("protocol.allow", "never"),
    *((f"protocol.{p}.allow", "always") for p in ALLOWED_PROTOCOLS.split(":")),
    ("protocol.ext.allow", "never"),
    ("protocol.fd.allow", "never"),
    # submodules have their own config and drivers
    ("submodule.recurse", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("push.recurseSubmodules", "no"),
    ("diff.submodule", "short"),
    ("diff.ignoreSubmodules", "all"),
    ("status.submoduleSummary", "false"),
    # work git starts on its own
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("fetch.writeCommitGraph", "false"),
    # files a config could point at /dev/zero (memory or a hang); fsck's skip lists
    # accumulate (a -c cannot replace one), so fsck on transfer is off
    ("core.attributesFile", "/dev/null"),
    ("fetch.fsckObjects", "false"),
    ("transfer.fsckObjects", "false"),
    # work a config could blow up
    ("pack.window", "10"),
    ("pack.depth", "50"),
    ("pack.threads", "0"),
    ("index.threads", "true"),
    ("checkout.workers", "1"),
)

#: Keys whose value comes from the user's own (system and global) config or
#: environment, never from the store's: signing with one's own key and
#: program, one's credential helper and ssh setup keep working.
USER_KEYS = frozenset({
    "gpg.program", "gpg.openpgp.program", "gpg.x509.program", "gpg.ssh.program", "gpg.format",
    "gpg.ssh.defaultkeycommand", "gpg.ssh.allowedsignersfile", "gpg.ssh.revocationfile", "user.signingkey",
    "tag.gpgsign", "ssh.variant", "core.sshcommand", "core.excludesfile",
})

#: Flags put right after the subcommand: nothing a store names runs.
COMMAND_FLAGS: dict[str, tuple[str, ...]] = {
    "diff": ("--no-textconv", "--no-ext-diff", "--ignore-submodules=all"),
    "log": ("--no-textconv", "--no-ext-diff", "--no-show-signature"),
    "show": ("--no-textconv", "--no-ext-diff", "--no-show-signature"),
    "diff-tree": ("--no-textconv", "--no-ext-diff"),
    "diff-index": ("--no-textconv", "--no-ext-diff", "--ignore-submodules=all"),
    "diff-files": ("--no-textconv", "--no-ext-diff", "--ignore-submodules=all"),
    "fetch": ("--no-recurse-submodules", "--no-auto-maintenance", "--no-write-commit-graph", "--refmap="),
    "push": ("--no-recurse-submodules", "--no-verify", "--no-signed"),
}

#: The other side of a fetch or push to a local hub: our -c settings never reach it.
HUB_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.hooksPath", "/dev/null"),         # pre-receive, update, post-receive, reference-transaction, ...
    ("core.fsmonitor", "false"),
    ("core.alternateRefsCommand", "true"),  # (empty makes git try to run "" and say so)
    ("core.attributesFile", "/dev/null"),
    ("receive.denyCurrentBranch", "refuse"),  # updateInstead would check out (and run filters) in the hub
    ("receive.autogc", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("receive.fsckObjects", "false"),
    ("transfer.fsckObjects", "false"),
)

#: Driver keys whose name the store picks, and the value that disarms each.
_DRIVER = re.compile(r"(filter|diff|merge)\.(.+)\.([^.]+)", re.DOTALL)
_DRIVER_VALUES = {
    "filter": {"process": "", "clean": "", "smudge": "", "required": "false"},
    "diff": {"funcname": "", "xfuncname": "", "wordregex": "", "command": ""},
    "merge": {"driver": "", "recursive": "binary"},
}
#: A store defining more drivers than this is refused (each is a variable of every call).
MAX_DRIVERS = 100


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
    env = {k: v for k, v in os.environ.items()
           if (not k.startswith("GIT_") or k in _KEPT_GIT_VARS) and k not in ("SSH_ASKPASS", "PAGER")}
    env.update(
        GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", LC_ALL="C",
        GIT_ALLOW_PROTOCOL=ALLOWED_PROTOCOLS, GIT_PROTOCOL_FROM_USER="0",
        GIT_PROXY_COMMAND="",  # core.gitProxy: the first match wins, a -c cannot replace it
        GIT_ASKPASS="", GIT_EDITOR=":", GIT_SEQUENCE_EDITOR=":", GIT_PAGER="cat",
        GIT_NO_REPLACE_OBJECTS="1",  # refs/replace/* cannot swap what we read
        GIT_ATTR_NOSYSTEM="1",
    )
    return env


def safe_args(user: Mapping[str, str] | None = None, helpers: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``--no-pager`` and the ``-c`` settings of every call; ``user``'s values
    (USER_KEYS from the user's own config) replace the defaults."""
    user = user or {}
    args = ["--no-pager"]
    given = {k.lower() for k in user}
    for key, value in SAFE_CONFIG:
        if key.lower() not in given:
            args += ["-c", f"{key}={value}"]
    if "core.excludesfile" not in given:  # git's own default, not a file the store names
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        args += ["-c", f"core.excludesFile={os.path.join(xdg, 'git', 'ignore')}"]
    for key, value in user.items():
        args += ["-c", f"{key}={value}"]
    for helper in helpers:
        args += ["-c", f"credential.helper={helper}"]
    return tuple(args)


def git_binary() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (no 'git' on PATH)")
    return git


def _config_entries(out: bytes) -> list[tuple[str, str, str | None]]:
    """(scope, key, value) of ``git config -z --show-scope --list`` output."""
    parts = out.split(b"\0")
    entries = []
    for i in range(0, len(parts) - 1, 2):
        scope, kv = (p.decode("utf-8", "surrogateescape") for p in parts[i:i + 2])
        key, nl, value = kv.partition("\n")
        entries.append((scope, key, value if nl else None))
    return entries


class Git:
    """git commands at one store root, with the store's programs disarmed."""

    def __init__(self, root: Path, env: dict[str, str], git_dir: Path | None = None) -> None:
        self.bin = git_binary()
        self.root = root
        base = dict(env)
        if git_dir is not None:
            base.update(GIT_DIR=str(git_dir), GIT_WORK_TREE=str(root))  # core.worktree cannot move it
        self.args, drivers, self.user_config = self._read_config(base)
        self.env = dict(base, **drivers)
        """For commands that write: git may take its optional locks."""
        self.read_env = dict(self.env, GIT_OPTIONAL_LOCKS="0")

    def _read_config(self, env: dict[str, str]) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
        """The -c arguments (with the user's own values), the variables that disarm
        the store's drivers, and the user's own values of USER_KEYS."""
        done = subprocess.run([self.bin, *safe_args(), "config", "-z", "--show-scope", "--list"], cwd=self.root,
                              env=env, capture_output=True, check=False)
        if done.returncode:
            raise GitError(f"cannot read the git config of {self.root}: {one_line(done.stderr, done.returncode)}")
        entries = _config_entries(done.stdout)
        overrides: dict[str, str] = {}
        user: dict[str, str] = {}
        helpers: list[str] = []
        for scope, key, value in entries:
            found = _DRIVER.fullmatch(key)
            if found:
                section, name, _ = found.groups()
                for setting, harmless in _DRIVER_VALUES[section].items():
                    overrides[f"{section}.{name}.{setting}"] = harmless
            if scope in ("system", "global") and value is not None:
                if key in USER_KEYS:
                    user[key] = value
                elif key == "credential.helper":
                    helpers = [] if value == "" else [*helpers, value]  # an empty value resets the list
        if len(overrides) > MAX_DRIVERS * 4:
            raise GitError(f"{self.root}: its git config defines {len(overrides) // 4} filter/diff/merge drivers; "
                           f"refusing a store with more than {MAX_DRIVERS}")
        drivers = {"GIT_CONFIG_COUNT": str(len(overrides))}
        for i, (k, v) in enumerate(overrides.items()):
            drivers[f"GIT_CONFIG_KEY_{i}"] = k
            drivers[f"GIT_CONFIG_VALUE_{i}"] = v
        return safe_args(user, tuple(helpers)), drivers, user

    def argv(self, args: tuple[str, ...], durable: bool = False) -> list[str]:
        """The full command line: our settings, then the subcommand with its safety flags."""
        if not args:
            raise GitError("no git command given")
        return [self.bin, *self.args, *(DURABLE if durable else ()), args[0], *COMMAND_FLAGS.get(args[0], ()), *args[1:]]

    def hub_program(self, name: str) -> str:
        """``git-upload-pack``/``git-receive-pack`` for a local hub, with the hub's
        hooks and programs disarmed (git runs this string with a shell)."""
        settings = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in HUB_CONFIG)
        return f"{shlex.quote(self.bin)} --no-pager {settings} {name}"

    def ssh_command(self) -> str:
        """The user's own ssh setting (``$GIT_SSH_COMMAND``, ``$GIT_SSH``, their global
        ``core.sshCommand``), else ssh that never prompts; never the store's."""
        if os.environ.get("GIT_SSH_COMMAND"):
            return os.environ["GIT_SSH_COMMAND"]
        if os.environ.get("GIT_SSH"):
            return shlex.quote(os.environ["GIT_SSH"])
        return self.user_config.get("core.sshcommand") or "ssh -o BatchMode=yes"

    def run(
        self, *args: str, stdin: bytes = b"", env: Mapping[str, str] | None = None, ok: tuple[int, ...] = (0,),
        durable: bool = False,
    ) -> bytes:
        """Run one git command; raise GitError with git's reason (LockBusy, RefMoved
        for the two failures a caller may wait out)."""
        done = subprocess.run(
            self.argv(args, durable), input=stdin, cwd=self.root, env=self.read_env if env is None else env,
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
                self._git.argv(("cat-file", "--batch")), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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
