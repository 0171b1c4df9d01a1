"""Shared by the approval tests: the team's people, a Team of clones, keys, hand edits.

`team` (conftest) gives the hub and three clones: `a` for 韩永师 (the team leader,
auditor and administrator), `b` for Wu Member (auditor, on the team) and `c` for
Li Reviewer (reviewer).  The store requires signed workflow commits; each clone's
git config names its person and their private key, as a person's own machine would.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support import Cli, git

AUDIT = "10234-2024-SD"
PEOPLE = {
    "han": ("韩永师", "han@example.org", ("auditor", "administrator")),
    "wu": ("Wu Member", "wu@example.org", ("auditor",)),
    "li": ("Li Reviewer", "li@example.org", ("reviewer",)),
}


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True)
    path.chmod(0o600)
    return path
@dataclass
class Team:
    hub: Path
    clones: dict[str, Path]
    keys: dict[str, Path]
    cli: Cli

    def __call__(self, who: str, *args: str) -> tuple[int, str, str]:
        """`auditdesk ARGS` in `who`'s clone, as `who` (their git config names them and their key)."""
        return self.cli(*args, "--store", str(self.clones[who]))

    def ok(self, who: str, *args: str) -> str:
        code, out, err = self(who, *args)
        assert code == 0, err
        return out

    def clone(self, name: str, person: str | None = None) -> Path:
        """A fresh clone of the hub (set up for `person` if given)."""
        path = self.hub.parent / name
        git(self.hub.parent, "clone", "-q", str(self.hub), str(path))
        if person is not None:
            full, email, _ = PEOPLE[person]
            git(path, "config", "user.name", full)
            git(path, "config", "user.email", email)
            git(path, "config", "user.signingkey", str(self.keys[person]))
        return path


def add_member(store: Path, name: str) -> None:
    """Put `name` on the audit's team by hand (then `auditdesk commit`)."""
    path = store / "audits" / f"{AUDIT}.toml"
    text = path.read_text("utf-8")
    member = f'[[planning.team]]\ncode = "ISC[S]0099"\nname = "{name}"\ncertificate = "2023-S1SC-0000001"\n\n'
    path.write_text(text.replace("[planning.past_year.accident]", member + "[planning.past_year.accident]", 1), "utf-8")




def git_as(repo: Path, who: str, *args: str) -> str:
    """Plain git run by `who` (a person of PEOPLE): their name and e-mail on the commit."""
    name, email, _ = PEOPLE[who]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def submit_and_approve(team: Team) -> None:
    """The leader submits and syncs; the reviewer syncs, approves and syncs."""
    team.ok("han", "advance", AUDIT)
    team.ok("han", "sync")
    team.ok("li", "sync")
    assert "approved; tag approved/10234-2024-SD/1" in team.ok("li", "approve", AUDIT)
    team.ok("li", "sync")
