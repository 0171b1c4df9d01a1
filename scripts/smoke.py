"""Drive an installed auditdesk as a user would: every command, then the app in a terminal.

Usage: python scripts/smoke.py PATH/TO/bin/auditdesk

Run by CI (scripts/ci-pythons.sh) against a non-editable `pip install .` in a
venv outside the checkout, from another folder, so nothing of the checkout can
stand in for what the wheel installed (catalogs, the demo audit, the .tcss
files, the console script). Standard library only; works in a temporary
folder and leaves nothing behind. Exit status 1 on the first failure, with
what the command printed.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

AUDIT = "10234-2024-SD"
REVIEWER = ["--user", "Li Reviewer <li@example.org>"]


class Smoke:
    def __init__(self, exe: str, place: Path) -> None:
        self.exe, self.place = exe, place
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITDESK_", "GIT_"))}
        self.env.update(XDG_DATA_HOME=str(place / "data"), XDG_CONFIG_HOME=str(place / "config"),
                        XDG_STATE_HOME=str(place / "state"), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
                        LANG="C.UTF-8")
        self.count = 0

    def run(self, *args: str, code: int = 0, store: str | None = "store", needs: str = "") -> str:
        argv = [self.exe, *args, *(["--store", str(self.place / store)] if store else [])]
        start = time.monotonic()
        done = subprocess.run(argv, cwd=self.place, env=self.env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, check=False)
        shown = " ".join(args)
        if done.returncode != code or needs not in done.stdout + done.stderr or "Traceback" in done.stderr:
            sys.exit(f"smoke: FAILED: auditdesk {shown}: exit {done.returncode} (wanted {code}), "
                     f"wanted {needs!r} in the output\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}")
        self.count += 1
        print(f"ok {time.monotonic() - start:5.2f}s  auditdesk {shown}")
        return done.stdout

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.place, env=self.env, capture_output=True, text=True,
                              check=True).stdout

    def app(self) -> None:
        """The terminal app in a pseudo-terminal of 80x24: it lists the demo audit, Ctrl+Q quits with status 0."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        start = time.monotonic()
        proc = subprocess.Popen([self.exe, "--store", str(self.place / "store")], cwd=self.place,
                                env=dict(self.env, TERM="xterm-256color", COLUMNS="80", LINES="24"),
                                stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        seen, quit_sent = b"", False
        try:
            while proc.poll() is None and time.monotonic() - start < 60:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:
                        break
                if not quit_sent and "淄博海源".encode() in seen:
                    time.sleep(0.3)
                    os.write(master, b"\x11")  # Ctrl+Q
                    quit_sent = True
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
        text = seen.decode("utf-8", "replace")
        if not quit_sent or proc.returncode != 0 or "Traceback" in text:
            sys.exit(f"smoke: FAILED: the app in a terminal: exit {proc.returncode}, audit listed: {quit_sent}\n"
                     f"--- what it drew (last 3000 characters)\n{text[-3000:]}")
        self.count += 1
        print(f"ok {time.monotonic() - start:5.2f}s  auditdesk (the app, 80x24): listed {AUDIT}, quit with Ctrl+Q")


def main(exe: str) -> None:
    if not Path(exe).is_file():
        sys.exit(f"smoke: no auditdesk at {exe}")
    with tempfile.TemporaryDirectory(prefix="auditdesk-smoke-") as folder:
        s = Smoke(exe, Path(folder))
        s.run("--version", store=None, needs="auditdesk ")
        s.run("--help", store=None, needs="completion")
        s.run(store=None, code=2, needs="needs a terminal")
        s.run("list", store="typo", code=1, needs="no store at")
        s.run("demo", needs=AUDIT)
        s.run("list", needs="十星级")
        shown = json.loads(s.run("show", AUDIT, "--json"))
        if (shown["totals"]["total"], shown["totals"]["rate"]) != ("138.33", "96.73"):
            sys.exit(f"smoke: FAILED: the seed scores {shown['totals']}")
        s.run("show", AUDIT, needs="138.33")
        scored = json.loads(s.run("score", AUDIT, "B17=97", "--json"))
        if scored["revision"] != s.git("-C", "store", "rev-parse", "HEAD").strip():
            sys.exit(f"smoke: FAILED: score --json names {scored['revision']}, not HEAD")
        s.run("log", AUDIT, needs="score B17")
        s.run("diff", AUDIT, needs="B17")
        s.run("blame", AUDIT, "B17", needs="95 → 97")
        s.run("status", AUDIT, needs="stage conclusion")
        s.run("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "某公司", needs="created N-1")
        s.run("validate", needs="ok ")
        s.run("catalog", "list", needs="cts-isc-jsgf-05")
        s.run("catalog", "show", "cts-isc-jsgf-05", needs="star levels")
        s.run("report", AUDIT, "-o", "out/report.md", needs="3 chart(s)")
        s.run("report", AUDIT, "-o", "out/report.html", needs="wrote")
        if not (s.place / "out" / "report.html").read_text("utf-8").lstrip().lower().startswith("<!doctype html"):
            sys.exit("smoke: FAILED: report -o report.html did not write HTML")
        s.run("report", "--all", "--out", "reports", needs="2 rendered")
        s.run("export", "-o", "out/results.csv", needs="2 audit(s)")
        s.run("export", "-o", "out/results.json", needs="2 audit(s)")
        path = s.place / "store" / "audits" / f"{AUDIT}.toml"
        path.write_text(path.read_text("utf-8").replace("[items.B18]\npct = 97", "[items.B18]\npct = 96"), "utf-8")
        s.run("commit", AUDIT, needs="committed")
        if "B18" not in s.git("-C", "store", "log", "-p", "-1"):  # git's diff driver: the installed textconv
            sys.exit("smoke: FAILED: git log -p shows no readable audit lines (textconv)")
        s.run("advance", AUDIT, needs="now review")
        s.run("return", AUDIT, "--to", "onsite", "--reason", "B17 证据不足", *REVIEWER, needs="returned to onsite")
        s.run("advance", AUDIT, needs="now conclusion")
        s.run("advance", AUDIT, needs="now review")
        s.run("approve", AUDIT, *REVIEWER, needs="approved")
        s.run("report", AUDIT, "-o", "issued/report.md", needs="wrote")
        s.run("verify", "issued/report.md", needs="verified")
        s.run("reopen", AUDIT, "--reason", "客户更正地址", *REVIEWER, needs="reopened")
        s.git("init", "-q", "--bare", "-b", "main", "hub.git")
        s.run("sync", str(s.place / "hub.git"), needs="sync with")
        s.run("init", store="other", needs="store ready")
        for shell in ("bash", "zsh"):
            script = s.run("completion", shell, store=None, needs="auditdesk")
            if shutil.which(shell):
                subprocess.run([shell, "-n"], input=script, text=True, check=True)
        s.app()
        print(f"smoke: {s.count} passed, 0 failed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
