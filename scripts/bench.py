"""Benchmarks of whole processes on synthetic stores, each next to a baseline run in turn with it.

Run on demand (not in CI), from the repository with its virtual environment:

    .venv/bin/python scripts/bench.py --audits 1 --audits 1000 --audits 10000

Each measurement starts whole processes, as a person or a script meets
auditdesk: Python starting, imports, opening the store, the work, exiting.
The code measured is installed into a virtual environment of its own, as
`pip install` installs it for a user (bytecode compiled, not an editable
install).  Each measurement runs its command (A) and a baseline (B) in turn,
A B A B …, and gives min / median / max of each and of the ratio A/B taken
pair by pair, so that a machine whose speed drifts (a shared one) still gives
a fair ratio: read the median ratio.

The stores (`git fast-import`: the sample audit with its project number,
organisation, stage and scores varied; a third of the commits create audits,
the rest change one score each, a quarter of them on one "hot" audit) are
built once and kept under the cache folder (--stores, default
`$XDG_CACHE_HOME/auditdesk-bench`); each measurement works in a fresh clone.

Measurements are registered by name (see `MEASUREMENTS`); `--only NAME`
runs some.  Adding one: a function taking the `Bench` and the store size,
returning `Row`s, decorated with `@measurement("name")`.

Why this module is long: the benchmark registry; each measurement could live in its
own module under scripts/bench/.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pty
import random
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"
HOT = "10234-2024-SD"  # the sample itself: the audit the history concentrates on
LEADER = "韩永师"  # the sample's team leader, who may save it
LEADER_ID = f"{LEADER} <han@example.org>"
ORGS = ("淄博海源电子科技", "青岛新海水务设备", "济南华宇智能仪表", "潍坊东方供水工程", "烟台恒信热能科技")
AUTHORS = (("韩永师", "han@example.org"), ("李审查", "li@example.org"), ("王评价", "wang@example.org"))
STAGES = ("onsite", "conclusion", "conclusion", "review", "approved")
PCT_LINE = re.compile(r"^pct = \d+$")
#: Bump when the generated stores change, so cached ones are built again.
GENERATOR = 2
#: The environment of every command: no user or system git config, a fixed identity.
ENV = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C.UTF-8", LANG="C.UTF-8",
           GIT_AUTHOR_NAME=LEADER, GIT_AUTHOR_EMAIL="han@example.org", GIT_COMMITTER_NAME=LEADER,
           GIT_COMMITTER_EMAIL="han@example.org", AUDITDESK_USER=LEADER_ID)
for _name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "AUDITDESK_STORE"):
    ENV.pop(_name, None)


# --- the synthetic stores ----------------------------------------------------------


def project_no(i: int) -> str:
    return HOT if i == 0 else f"{20000 + i}-{2023 + i % 3}-SD"


def audit_text(template: str, i: int, rng: random.Random) -> str:
    """The sample with another number, organisation, stage and scores (same canonical layout)."""
    if i == 0:
        return template
    text = template.replace(f'project_no = "{HOT}"', f'project_no = "{project_no(i)}"', 1)
    text = text.replace('organisation = "淄博海源电子科技有限公司"', f'organisation = "{ORGS[i % len(ORGS)]}{i}有限公司"', 1)
    text = text.replace('stage = "conclusion"', f'stage = "{rng.choice(STAGES)}"', 1)
    return "\n".join(f"pct = {rng.randint(60, 100)}" if PCT_LINE.match(line) else line for line in text.split("\n"))


def rescore(text: str, rng: random.Random) -> str:
    """One item's percentage changed: what a save usually does."""
    lines = text.split("\n")
    pct_lines = [n for n, line in enumerate(lines) if PCT_LINE.match(line)]
    n = rng.choice(pct_lines)
    lines[n] = f"pct = {rng.choice([v for v in range(60, 101) if f'pct = {v}' != lines[n]])}"
    return "\n".join(lines)


def build_store(root: Path, audits: int, commits: int, seed: int = 1) -> None:
    """A store of `audits` audits and `commits` commits, written by one `git fast-import`."""
    rng = random.Random(seed)
    template = SAMPLE.read_text("utf-8")
    commits = max(commits, 3)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=ENV)
    per_commit = -(-audits // min(audits, commits // 3))
    creating = -(-audits // per_commit)
    texts: dict[int, str] = {}
    importer = subprocess.Popen(["git", "-C", str(root), "fast-import", "--quiet"], stdin=subprocess.PIPE, env=ENV)
    assert importer.stdin is not None
    when = 1704067200  # 2024-01-01

    def commit(n: int, message: str, changed: list[int]) -> None:
        name, email = AUTHORS[n % len(AUTHORS)]
        head = f"commit refs/heads/main\nauthor {name} <{email}> {when + n * 600} +0800\n"
        head += f"committer {name} <{email}> {when + n * 600} +0800\n"
        body = message.encode("utf-8")
        chunks = [head.encode("utf-8"), b"data %d\n" % len(body), body, b"\n"]
        for i in changed:
            data = texts[i].encode("utf-8")
            chunks += [f"M 100644 inline audits/{project_no(i)}.toml\n".encode(), b"data %d\n" % len(data), data, b"\n"]
        assert importer.stdin is not None
        importer.stdin.write(b"".join(chunks))

    for n in range(creating):
        batch = list(range(n * per_commit, min(audits, (n + 1) * per_commit)))
        for i in batch:
            texts[i] = audit_text(template, i, rng)
        commit(n, f"create audits {project_no(batch[0])}…", batch)
    for n in range(creating, commits):
        i = 0 if rng.random() < 0.25 else rng.randrange(audits)
        texts[i] = rescore(texts[i], rng)
        commit(n, f"{project_no(i)}: rescore", [i])
    importer.stdin.close()
    if importer.wait():
        sys.exit("bench: git fast-import failed")
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard"], check=True, env=ENV)
    # fast-import leaves long delta chains of the big audits/ tree; a real store is packed by git's auto gc.
    subprocess.run(["git", "-C", str(root), "gc", "-q"], check=True, env=ENV)


# --- timing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """min / median / max of some runs."""

    low: float
    median: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(min(values), statistics.median(values), max(values), len(values))


def run_once(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: bytes = b"") -> float:
    """Wall seconds of one whole process (and what it waits for); a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env or ENV, input=stdin, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"bench: {' '.join(cmd)[:200]} failed ({done.returncode}): {done.stderr.decode('utf-8', 'replace')[-600:]}")
    return seconds


def paired(a: Callable[[int], float], b: Callable[[int], float], n: int, warmup: int = 1) -> tuple[Stats, Stats, Stats]:
    """A and B in turn, n pairs after `warmup` unmeasured ones: (A, B, A/B pair by pair)."""
    for i in range(warmup):
        a(-1 - i)
        b(-1 - i)
    first, second = [], []
    for i in range(n):
        first.append(a(i))
        second.append(b(i))
    return Stats.of(first), Stats.of(second), Stats.of([x / y for x, y in zip(first, second, strict=True)])


def pty_until(cmd: list[str], needle: bytes, env: dict[str, str], timeout: float = 120.0) -> float:
    """Seconds from starting `cmd` on an 80x24 terminal until `needle` has been drawn on it."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's size, then the program
        fcntl_size = struct.pack("HHHH", 24, 80, 0, 0)
        import fcntl

        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, fcntl_size)
        os.execvpe(cmd[0], cmd, env)
    seen = b""
    try:
        while needle not in seen:
            if time.perf_counter() - start > timeout:
                sys.exit(f"bench: {' '.join(cmd)[:120]} never showed {needle!r}; last output: {seen[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    sys.exit(f"bench: {' '.join(cmd)[:120]} ended before showing {needle!r}: {seen[-400:]!r}")
                seen = seen[-4096:] + chunk
        return time.perf_counter() - start
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


# --- the context and the registry ----------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    audits: int
    what: str
    ours: Stats
    baseline: str = ""
    base: Stats | None = None
    ratio: Stats | None = None
    target: str = ""
    met: bool | None = None
    unit: str = "s"


@dataclass
class Bench:
    work: Path
    stores: Path
    python: Path
    """The Python of the virtual environment auditdesk is installed in."""
    repeat: int
    commits: int
    sizes: tuple[int, ...] = (1000,)
    """The store sizes of this run (a measurement that does not depend on them runs once)."""
    notes: list[str] = field(default_factory=list)

    @property
    def auditdesk(self) -> list[str]:
        return [str(self.python.parent / "auditdesk")]

    def store(self, audits: int) -> Path:
        """The synthetic store of this size, built once and kept under --stores."""
        key = f"store-{audits}-{self.commits}-g{GENERATOR}"
        path = self.stores / key
        if not (path / ".git").is_dir():
            shutil.rmtree(path, ignore_errors=True)
            started = time.perf_counter()
            build_store(path, audits, min(self.commits, max(3, audits * 3)))
            print(f"built {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return path

    def clone(self, audits: int, name: str) -> Path:
        """A fresh clone of the store of this size, as a colleague would make one."""
        target = self.work / f"{name}-{audits}"
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", str(self.store(audits)), str(target)], check=True, env=ENV)
        return target

    def cache(self, name: str) -> dict[str, str]:
        """An environment whose user cache folder is `name` under the work folder (empty if new)."""
        return dict(ENV, XDG_CACHE_HOME=str(self.work / "xdg" / name))


Measurement = Callable[[Bench, int], list[Row]]
MEASUREMENTS: dict[str, Measurement] = {}


def measurement(name: str) -> Callable[[Measurement], Measurement]:
    def register(func: Measurement) -> Measurement:
        MEASUREMENTS[name] = func
        return func
    return register


# --- the measurements -----------------------------------------------------------------

PARSE_FLOOR = """
import sys, tomllib
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.toml")):
    tomllib.loads(path.read_bytes().decode("utf-8"))
"""


def _pct_line(store: Path, code: str) -> int:
    """The line number of item `code`'s percentage in HOT's file (for sed)."""
    lines = (store / "audits" / f"{HOT}.toml").read_text("utf-8").split("\n")
    at = lines.index(f"[items.{code}]")
    assert lines[at + 1].startswith("pct = "), lines[at + 1]
    return at + 2


@measurement("save")
def save(bench: Bench, audits: int) -> list[Row]:
    """One score changed from the command line: `auditdesk score` against sed + git add + git commit."""
    store = bench.clone(audits, "save")
    env = bench.cache("save")
    line = _pct_line(store, "A2")
    path = f"audits/{HOT}.toml"
    values = iter(range(10**6))

    def ours(_: int) -> float:
        v = 60 + next(values) % 40
        return run_once(["sh", "-c", 'exec "$0" "$@"', *bench.auditdesk, "--store", str(store), "score", HOT, f"A2={v}"], env=env)

    def sed_git(_: int) -> float:
        v = 60 + next(values) % 40
        script = f'sed -i "{line}s/.*/pct = {v}/" {path} && git add -- {path} && git commit -q -m "{HOT}: rescore A2"'
        return run_once(["sh", "-c", script], cwd=store, env=env)

    a, b, r = paired(ours, sed_git, bench.repeat)
    return [Row(audits, "save one score: auditdesk score (whole process)", a, "sed + git add + git commit", b, r,
                "≤ 2.5× (aim 1.5×)", r.median <= 2.5)]


@measurement("textconv")
def textconv(bench: Bench, audits: int) -> list[Row]:
    """Plain `git log -p` of 100 revisions of one audit in a fresh `auditdesk clone` (git's textconv
    cache as the clone filled it; then with the cache deleted, the driver once per blob), against
    `git log -p --no-textconv` in the same run."""
    fresh = bench.work / f"textconv-{audits}"
    shutil.rmtree(fresh, ignore_errors=True)
    env = dict(bench.cache("textconv"), PATH=str(bench.python.parent) + os.pathsep + ENV.get("PATH", ""))
    clone = Stats.of([run_once([*bench.auditdesk, "clone", str(bench.store(audits)), str(fresh)], env=env)])
    log = ["git", "-C", str(fresh), "log", "-p", "-n", "100", "--", f"audits/{HOT}.toml"]
    a, b, r = paired(lambda _: run_once(log, env=env), lambda _: run_once([*log, "--no-textconv"], env=env), bench.repeat)
    subprocess.run(["git", "-C", str(fresh), "update-ref", "-d", "refs/notes/textconv/auditdesk"], check=False, env=env)
    cold = run_once(log, env=env)
    plain = b.median
    return [Row(audits, "auditdesk clone (fills git's textconv cache)", clone),
            Row(audits, "git log -p -n 100 of one audit in a fresh clone", a, "git log -p --no-textconv", b, r,
                "≤ 3×", r.median <= 3),
            Row(audits, "the same with git's cache deleted (the driver once per blob)", Stats.of([cold]),
                "git log -p --no-textconv", b, Stats.of([cold / plain]))]


@measurement("keys")
def keys(bench: Bench, audits: int) -> list[Row]:
    """Key to screen in the app on a pseudo-terminal at 80x24 (`bench_latency`): a typed score's
    Enter, and F2/F3 view switches, against a bare Textual app doing the same redraw, same run.
    The store holds the sample only (the app edits one audit whatever the store's size), so
    this runs once, for the first size."""
    import bench_latency

    if audits != min(bench.sizes):
        return []
    repeat = max(bench.repeat * 2, 10)
    rows = []
    for cores in (0, 2):  # quiet, then with two busy loops (a shared machine; every CPU of this one)
        results = bench_latency.run(repeat, cores, bench.work / "keys", python=str(bench.python))
        ours, bare = results["auditdesk"], results["bare"]
        load = f", {cores} cores kept busy" if cores else ""
        for what, a, b in ((f"app: Enter on a typed score, key to screen (pty 80x24{load})", ours.score, bare.score),
                           (f"app: F2/F3 view switch, key to screen (pty 80x24{load})", ours.switch, bare.switch)):
            ratio = Stats.of([x / y for x, y in zip(a, b, strict=True)])  # the i-th key of each app
            rows.append(Row(1, what, Stats.of(a), "bare Textual app, same widgets and redraw", Stats.of(b), ratio,
                            "≤ 2× (median)", ratio.median <= 2))
    return rows


@measurement("batch")
def batch(bench: Bench, audits: int) -> list[Row]:
    """100 audits rescored by a script: one `score --from FILE` against a shell loop of sed + git."""
    if audits < 100:
        return []
    store = bench.clone(audits, "batch")
    env = bench.cache("batch")
    numbers = [no for no in (project_no(i) for i in range(audits))  # audits the team may still edit
               if re.search(r'^stage = "(planning|onsite|conclusion)"$', (store / "audits" / f"{no}.toml").read_text("utf-8"), re.MULTILINE)][:100]
    lines = {no: _pct_line_of(store, no, "A2") for no in numbers}
    values = iter(range(10**6))

    def ours(_: int) -> float:
        v = 60 + next(values) % 40
        listing = "".join(f"{no} A2={v}\n" for no in numbers)
        return run_once([*bench.auditdesk, "--store", str(store), "score", "--from", "-"], env=env, stdin=listing.encode())

    def sed_git(_: int) -> float:
        v = 60 + next(values) % 40
        script = " && ".join(f'sed -i "{lines[no]}s/.*/pct = {v}/" audits/{no}.toml && git add -- audits/{no}.toml '
                             f'&& git commit -q -m "{no}: rescore A2"' for no in numbers)
        return run_once(["sh", "-c", script], cwd=store, env=env)

    a, b, r = paired(ours, sed_git, max(3, bench.repeat // 4))
    return [Row(audits, f"save {len(numbers)} audits: score --from FILE ({len(numbers)} commits)", a,
                "a shell loop of sed + git add + git commit", b, r)]


def _pct_line_of(store: Path, no: str, code: str) -> int:
    lines = (store / "audits" / f"{no}.toml").read_text("utf-8").split("\n")
    return lines.index(f"[items.{code}]") + 2


@measurement("list")
def listing(bench: Bench, audits: int) -> list[Row]:
    """`auditdesk list` of a fresh clone: cold (no summary or catalog cache) and warm, against tomllib parsing every file."""
    store = bench.clone(audits, "list")
    floor_cmd = [sys.executable, "-c", PARSE_FLOOR, str(store / "audits")]
    colds = iter(range(10**6))

    def cold(_: int) -> float:
        env = bench.cache(f"list-cold-{audits}-{next(colds)}")
        return run_once([*bench.auditdesk, "--store", str(store), "list"], env=env)

    def warm(_: int) -> float:
        return run_once([*bench.auditdesk, "--store", str(store), "list"], env=bench.cache(f"list-warm-{audits}"))

    def floor(_: int) -> float:
        return run_once(floor_cmd)

    n = bench.repeat if audits < 10000 else 3
    a, b, r = paired(cold, floor, max(3, n // 2), warmup=0)
    target = ("≤ 1× floor (aim 0.25×)", r.median <= 1.0) if audits >= 1000 else ("", None)  # at 1 audit: both are Python starting
    rows = [Row(audits, "first list of a fresh clone, cold (whole process)", a, "tomllib parsing every file (1 process)", b, r, *target)]
    a, b, r = paired(warm, floor, n)
    rows.append(Row(audits, "list again, warm (whole process)", a, "tomllib parsing every file (1 process)", b, r))
    return rows


BARE_TABLE = """
import sys
from textual.app import App
from textual.widgets import DataTable, Footer, Input, Label

rows = [line.split("\\t") for line in open(sys.argv[1], encoding="utf-8").read().splitlines()]

class Bare(App[None]):
    def compose(self):
        yield Label("auditdesk")
        yield Input(placeholder="filter")
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in ("project", "type", "stage", "total", "star", "organisation"):
            table.add_column(column, key=column)
        for row in rows:
            table.add_row(*row, key=row[0])
        table.focus()

Bare().run()
"""


@measurement("app")
def app(bench: Bench, audits: int) -> list[Row]:
    """The app from process start to its first rows on an 80x24 terminal (the real entry point), cold and
    warm, against a bare Textual app drawing a DataTable with the same rows."""
    store = bench.clone(audits, "app")
    warm_env = bench.cache(f"app-warm-{audits}")
    run_once([*bench.auditdesk, "--store", str(store), "list"], env=warm_env)
    rows = bench.work / f"rows-{audits}.tsv"
    listed = subprocess.run([*bench.auditdesk, "--store", str(store), "list", "--json"], env=warm_env,
                            capture_output=True, check=True).stdout
    import json

    rows.write_text("".join(f"{r['project_no']}\t{r['audit_type']}\t{r['stage']}\t{r['total']}\t{r['star']}\t{r['organisation']}\n"
                            for r in json.loads(listed)), "utf-8")
    needle = HOT.encode()  # the first row, sorted by project number
    colds = iter(range(10**6))
    term = dict(TERM="xterm-256color", COLUMNS="80", LINES="24")

    def cold(_: int) -> float:
        env = dict(bench.cache(f"app-cold-{audits}-{next(colds)}"), **term)
        return pty_until([*bench.auditdesk, "--store", str(store)], needle, env)

    def warm(_: int) -> float:
        return pty_until([*bench.auditdesk, "--store", str(store)], needle, dict(warm_env, **term))

    def bare(_: int) -> float:
        return pty_until([str(bench.python), "-c", BARE_TABLE, str(rows)], needle, dict(ENV, **term))

    n = max(3, bench.repeat // 2)
    a, b, r = paired(cold, bare, n, warmup=0)
    out = [Row(audits, "app: start to first rows, cold cache (real entry point, 80x24)", a,
               f"bare Textual app: same DataTable, {audits:,} rows", b, r)]
    a, b, r = paired(warm, bare, n)
    out.append(Row(audits, "app: start to first rows, warm cache", a, f"bare Textual app: same DataTable, {audits:,} rows", b, r))
    return out


@measurement("history")
def history(bench: Bench, audits: int) -> list[Row]:
    """`auditdesk log` and `diff` of the hot audit against the git commands that read the same history."""
    store = bench.clone(audits, "history")
    env = bench.cache("history")
    path = f"audits/{HOT}.toml"
    run_once([*bench.auditdesk, "--store", str(store), "log", HOT], env=env)  # its summaries computed once
    newest = subprocess.run(["git", "-C", str(store), "log", "-2", "--format=%H", "--", path], capture_output=True, text=True,
                            check=True, env=ENV).stdout.split()
    n = max(3, bench.repeat // 2)
    rows = []
    if len(newest) == 2:
        a, b, r = paired(lambda _: run_once([*bench.auditdesk, "--store", str(store), "log", HOT], env=env),
                         lambda _: run_once(["git", "-C", str(store), "log", "--oneline", "--", path]), n)
        rows.append(Row(audits, "log of the hot audit (summaries cached)", a, "git log --oneline -- FILE", b, r))
        a, b, r = paired(lambda _: run_once([*bench.auditdesk, "--store", str(store), "diff", HOT], env=env),
                         lambda _: run_once(["git", "-C", str(store), "diff", "--no-textconv", newest[1], newest[0], "--", path]), n)
        rows.append(Row(audits, "diff of the hot audit's last two revisions", a, "git diff --no-textconv A B -- FILE", b, r))
    return rows


@measurement("report")
def report(bench: Bench, audits: int) -> list[Row]:
    """`report --all` cold (2 workers) and with nothing changed, against tomllib parsing every file."""
    if audits < 1000:
        return []
    store = bench.clone(audits, "report")
    env = bench.cache("report")
    out = bench.work / f"reports-{audits}"
    shutil.rmtree(out, ignore_errors=True)
    floor = Stats.of([run_once([sys.executable, "-c", PARSE_FLOOR, str(store / "audits")]) for _ in range(3)])
    cmd = [*bench.auditdesk, "--store", str(store), "report", "--all", "--out", str(out), "--jobs", "2"]
    cold = Stats.of([run_once(cmd, env=env)])
    again = Stats.of([run_once(cmd, env=env) for _ in range(3)])
    ratio = lambda s: Stats(s.low / floor.median, s.median / floor.median, s.high / floor.median, s.runs)  # noqa: E731
    return [Row(audits, "report --all, cold (--jobs 2)", cold, "tomllib parsing every file (1 process)", floor, ratio(cold),
                "≤ 3× floor", cold.median <= 3 * floor.median),
            Row(audits, "report --all, nothing changed", again, "tomllib parsing every file (1 process)", floor, ratio(again),
                "≤ 0.25× floor", again.median <= 0.25 * floor.median)]


# --- the code measured, the table ----------------------------------------------------------


def install(work: Path) -> tuple[Path, str]:
    """The working tree's code installed (not editable) into a virtual environment under `work`;
    its Python, and what was measured (commit, and whether there were uncommitted changes)."""
    venv = work / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-c", str(ROOT / "constraints.txt"), str(ROOT)], check=True)
        build = re.search(r'requires = \["(setuptools[^"]*)"\]', (ROOT / "pyproject.toml").read_text("utf-8"))
        if build:  # what the project builds with, for the quick reinstalls below
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", build.group(1)], check=True)
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "*.egg-info", "tests"))
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--force-reinstall", "--no-build-isolation", str(src)],
                   check=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE=""))
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=False).stdout
    return venv / "bin" / "python", commit + (" + uncommitted changes" if dirty else "")


def table(rows: list[Row]) -> str:
    lines = ["| audits | measurement | auditdesk min / **median** / max | baseline | baseline min / **median** / max | ratio min / **median** / max | target | met |",
             "|---:|---|---|---|---|---|---|---|"]
    for r in rows:
        ours = _stats(r.ours)
        base = _stats(r.base) if r.base else ""
        ratio = f"{r.ratio.low:.2f} / **{r.ratio.median:.2f}×** / {r.ratio.high:.2f}" if r.ratio else ""
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.audits:,} | {r.what} | {ours} | {r.baseline} | {base} | {ratio} | {r.target} | {met} |")
    return "\n".join(lines)


def _stats(s: Stats) -> str:
    return f"{_duration(s.low)} / **{_duration(s.median)}** / {_duration(s.high)} (n={s.runs})"


def _duration(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def growth(rows: list[Row]) -> list[str]:
    """How the save grows with the store, against git's growth."""
    saves = {r.audits: r for r in rows if r.what.startswith("save one score")}
    if len(saves) < 2:
        return []
    small, large = saves[min(saves)], saves[max(saves)]
    assert small.base and large.base
    return [(f"save from {small.audits:,} to {large.audits:,} audits: auditdesk ×{large.ours.median / small.ours.median:.2f}, "
            f"sed + git ×{large.base.median / small.base.median:.2f} (medians)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, action="append", metavar="N", help="store size; repeat for several (default 1000)")
    parser.add_argument("--commits", type=int, default=3000, metavar="N", help="commits in each store's history")
    parser.add_argument("--repeat", type=int, default=10, metavar="N", help="pairs of runs per measurement (fewer for slow ones)")
    parser.add_argument("--only", action="append", choices=sorted(MEASUREMENTS), help="run only these measurements")
    parser.add_argument("--stores", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "auditdesk-bench",
                        help="where the synthetic stores are built once and kept")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "auditdesk-bench-work",
                        help="clones, caches and the virtual environment of the run")
    args = parser.parse_args()
    args.stores.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(args.work / "xdg", ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)
    python, code = install(args.work)
    sizes = tuple(sorted(args.audits or [1000]))
    bench = Bench(args.work, args.stores, python, args.repeat, args.commits, sizes)
    load = os.getloadavg()[0]
    rows: list[Row] = []
    for audits in sizes:
        for name in args.only or MEASUREMENTS:
            print(f"[{audits}] {name}", file=sys.stderr)
            rows += MEASUREMENTS[name](bench, audits)
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False).stdout.split()[-1]
    print(f"code {code}; git {git_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
          f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
          f"code hash {hashlib.sha256(code.encode()).hexdigest()[:8]}")
    print(table(rows))
    for line in growth(rows) + bench.notes:
        print(f"\n{line}")


if __name__ == "__main__":
    main()
