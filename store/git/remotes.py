"""Fetching and pushing ``main``: the only git commands that reach another machine."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from auditdesk.store.git.checks import check_remote
from auditdesk.store.git.errors import GitError
from auditdesk.store.git.process import clean_env, git_binary, one_line

if TYPE_CHECKING:
    from auditdesk.store.git.repo import GitRepo

__all__ = ["REMOTE_TIMEOUT", "clone", "fetch", "push"]

REMOTE_TIMEOUT = 300
#: Approval tags travel with main (never forced: a tag that differs stops the sync), so any
#: clone can `verify` a report; no other tag is fetched or pushed.
APPROVAL_TAGS = "refs/tags/approved/*:refs/tags/approved/*"


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
        [repo.git.bin, "fetch", "--quiet", "--no-tags", "--end-of-options", remote, "main", APPROVAL_TAGS],
        cwd=repo.path, env=_remote_env(repo), capture_output=True, check=False, timeout=REMOTE_TIMEOUT,
    )
    if done.returncode != 0:
        why = one_line(done.stderr, done.returncode)
        if "couldn't find remote ref" in why:
            return None
        raise GitError(f"cannot fetch from {remote}: {why}")
    return repo.git.run("rev-parse", "--verify", "FETCH_HEAD^{commit}").decode().strip()  # main: the first line


def push(repo: GitRepo, remote: str) -> None:
    """Push ``main``; a remote that moved meanwhile is refused by git (sync again)."""
    check_remote(remote)
    done = subprocess.run(
        [repo.git.bin, "push", "--quiet", "--end-of-options", remote, "refs/heads/main:refs/heads/main", APPROVAL_TAGS],
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
