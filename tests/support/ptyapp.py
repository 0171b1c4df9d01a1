"""The real app in a pseudo-terminal, typed at like a person (or an SSH connection) would.

Pilot waits for the app to be idle between keys; a person does not.  This
runs `python -m auditdesk` under `pty.fork()` at 80x24, writes keys with
pauses or in bursts, keeps every byte the app writes, and can load both
cores with busy loops while it types.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import random
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

KEYS = {"enter": b"\r", "tab": b"\t", "shift+tab": b"\x1b[Z", "ctrl+s": b"\x13", "ctrl+q": b"\x11", "ctrl+z": b"\x1a",
        "up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D",
        "f2": b"\x1bOQ", "f3": b"\x1bOR", "f4": b"\x1bOS", "f5": b"\x1b[15~", "f6": b"\x1b[17~", "f7": b"\x1b[18~"}
CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")


def key(name: str) -> bytes:
    """A key as the terminal sends it: a name from KEYS, or the text itself."""
    return KEYS.get(name, name.encode("utf-8"))


@contextlib.contextmanager
def busy_machine(cores: int = 2) -> Iterator[None]:
    """Busy loops on `cores` cores for as long as the block runs."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


class PtyApp:
    """`python -m auditdesk --store STORE --user USER` on a terminal of its own."""

    def __init__(self, store: Path, user: str, home: Path, size: tuple[int, int] = (80, 24),
                 env: dict[str, str] | None = None, args: Sequence[str] = ()) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NO_COLOR", "TEXTUAL"))}
        environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS=str(size[0]), LINES=str(size[1]),
                       XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                       XDG_STATE_HOME=str(home / "state"))
        environ.pop("AUDITDESK_USER", None)
        environ.update(env or {})
        argv = [sys.executable, "-m", "auditdesk", "--store", str(store), "--user", user, *args]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the app
            os.chdir(home)
            os.execve(sys.executable, argv, environ)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.status: int | None = None

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def text(self) -> str:
        """Everything written so far, colour and cursor sequences taken out."""
        with self._lock:
            raw = bytes(self.output)
        return CSI.sub(b"", raw).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 90, since: int = 0) -> None:
        """Until `text` has been written (after byte `since`); AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                raw = bytes(self.output[since:])
            if text in CSI.sub(b"", raw).decode("utf-8", "replace"):
                return
            if self.exited():
                break
            time.sleep(0.05)
        raise AssertionError(f"the app never showed {text!r}; it showed: {self.text()[-2000:]!r}")

    @property
    def written(self) -> int:
        with self._lock:
            return len(self.output)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def type(self, keys: Sequence[str], rng: random.Random, delay: tuple[float, float] = (0.02, 0.08)) -> None:
        """Each key on its own, `delay` seconds apart (random within the range)."""
        for name in keys:
            self.send(key(name))
            time.sleep(rng.uniform(*delay))

    def burst(self, keys: Sequence[str]) -> None:
        """The keys in one write, as one SSH packet or a fast typist's run would arrive."""
        self.send(b"".join(key(name) for name in keys))

    def paste(self, text: str) -> None:
        """Bracketed paste, as a terminal sends a paste when the app asks for it (Textual does)."""
        self.send(b"\x1b[200~" + text.encode("utf-8") + b"\x1b[201~")

    def exited(self) -> bool:
        if self.status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.status = os.waitstatus_to_exitcode(status)
            return True
        return False

    def quit(self, timeout: float = 120) -> int:
        """Ctrl+Q, then wait for the app to end (it saves first); killed if it does not."""
        self.send(key("ctrl+q"))
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the app did not end after Ctrl+Q; it showed: {self.text()[-2000:]!r}")
            time.sleep(0.1)
        self._reader.join(timeout=5)
        assert self.status is not None
        return self.status

    def kill(self) -> None:
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = -9
        with contextlib.suppress(OSError):
            os.close(self.fd)
