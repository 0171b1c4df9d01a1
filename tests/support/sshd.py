"""A real OpenSSH sshd on 127.0.0.1 for the SSH test, started and stopped by the test.

The server's own settings (port, host key, pid file, the authorized_keys file,
logging) live in a temporary folder; the settings for the service account come
from the README's server section, so the test runs what the README tells an
administrator to configure.  The account is the user running the tests (the
README's ``auditdesk``).  sshd needs its absolute path and, as root, /run/sshd;
private keys must be 0600.  Needs OpenSSH's server (``.ci/run`` installs it);
without it the test is skipped.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd")

#: The server-wide settings the test needs (the README's Match block is appended after them).
SERVER = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {hostkey}
PidFile {pidfile}
AuthorizedKeysFile {authkeys}
AllowUsers {user}
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PubkeyAuthentication yes
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
"""


def find_sshd() -> str | None:
    found = shutil.which("sshd")
    if found:
        return os.path.abspath(found)
    return next((c for c in SSHD_CANDIDATES if os.access(c, os.X_OK)), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SSHServer:
    folder: Path
    port: int
    user: str
    proc: subprocess.Popen[bytes]
    log: Path
    authorized_keys: Path
    agent: dict[str, str] = field(default_factory=dict)

    def argv(self, key: Path, *remote: str, tty: bool = False, forward_agent: bool = False,
             options: tuple[str, ...] = ()) -> list[str]:
        argv = ["ssh", "-F", "/dev/null", "-i", str(key), "-p", str(self.port),
                "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", *options]
        argv += ["-A"] if forward_agent else ["-o", "IdentityAgent=none"]
        if tty:
            argv.append("-tt")
        return [*argv, f"{self.user}@127.0.0.1", *remote]

    def run(self, key: Path, *remote: str, forward_agent: bool = False, options: tuple[str, ...] = (),
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.agent} if forward_agent else dict(os.environ)
        if not forward_agent:
            env.pop("SSH_AUTH_SOCK", None)
        return subprocess.run(self.argv(key, *remote, forward_agent=forward_agent, options=options), env=env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_sshd(folder: Path, account_settings: str, timeout: float = 30.0) -> SSHServer:
    """sshd on a free port with `account_settings` (the README's sshd_config block) appended."""
    sshd = find_sshd()
    if sshd is None or shutil.which("ssh") is None:
        pytest.skip("OpenSSH's server is not installed (.ci/run installs openssh-server)")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation folder, compiled in
    folder.mkdir(parents=True, exist_ok=True)
    hostkey = folder / "ssh_host_ed25519_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(hostkey)], check=True)
    authkeys = folder / "authorized_keys"
    authkeys.write_text("")
    user = getpass.getuser()
    last = ""
    for _ in range(5):  # the port can be taken between free_port() and sshd's bind
        port = free_port()
        config = folder / "sshd_config"
        config.write_text(SERVER.format(port=port, hostkey=hostkey, pidfile=folder / "sshd.pid", authkeys=authkeys, user=user)
                          + account_settings.replace("Match User auditdesk", f"Match User {user}"))
        log = folder / "sshd.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = log.read_text(errors="replace")
            if "Server listening on" in last:
                return SSHServer(folder, port, user, proc, log, authkeys)
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        else:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"sshd did not start in {timeout}s:\n{last}")
        if "Bind to port" not in last and "Cannot bind" not in last:
            break
    raise RuntimeError(f"sshd failed to start:\n{last}")


def stop_sshd(server: SSHServer) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(5)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def start_agent(folder: Path, *keys: Path) -> tuple[dict[str, str], subprocess.Popen[bytes]]:
    """An ssh-agent of the test's own (on a socket in `folder`) holding `keys`."""
    sock = folder / "agent.sock"
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    env = {"SSH_AUTH_SOCK": str(sock)}
    for key in keys:
        subprocess.run(["ssh-add", "-q", str(key)], env={**os.environ, **env}, check=True, capture_output=True)
    return env, proc
