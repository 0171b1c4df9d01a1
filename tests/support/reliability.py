"""What the reliability tests share: the seed as bytes, the CLI as a subprocess,
and the checks every fault test ends with (``git fsck`` clean, every audit
parses, the working tree matches HEAD)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auditdesk.audit.document import load_audit
from auditdesk.criteria.catalog import Catalogs
from support.cli import Run
from support.git import child_env, fsck_clean, git
from support.seed import LEADER as LEADER_IDENTITY
from support.seed import PROJECT_NO, SAMPLE

__all__ = ["AUDIT", "LEADER", "SAMPLE", "Run", "audits_at", "cli_cmd", "cli_env", "consistent"]

AUDIT = PROJECT_NO
#: The seed's team leader as ``--user`` takes it.
LEADER = f"{LEADER_IDENTITY.name} <{LEADER_IDENTITY.email}>"
cli_env = child_env


def cli_cmd(*argv: str) -> list[str]:
    """``python -m auditdesk …`` with this interpreter (run it with ``env=cli_env()``)."""
    return [sys.executable, "-m", "auditdesk", *argv]


def audits_at(repo: Path, rev: str = "HEAD") -> dict[str, bytes]:
    """Every ``audits/*.toml`` at ``rev``, by path."""
    names = git(repo, "ls-tree", "-r", "--name-only", rev, "--", "audits").split()
    return {n: subprocess.run(["git", "show", f"{rev}:{n}"], cwd=repo, capture_output=True, check=True).stdout
            for n in names if n.endswith(".toml")}


def consistent(repo: Path, *, bare: bool = False) -> int:
    """The store is sound: fsck clean, every audit at HEAD parses and names its
    own file, and (with a working tree) nothing differs from HEAD.  Returns the
    number of audits."""
    fsck_clean(repo)
    found = audits_at(repo)
    catalogs = Catalogs()
    for path, data in found.items():
        audit, _ = load_audit(data, path, catalogs)
        assert f"audits/{audit.project_no}.toml" == path
    if not bare:
        assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    return len(found)
