"""The README's "Working as a team" section, followed literally: its commands, run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from auditdesk.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def section_commands() -> list[str]:
    text = README.read_text("utf-8")
    section = text.split("\n## Working as a team\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the section shows its commands in a ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_section_is_followed_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITDESK_USER", raising=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    said: list[tuple[str, str]] = []
    commands = section_commands()
    assert len(commands) > 20
    for line in commands:
        argv = shlex.split(line, comments=True)
        if argv[0] == "auditdesk":
            code = main(argv[1:])
            captured = capsys.readouterr()
            out, err = captured.out, captured.err
        else:
            assert argv[0] == "git", f"only auditdesk and git commands: {line}"
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            code, out, err = done.returncode, done.stdout, done.stderr
        assert code == 0, (line, err)
        assert "Traceback" not in err
        said.append((line, out))

    def output(start: str) -> str:
        return next(out for line, out in said if line.startswith(start))

    assert "B17 note: (empty) → 抽查送货单 30 份" in output("auditdesk diff")
    assert "B17: 95 → 96 (score 2.85 → 2.88)" in output("auditdesk diff")
    assert "+item B17 note = 抽查送货单 30 份" in output("git -C rita log -p")
    alice_commit = subprocess.run(["git", "-C", "alice", "log", "-1", "--format=%h", "--grep", "score B17"],
                                  env=env, capture_output=True, text=True, check=True).stdout.strip()
    blame = output("auditdesk blame").splitlines()
    assert blame and all(line.startswith(alice_commit) and "韩永师" in line for line in blame), (alice_commit, blame)
    assert "approved/10234-2024-SD/1" in output("auditdesk approve")
    tags = subprocess.run(["git", "--git-dir", "hub.git", "tag"], env=env, capture_output=True, text=True, check=True).stdout
    assert "approved/10234-2024-SD/1" in tags


def test_a_shared_store_refuses_pushes_and_names_the_hub_to_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`init --shared` makes a store people work in, not a hub: a push would check its files
    out and run what its config names, as the pusher (issue 11). sync says so and what to use."""
    monkeypatch.chdir(tmp_path)
    user = ["--user", "韩永师 <han@example.org>"]
    assert main(["init", "--shared", "shared"]) == 0
    assert main(["demo", "--store", "shared", *user]) == 0
    assert main(["clone", "shared", "mine"]) == 0
    assert main(["score", "10234-2024-SD", "B17=97", "--store", "mine", *user]) == 0
    capsys.readouterr()
    before = (tmp_path / "shared" / "audits" / "10234-2024-SD.toml").read_bytes()
    assert main(["sync", "--store", "mine", *user]) == 1
    err = capsys.readouterr().err
    assert "origin is a store people work in, not a hub" in err and "auditdesk init --bare" in err, err
    assert (tmp_path / "shared" / "audits" / "10234-2024-SD.toml").read_bytes() == before
    assert main(["score", "10234-2024-SD", "B18=96", "--store", "shared", *user]) == 0  # people there still save
