"""Fetching and pushing ``main``: the only git commands that reach another machine.

The remote's side of the transfer never runs a program the store names: for
a hub on this machine (a path or ``file://``) git starts it with our
settings (:meth:`~auditdesk.store.git.process.Git.hub_program`: the hub's
hooks, fsmonitor and filters disarmed); for a network remote it is git's
own ``git-upload-pack``/``git-receive-pack``, never ``remote.X.uploadpack``.
ssh is the user's own (``$GIT_SSH_COMMAND``, ``$GIT_SSH``, their global
``core.sshCommand``), never the store's ``core.sshCommand``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.store.git.checks import check_remote, check_tag_name
from auditdesk.store.git.errors import GitError
from auditdesk.store.git.process import clean_env, git_binary, one_line

if TYPE_CHECKING:
    from auditdesk.store.git.repo import GitRepo

__all__ = ["REMOTE_TIMEOUT", "clone", "fetch", "fetch_tags", "push"]

REMOTE_TIMEOUT = 300


def _remote_env(repo: GitRepo | None) -> dict[str, str]:
    """The environment of a git that talks to a remote: the hardened one (no store config
    that runs programs, known protocols only) and the user's own ssh, never the store's."""
    if repo is None:  # a clone: no store yet
        env = dict(clean_env(), GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND") or "ssh -o BatchMode=yes")
    else:
        env = dict(repo.git.env, GIT_SSH_COMMAND=repo.git.ssh_command())
    if os.environ.get("GIT_SSH_VARIANT"):
        env["GIT_SSH_VARIANT"] = os.environ["GIT_SSH_VARIANT"]
    return env


def is_local_url(url: str) -> bool:
    """Whether git reaches ``url`` with the file transport (and starts the other side itself)."""
    if url.startswith("file://"):
        return True
    if "://" in url or "::" in url:
        return False
    colon, slash = url.find(":"), url.find("/")
    return colon < 0 or (0 <= slash < colon)


def _other_side(repo: GitRepo, remote: str, program: str) -> str:
    """``--upload-pack=…`` or ``--receive-pack=…`` for ``remote``: our hub program for
    a local hub, git's own for a network one; never what the store's config names."""
    push = program == "receive-pack"
    urls: list[str] = []
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote):  # a configured remote's name?
        out = repo.git.run("remote", "get-url", "--all", *(("--push",) if push else ()), "--", remote, ok=(0, 2))
        urls = out.decode("utf-8", "replace").splitlines()
    if not urls:
        out = repo.git.run("ls-remote", "--get-url", "--", remote, ok=(0, 2))
        urls = out.decode("utf-8", "replace").splitlines() or [remote]
    local = {is_local_url(u) for u in urls}
    if len(local) > 1:
        raise GitError(f"{remote} has both local and network URLs; sync with one URL")
    name = repo.git.hub_program(program) if local == {True} else f"git-{program}"
    return f"--{'receive' if push else 'upload'}-pack={name}"


def clone(url: str, path: Path) -> None:
    """``git clone`` of a hub's ``main`` into the new folder ``path`` (with the same
    protections as fetch: no option from the URL, known protocols only, no prompts,
    no template hooks)."""
    check_remote(url)
    path = Path(path).absolute()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise GitError(f"{path} already exists and is not an empty folder; choose another")
    done = subprocess.run(
        [git_binary(), "clone", "--quiet", "--branch", "main", "--template=", "--end-of-options", url, str(path)],
        cwd=path.parent if path.parent.is_dir() else None, env=_remote_env(None), capture_output=True, check=False,
        timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        why = one_line(done.stderr, done.returncode)
        if "Remote branch main not found" in why:
            why = "it has no branch main (make a hub with: auditdesk init --bare DIR)"
        raise GitError(f"cannot clone {url}: {why}")


def fetch(repo: GitRepo, remote: str) -> str | None:
    """Fetch the remote's ``main``; its commit, or None when it has none yet."""
    check_remote(remote)
    done = subprocess.run(
        repo.git.argv(("fetch", "--quiet", "--no-tags", _other_side(repo, remote, "upload-pack"),
                       "--end-of-options", remote, "main")),
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        why = one_line(done.stderr, done.returncode)
        if "couldn't find remote ref" in why:
            return None
        if f"'{remote}' does not appear to be a git repository" in why:  # git took the name for a path
            why += (f"; this store has no remote named {remote}: sync with a hub's URL (auditdesk sync URL), "
                    f"or name one with: git -C {repo.path} remote add {remote} URL")
        raise GitError(f"cannot fetch from {remote}: {why}")
    return repo.git.run("rev-parse", "--verify", "FETCH_HEAD^{commit}").decode().strip()


def push(repo: GitRepo, remote: str, tags: tuple[str, ...] = ()) -> None:
    """Push ``main`` (and the annotated `tags`, all or nothing); a remote that moved meanwhile
    is refused by git (sync again)."""
    check_remote(remote)
    extra = [f"refs/tags/{check_tag_name(t)}:refs/tags/{t}" for t in tags]
    done = subprocess.run(
        repo.git.argv(("push", "--quiet", *(["--atomic"] if extra else []), _other_side(repo, remote, "receive-pack"),
                       "--end-of-options", remote, "refs/heads/main:refs/heads/main", *extra)),
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:  # say why: git's last line is only "failed to push some refs"
        stderr = done.stderr.decode("utf-8", "replace")
        rejected = re.search(r"! \[(?:remote )?rejected\][^\n]*\(([^)\n]+)\)", stderr)
        why = rejected.group(1) if rejected else one_line(done.stderr, done.returncode)
        said = "; ".join(ln.strip()[7:].strip() for ln in stderr.splitlines() if ln.strip().startswith("remote:") and ln.strip()[7:].strip())
        said = "".join(c for c in said if c.isprintable())[:300]
        hint = "; someone pushed meanwhile: run sync again" if why in ("fetch first", "non-fast-forward") else ""
        if why == "branch is currently checked out":  # a store people work in: a push would check out files there
            hint = (f"; {remote} is a store people work in, not a hub (a push would check its files out, and "
                    "run what its config names, as you): sync through a hub made with 'auditdesk init --bare'")
        raise GitError(f"cannot push to {remote}: {why}" + (f" (the remote said: {said})" if said else "") + hint)


def fetch_tags(repo: GitRepo, remote: str, prefix: str) -> str:
    """Fetch the remote's annotated tags under ``refs/tags/<prefix>/`` into a private namespace
    (``refs/auditdesk/remote-tags/<remote>/<prefix>/…``, pruned): nothing of ours is overwritten,
    and the caller decides which to take.  Returns the namespace.  The other side is ours,
    as for :func:`fetch`."""
    check_remote(remote)
    check_tag_name(prefix, prefix=True)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", remote).strip("_")[:60] or "remote"
    space = f"refs/auditdesk/remote-tags/{slug}"
    done = subprocess.run(
        repo.git.argv(("fetch", "--quiet", "--no-tags", "--prune", _other_side(repo, remote, "upload-pack"),
                       "--end-of-options", remote, f"+refs/tags/{prefix}/*:{space}/{prefix}/*")),
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        raise GitError(f"cannot fetch the {prefix} tags from {remote}: {one_line(done.stderr, done.returncode)}")
    return space
