"""Authenticated access over SSH, with OpenSSH's own sshd: the key is the identity.

The store and authorized_keys are made by the README's server-setup lines, and
sshd runs with the README's sshd_config block, on 127.0.0.1 with generated
keys; the service account is the user running the tests.  Two people: the team
leader 韩永师 tries to approve (refused: on the team, and --user/AUDITDESK_USER
cannot make them someone else); the reviewer Li approves through their
forwarded ssh-agent, signed with their own key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Cli
from support.approvals import AUDIT
from support.sshd import SSHServer, start_agent, start_sshd, stop_sshd

ROOT = Path(__file__).resolve().parents[2]


def readme_block(kind: str) -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(rf"```{kind}\n(.+?)\n```", text, re.DOTALL)
    assert len(blocks) == 1, f"README.md must have one ```{kind} block"
    return blocks[0]


def program() -> str:
    """This checkout's auditdesk, as sshd will start it (an absolute path; the README's /usr/local/bin/auditdesk)."""
    script = Path(sys.executable).parent / "auditdesk"
    return str(script) if script.exists() else f"{sys.executable} -m auditdesk"


@pytest.fixture
def served(tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[SSHServer, Path, dict[str, str]]]:
    """The README's set-up, run for real: the store, its people, authorized_keys, sshd."""
    if shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists():
        pytest.skip("OpenSSH's server is not installed (.ci/run installs openssh-server)")
    store = tmp_path / "srv" / "store"
    home = tmp_path / "home"
    home.mkdir()
    (home / ".ssh").mkdir()
    server_dir = tmp_path / "sshd"
    authorized = server_dir / "authorized_keys"
    cli = Cli(capsys, store)
    # the README's lines, with this test's paths; the store first, then its people (as an administrator would)
    setup = readme_block("server-setup").splitlines()
    substitute = {"/srv/auditdesk/store": str(store), "/usr/local/bin/auditdesk": program(), "~/.ssh/authorized_keys": str(authorized),
                  "~/.ssh": str(server_dir)}

    def run(line: str) -> None:
        for old, new in substitute.items():
            line = line.replace(old, new)
        line = re.sub(r"(?<![\w/.-])auditdesk ", f"{program()} ", line, count=1)
        done = subprocess.run(["sh", "-c", line], capture_output=True, text=True, env={**os.environ, "HOME": str(home)}, check=False)
        assert done.returncode == 0, (line, done.stderr)

    run(setup[0])
    assert (store / ".git").is_dir() and oct(store.stat().st_mode)[-4:] == "2770"
    assert cli("demo", "--user", "韩永师 <han@example.org>")[0] == 0
    for person, name, email, roles in (("han", "韩永师", "han@example.org", ("auditor", "administrator")),
                                       ("li", "Li Reviewer", "li@example.org", ("reviewer",))):
        code, _, err = cli("people", "add", person, "--name", name, "--email", email,
                           *(x for role in roles for x in ("--role", role)), "--key", f"{keys[person]}.pub", "--user", "han")
        assert code == 0, err
    config = store / "auditdesk.toml"
    config.write_text('signatures = "workflow"\n' + config.read_text("utf-8"), "utf-8")
    subprocess.run(["git", "-C", str(store), "-c", "user.name=韩永师", "-c", "user.email=han@example.org", "commit", "-qam",
                    "settings: signed workflow commits"], check=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    server = start_sshd(server_dir, readme_block("sshd_config") + "\n")
    run(setup[1])  # authorized_keys from the registry (after sshd created its folder)
    lines = authorized.read_text().splitlines()
    assert len(lines) == 2 and all(line.startswith('restrict,pty,agent-forwarding,command="') for line in lines)
    assert f"--as han --store {store}" in lines[0] and f"--as li --store {store}" in lines[1]
    agent, agent_proc = start_agent(tmp_path, keys["li"])
    server.agent = agent
    try:
        yield server, store, agent
    finally:
        stop_sshd(server)
        agent_proc.terminate()
        agent_proc.wait()


def test_two_keys_two_people_one_refused_approval_one_accepted(served: tuple[SSHServer, Path, dict[str, str]],
                                                               keys: dict[str, Path], tmp_path: Path) -> None:
    server, store, _ = served
    done = server.run(keys["han"], "status", AUDIT, "--json")
    assert done.returncode == 0, done.stderr + server.log_text()
    info = json.loads(done.stdout)
    assert info["stage"] == "conclusion" and info["registry"] and info["signatures"] == "workflow"

    # the leader submits (signing needs their key: without a forwarded agent it is refused, nothing changes)
    done = server.run(keys["han"], "advance", AUDIT)
    assert done.returncode == 1 and "no signing key of 韩永师 (han) is available" in done.stderr
    (tmp_path / "han").mkdir()
    han_agent, han_agent_proc = start_agent(tmp_path / "han", keys["han"])
    try:
        done = subprocess.run(server.argv(keys["han"], "advance", AUDIT, forward_agent=True), env={**os.environ, **han_agent},
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0 and "now review" in done.stdout, done.stderr
    finally:
        han_agent_proc.terminate()
        han_agent_proc.wait()

    # the leader may not approve, and the client cannot make the key someone else
    done = server.run(keys["han"], "approve", AUDIT)
    assert done.returncode == 1 and "韩永师 is on the team of 10234-2024-SD; a reviewer must not be on the team" in done.stderr
    done = server.run(keys["han"], f"approve {AUDIT} --user 'Li Reviewer'")
    assert done.returncode == 1 and "--as, --user and --store are not yours to set" in done.stderr
    done = server.run(keys["han"], f"approve {AUDIT} --store /tmp")
    assert done.returncode == 1 and "not yours to set" in done.stderr
    done = server.run(keys["han"], "approve", AUDIT, options=("-o", "SetEnv=AUDITDESK_USER=li", "-o", "SendEnv=AUDITDESK_USER"))
    assert done.returncode == 1 and "韩永师 is on the team" in done.stderr
    done = server.run(keys["han"], "report", AUDIT, "-o", str(store / ".git" / "config"))
    assert done.returncode == 1 and "over SSH output goes to your terminal" in done.stderr
    done = server.run(keys["mallory"], "status", AUDIT)
    assert done.returncode == 255 and "Permission denied" in done.stderr  # a key not in the registry
    assert "approved" not in subprocess.run(["git", "-C", str(store), "tag", "-l"], capture_output=True, text=True).stdout

    # the reviewer approves, signed with their own key through their forwarded agent
    done = server.run(keys["li"], "approve", AUDIT, forward_agent=True)
    assert done.returncode == 0 and "approved; tag approved/10234-2024-SD/1" in done.stdout, done.stderr
    info = json.loads(server.run(keys["li"], "status", AUDIT, "--json").stdout)
    approval = info["approval"]
    assert info["stage"] == "approved" and approval["person"] == "li" and approval["valid"]
    assert approval["signature"]["status"] == "good" and approval["signature"]["by"] == "li"
    assert approval["commit_signature"]["by"] == "li"
    assert [(t["to"], t["person"]) for t in info["transitions"]] == [("review", "han"), ("approved", "li")]
    report = server.run(keys["li"], "report", AUDIT)
    assert report.returncode == 0 and "报告来源：10234-2024-SD" in report.stdout


def test_the_app_opens_over_ssh_as_the_keys_person(served: tuple[SSHServer, Path, dict[str, str]], keys: dict[str, Path]) -> None:
    """`ssh -t` with no command opens the terminal app, acting as the key's person."""
    if os.geteuid() != 0:
        pytest.skip("a non-root sshd cannot hand out a terminal here (see support.sshd)")
    import pty
    import select
    import time

    server, _, _ = served
    master, slave = pty.openpty()
    proc = subprocess.Popen(server.argv(keys["li"], tty=True), stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**os.environ, "TERM": "xterm-256color"})
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"10234-2024-SD" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"10234-2024-SD" in seen, seen[-2000:]
        os.write(master, b"\x11")  # ctrl+q
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
