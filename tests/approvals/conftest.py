"""Approval tests: a team's hub and clones (helpers in support.approvals)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Cli, git
from support.approvals import AUDIT, PEOPLE, Team, add_member, git_as, keygen


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has a user cache folder of its own (kept summaries and approval checks)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "auditdesk"


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Private key files (their .pub beside them) for each person, and for mallory, who is nobody."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: keygen(folder / name, name) for name in (*PEOPLE, "mallory")}


@pytest.fixture
def team(tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> Iterator[Team]:
    hub = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(hub))
    cli = Cli(capsys, tmp_path / "unused")
    a = tmp_path / "a"
    team = Team(hub, {"han": a}, keys, cli)
    assert cli("demo", "--store", str(a), "--user", "韩永师 <han@example.org>")[0] == 0
    git(a, "config", "user.email", "han@example.org")
    git(a, "config", "user.signingkey", str(keys["han"]))
    for person, (name, email, roles) in PEOPLE.items():
        team.ok("han", "people", "add", person, "--name", name, "--email", email,
                *(x for role in roles for x in ("--role", role)), "--key", f"{keys[person]}.pub")
    config = a / "auditdesk.toml"
    config.write_text('signatures = "workflow"\n' + config.read_text("utf-8"), "utf-8")
    git(a, "add", "auditdesk.toml")
    git_as(a, "han", "commit", "-qm", "settings: signed workflow commits")
    add_member(a, "Wu Member")
    team.ok("han", "commit", AUDIT)
    git(a, "remote", "add", "origin", str(hub))
    team.ok("han", "sync")
    team.clones["wu"] = team.clone("b", "wu")
    team.clones["li"] = team.clone("c", "li")
    yield team
