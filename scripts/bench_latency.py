"""Key-to-screen latency of the terminal app, against a bare Textual app doing the same redraw.

    .venv/bin/python scripts/bench_latency.py              # 20 scores, 20 view switches
    .venv/bin/python scripts/bench_latency.py --busy 2     # the same with two cores kept busy

Both apps run as a person runs them: on a pseudo-terminal at 80x24, keys
written to it, the time taken from writing the key until the terminal has
been sent the change it causes (the score summary's new "unscored N", the
next view's first lines).  The baseline is a bare Textual app with the same
widgets redrawn the same way (a summary line and an 82-row table whose cell
changes; two screens of a table and a long form switched with F2/F3), in
the same run, so the ratio says what auditdesk adds over Textual itself.
`scripts/bench.py --only keys` runs this too and puts the rows in its table.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import fcntl
import os
import pty
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"
ENTER, F2, F3, CTRL_Q = b"\r", b"\x1bOQ", b"\x1bOR", b"\x11"

STORE = """
import sys
from pathlib import Path
from auditdesk.audit.document import from_toml
from auditdesk.audit.identity import Identity
from auditdesk.criteria.catalog import Catalogs
from auditdesk.store.audits import AuditStore
audit = from_toml(Path(sys.argv[2]).read_bytes(), "sample", Catalogs().get("cts-isc-jsgf-05"))
audit.items = {}
audit.stage = "onsite"
with AuditStore.open(Path(sys.argv[1]), create=True) as store:
    store.save(audit, base=None, user=Identity("bench", "bench@example.org"))
"""

BARE = """
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

class Table(Screen):
    def compose(self):
        yield Static("auditdesk-like bar\\nstages\\nviews")
        yield Static("unscored 82", id="summary")
        yield DataTable(cursor_type="row")
        yield Static("entry")
        yield Static("detail\\n\\n\\n")
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        for name in ("Code", "Clause", "Wt", "%", "Score", "", "Requirement"):
            table.add_column(name, key=name)
        for i in range(90):
            table.add_row(f"A{i}", f"5.1.{i}", "2", "", "", "", "售后服务组织应提供基础设施，具体包括", key=str(i))
        self.left, self.typed = 82, ""
        table.focus()

    def on_key(self, event):
        if event.character and event.character.isdigit():
            self.typed += event.character

    def on_data_table_row_selected(self, event):
        if self.typed:
            table = self.query_one(DataTable)
            table.update_cell(str(table.cursor_row), "%", self.typed)
            table.move_cursor(row=table.cursor_row + 1)
            self.left -= 1
            self.query_one("#summary", Static).update(f"unscored {self.left}")
            self.typed = ""

class Form(Screen):  # as many rows as the planning view: a label, a field and its hidden error line
    def compose(self):
        yield Static("auditdesk-like bar\\nstages\\nviews")
        with VerticalScroll():
            yield Label("1 Basic information")
            for i in range(55):
                with Horizontal(classes="row"):
                    yield Label(f"1.{i} field")
                    with Vertical():
                        yield Input(f"value {i}", compact=True)
                        yield Label("", classes="error")
        yield Static("status")
        yield Footer()

class Bare(App):
    CSS = ("Horizontal.row { height: auto; } Horizontal.row > Label { width: 24; } Vertical { height: auto; } "
           "Input { width: 1fr; } .error { display: none; } DataTable { height: 1fr; }")
    MODES = {"scoring": Table, "planning": Form}
    DEFAULT_MODE = "scoring"
    BINDINGS = [Binding("f2", "switch_mode('planning')", priority=True), Binding("f3", "switch_mode('scoring')", priority=True),
                Binding("ctrl+q", "quit", priority=True)]

Bare().run()
"""


class Screen:
    """Just enough of a terminal to know what is on screen: cursor moves (CSI H), text, wide characters."""

    TOKEN = re.compile(r"\x1b\[([0-9;?<>=]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.|([\r\n])|([^\x1b\r\n]+)")

    COMPLETE = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[^\[\]]")

    def __init__(self, width: int = 80, height: int = 24) -> None:
        from rich.cells import cell_len

        self.cell_len = cell_len
        self.width, self.height = width, height
        self.rows = [[" "] * width for _ in range(height)]
        self.y = self.x = 0
        self.pending = ""

    def feed(self, text: str) -> None:
        text = self.pending + text
        self.pending = ""
        last = text.rfind("\x1b")
        if last != -1 and not self.COMPLETE.match(text, last):  # an escape sequence cut in two: keep its start
            text, self.pending = text[:last], text[last:]
        for match in self.TOKEN.finditer(text):
            params, _, final, newline, chars = match.groups()
            if final == "H":
                row, _, col = (params or "1;1").partition(";")
                self.y, self.x = int(row or 1) - 1, int(col or 1) - 1
            elif newline == "\r":
                self.x = 0
            elif newline == "\n":
                self.y += 1
            elif chars:
                for char in chars:
                    width = self.cell_len(char)
                    if 0 <= self.y < self.height and 0 <= self.x < self.width:
                        self.rows[self.y][self.x] = char
                        if width == 2 and self.x + 1 < self.width:
                            self.rows[self.y][self.x + 1] = ""
                    self.x += width

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.rows)


class Terminal:
    """A program on a pseudo-terminal of its own, and what its screen shows."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = bytearray()
        self.screen = Screen()
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.output += data
                self.screen.feed(self.decoder.decode(data))
                self.lock.notify_all()

    def mark(self) -> int:
        with self.lock:
            return len(self.output)

    def shows(self, text: str, since: int) -> bool:
        return len(self.output) > since and text in self.screen.text()

    def wait_for(self, text: str, since: int = 0, timeout: float = 120) -> float:
        """Seconds until the screen shows `text` (after byte `since` arrived)."""
        start = time.perf_counter()
        with self.lock:
            while not self.shows(text, since):
                remaining = timeout - (time.perf_counter() - start)
                if remaining <= 0:
                    raise SystemExit(f"bench: the app never showed {text!r}; the screen:\n{self.screen.text()}")
                self.lock.wait(timeout=min(1.0, remaining))
        return time.perf_counter() - start

    def press(self, key: bytes, shows: str) -> float:
        """Write `key`; seconds until `shows` reached the terminal."""
        since = self.mark()
        os.write(self.fd, key)
        return self.wait_for(shows, since)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, CTRL_Q)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


@contextlib.contextmanager
def busy(cores: int) -> Iterator[None]:
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


@dataclass(frozen=True)
class Latency:
    score: list[float]
    switch: list[float]


def measure(term: Terminal, repeat: int, first_view_text: str) -> Latency:
    """Scores typed on the first `repeat` items, then F2/F3 switches; the app already shows the scoring view."""
    score = []
    for i in range(repeat):
        for digit in b"95":
            os.write(term.fd, bytes([digit]))
            time.sleep(0.03)
        score.append(term.press(ENTER, f"unscored {81 - i}"))
        time.sleep(0.25)  # a person's pace between items
    switch = []
    for _ in range(repeat):
        switch.append(term.press(F2, "1 Basic information"))
        time.sleep(0.25)
        switch.append(term.press(F3, first_view_text))
        time.sleep(0.25)
    return Latency(score, switch)


def run(repeat: int = 20, cores: int = 0, work: Path | None = None, python: str = sys.executable) -> dict[str, Latency]:
    """Both apps measured the same way in this run, with `python` (an environment holding
    auditdesk and Textual): {"auditdesk": ..., "bare": ...}."""
    work = work or Path(tempfile.mkdtemp(prefix="auditdesk-latency-"))
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NO_COLOR", "TEXTUAL"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="80", LINES="24",
               XDG_CONFIG_HOME=str(work / "config"), XDG_STATE_HOME=str(work / "state"), XDG_DATA_HOME=str(work / "data"))
    subprocess.run([python, "-c", STORE, str(store), str(SAMPLE)], check=True, env=env, cwd=work)
    results = {}
    with busy(cores):
        app = Terminal([python, "-m", "auditdesk", "--store", str(store), "--user", "韩永师 <han@example.org>"], work, env)
        try:
            app.wait_for("1 of 1 audits")
            app.press(ENTER, "unscored 82")
            time.sleep(1)
            results["auditdesk"] = measure(app, repeat, "Requirement")
        finally:
            app.close()
        bare = Terminal([python, "-c", BARE], work, env)
        try:
            bare.wait_for("unscored 82")
            time.sleep(1)
            results["bare"] = measure(bare, repeat, "Requirement")
        finally:
            bare.close()
    return results


def summary(results: dict[str, Latency], cores: int) -> list[tuple[str, float, float, float, float]]:
    """(what, auditdesk median, auditdesk p90, bare median, bare p90) in seconds."""
    def p90(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.9) - 1)]

    load = f", {cores} core(s) kept busy" if cores else ""
    ours, bare = results["auditdesk"], results["bare"]
    return [
        (f"TUI key-to-screen: Enter on a typed score{load}", statistics.median(ours.score), p90(ours.score),
         statistics.median(bare.score), p90(bare.score)),
        (f"TUI key-to-screen: F2/F3 view switch{load}", statistics.median(ours.switch), p90(ours.switch),
         statistics.median(bare.switch), p90(bare.switch)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="scores and view switches (each way) to measure")
    parser.add_argument("--busy", type=int, default=0, metavar="CORES", help="cores to keep busy with loops meanwhile")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = summary(run(args.repeat, args.busy), args.busy)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end; medians (and 90th percentiles) of {args.repeat}")
    print("| measurement | auditdesk | p90 | bare Textual app, same redraw | p90 | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for what, ours, ours90, bare, bare90 in rows:
        print(f"| {what} | {ours * 1000:.0f} ms | {ours90 * 1000:.0f} ms | {bare * 1000:.0f} ms | {bare90 * 1000:.0f} ms | "
              f"{ours / bare:.2f}× |")


if __name__ == "__main__":
    main()
