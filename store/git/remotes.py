"""Fetching and pushing ``main``: the only git commands that reach another machine."""

from __future__ import annotations

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
    return dict(repo.git.env if repo is not None else clean_env(), GIT_SSH_COMMAND="ssh -o BatchMode=yes",
                GIT_ALLOW_PROTOCOL="file:git:http:https:ssh")


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
        [repo.git.bin, "fetch", "--quiet", "--no-tags", "--end-of-options", remote, "main"],
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        why = one_line(done.stderr, done.returncode)
        if "couldn't find remote ref" in why:
            return None
        raise GitError(f"cannot fetch from {remote}: {why}")
    return repo.git.run("rev-parse", "--verify", "FETCH_HEAD^{commit}").decode().strip()


def push(repo: GitRepo, remote: str, tags: tuple[str, ...] = ()) -> None:
    """Push ``main`` (and the annotated `tags`, all or nothing); a remote that moved meanwhile
    is refused by git (sync again)."""
    check_remote(remote)
    extra = [f"refs/tags/{check_tag_name(t)}:refs/tags/{t}" for t in tags]
    done = subprocess.run(
        [repo.git.bin, "push", "--quiet", *(["--atomic"] if extra else []), "--end-of-options", remote,
         "refs/heads/main:refs/heads/main", *extra],
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:  # say why: git's last line is only "failed to push some refs"
        stderr = done.stderr.decode("utf-8", "replace")
        rejected = re.search(r"! \[(?:remote )?rejected\][^\n]*\(([^)\n]+)\)", stderr)
        why = rejected.group(1) if rejected else one_line(done.stderr, done.returncode)
        said = "; ".join(ln.strip()[7:].strip() for ln in stderr.splitlines() if ln.strip().startswith("remote:") and ln.strip()[7:].strip())
        said = "".join(c for c in said if c.isprintable())[:300]
        hint = "; someone pushed meanwhile: run sync again" if why in ("fetch first", "non-fast-forward") else ""
        raise GitError(f"cannot push to {remote}: {why}" + (f" (the remote said: {said})" if said else "") + hint)


def fetch_tags(repo: GitRepo, remote: str, prefix: str) -> str:
    """Fetch the remote's annotated tags under ``refs/tags/<prefix>/`` into a private namespace
    (``refs/auditdesk/remote-tags/<remote>/<prefix>/…``, pruned): nothing of ours is overwritten,
    and the caller decides which to take.  Returns the namespace."""
    check_remote(remote)
    check_tag_name(prefix, prefix=True)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", remote).strip("_")[:60] or "remote"
    space = f"refs/auditdesk/remote-tags/{slug}"
    done = subprocess.run(
        [repo.git.bin, "fetch", "--quiet", "--no-tags", "--prune", "--end-of-options", remote,
         f"+refs/tags/{prefix}/*:{space}/{prefix}/*"],
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        raise GitError(f"cannot fetch the {prefix} tags from {remote}: {one_line(done.stderr, done.returncode)}")
    return space
