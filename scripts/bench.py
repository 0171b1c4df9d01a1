"""Benchmarks on synthetic stores, each measurement next to a baseline from the same run.

Run on demand (not in CI), from the repository with its virtual environment:

    .venv/bin/python scripts/bench.py --audits 1000 --audits 10000

For each size it builds a store with git history (`git fast-import`: the
sample audit with its project number, organisation, stage and scores varied;
a third of the commits create audits, the rest change one score each, a
quarter of them on one "hot" audit so that log and diff have history to
read), then measures, each in its own child process so that its peak memory
(ru_maxrss from wait4, which includes the worker processes it reaped) is its
own:

- `report --all` cold (--jobs 2), incremental with nothing changed, and after
  one save — against reading and parsing every file with tomllib;
- one `AuditStore.save` against `git add && git commit` of the same change;
- `list` (summaries, cold cache and warm), `log` and `diff` against the git
  commands that read the same history;
- the TUI's start to first frame against a bare Textual app (headless).

Machine-dependent: compare rows within one run, not across machines.  Wall
times suffer when something else runs on the machine; the CPU column (user +
system time of the process and everything it reaped) does not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditdesk" / "demo" / "10234-2024-SD.toml"
HOT = "10234-2024-SD"  # the sample itself: the audit the history concentrates on
LEADER = "韩永师"  # the sample's team leader, who may save it
ORGS = ("淄博海源电子科技", "青岛新海水务设备", "济南华宇智能仪表", "潍坊东方供水工程", "烟台恒信热能科技")
AUTHORS = (("韩永师", "han@example.org"), ("李审查", "li@example.org"), ("王评价", "wang@example.org"))
STAGES = ("onsite", "conclusion", "conclusion", "review", "approved")
PCT_LINE = re.compile(r"^pct = \d+$")
ENV = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C.UTF-8")
#: Source folder -> where it is installed (pyproject's package-dir).
PACKAGES = {"auditdesk": "auditdesk", "criteria": "auditdesk/criteria", "audit": "auditdesk/audit", "store": "auditdesk/store",
            "report": "auditdesk/report", "desk": "auditdesk/desk", "tui": "auditdesk/tui", "cli": "auditdesk/cli"}


@dataclass(frozen=True)
class Run:
    """One child process: wall time, CPU time and peak memory (its own or any reaped
    descendant's: git, workers), what it printed."""

    seconds: float
    cpu: float
    peak_mb: float
    stdout: str


def measure(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run `cmd` to the end; wait4 gives its peak RSS (and that of the children it reaped)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode:
        sys.exit(f"bench: {cmd[-1] if cmd[1] == '-c' else ' '.join(cmd)} failed ({proc.returncode}): {stderr[-600:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def best_of(n: int, cmd: list[str]) -> Run:
    """Median time of `n` runs of a short command (with the largest peak memory seen)."""
    runs = [measure(cmd) for _ in range(n)]
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs), runs[-1].stdout)


def python(code: str, *args: object) -> list[str]:
    return [sys.executable, "-c", code, *map(str, args)]


def auditdesk(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "auditdesk", *args, "--store", str(store)]


def snapshot(work: Path) -> str:
    """Freeze the code under test for the whole run, bytecode compiled, first on every child's path.

    The working tree may be edited during a long run, and `report --all` keys its cache on a
    hash of the report code: measured live, "nothing changed" would not stay true.
    Returns what was measured (commit, and whether the tree had uncommitted changes).
    """
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    for folder, target in PACKAGES.items():
        shutil.copytree(ROOT / folder, src / target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    ENV["PYTHONPATH"] = str(src)
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", *PACKAGES], capture_output=True, text=True, check=False).stdout
    return commit + (" + uncommitted changes" if dirty else "")


# --- the synthetic store -----------------------------------------------------


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
    # fast-import leaves long delta chains of the 10,000-entry audits/ tree: reading HEAD then
    # fills git's 96 MB delta cache.  A real store is packed by git's auto gc; so is this one.
    subprocess.run(["git", "-C", str(root), "gc", "-q"], check=True, env=ENV)


# --- child programs ------------------------------------------------------------

BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench import build_store
build_store(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
"""

CANONICAL = """
import sys
from pathlib import Path
from auditdesk.store.audits import AuditStore
from auditdesk.audit.document import to_toml
with AuditStore.open(Path(sys.argv[1])) as store:
    for no in store.ids()[:3] + [sys.argv[2]]:
        loaded = store.load(no)
        assert to_toml(loaded.audit) == store.repo.read_blob(loaded.blob), f"{no} is not in canonical form"
"""

PARSE_FLOOR = """
import sys, tomllib
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.toml")):
    tomllib.loads(path.read_bytes().decode("utf-8"))
"""

SAVES = """
import dataclasses, json, statistics, subprocess, sys, time
from decimal import Decimal
from pathlib import Path
from auditdesk.store.audits import AuditStore
from auditdesk.audit.document import to_toml
from auditdesk.audit.identity import Identity
root, no, n, leader = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
who = Identity(leader, "leader@example.org")

def changed(audit):  # A2 toggled between two percentages: every save is a real change
    old = audit.items["A2"]
    audit.items["A2"] = dataclasses.replace(old, pct=Decimal(95 if old.pct == 90 else 90))
    return audit

saves, plain = [], []
env = {"GIT_AUTHOR_NAME": leader, "GIT_AUTHOR_EMAIL": who.email, "GIT_COMMITTER_NAME": leader,
       "GIT_COMMITTER_EMAIL": who.email, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
with AuditStore.open(root) as store:
    path = store.path_of(no)
    for _ in range(n):
        loaded = store.load(no)
        audit = changed(loaded.audit)
        t = time.perf_counter()
        store.save(audit, base=loaded.blob, user=who)
        saves.append(time.perf_counter() - t)
    for _ in range(n):
        data = to_toml(changed(store.load(no).audit))
        t = time.perf_counter()
        (root / path).write_bytes(data)
        subprocess.run(["git", "add", "--", path], cwd=root, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"{no}: rescore A2"], cwd=root, env=env, check=True)
        plain.append(time.perf_counter() - t)
print(json.dumps({"save": statistics.median(saves), "git": statistics.median(plain)}))
"""

READS = """
import json, subprocess, sys, time
from pathlib import Path
from auditdesk.store.audits import AuditStore
root, no = Path(sys.argv[1]), sys.argv[2]
out = {}

def timed(name, call):
    t = time.perf_counter()
    value = call()
    out[name] = time.perf_counter() - t
    return value

def git(*args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True).stdout

with AuditStore.open(root) as store:
    store._cache_path.unlink(missing_ok=True)  # the user's cache of this store (not in .git)
    timed("list_cold", store.summaries)
with AuditStore.open(root) as store:
    timed("list_warm", store.summaries)
    timed("ls_tree", lambda: git("ls-tree", "-r", "HEAD", "--", "audits"))
    revisions = timed("log", lambda: store.log(no))
    timed("git_log", lambda: git("log", "--format=%H%x00%an%x00%ae%x00%aI%x00%B", "--", f"audits/{no}.toml"))
    out["revisions"] = len(revisions)
print(json.dumps(out))
"""

TUI_FIRST_FRAME = """
import sys
from pathlib import Path
from auditdesk.store.audits import AuditStore
from auditdesk.audit.identity import Identity
from auditdesk.tui.app import AuditdeskApp

# Patched, not subclassed: Textual finds the app's CSS relative to the file of its class.
AuditdeskApp.on_ready = lambda self: self.exit()
with AuditStore.open(Path(sys.argv[1])) as store:
    AuditdeskApp(store, Identity(sys.argv[2], "leader@example.org")).run(headless=True, size=(80, 24))
"""

BARE_FIRST_FRAME = """
from textual.app import App
from textual.widgets import Static

class FirstFrame(App[None]):
    def compose(self):
        yield Static("auditdesk")

    def on_ready(self) -> None:
        self.exit()

FirstFrame().run(headless=True, size=(80, 24))
"""


# --- measuring -----------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: ours (wall and CPU time, peak memory), the baseline, the target."""

    audits: int
    what: str
    seconds: float
    cpu: float | None = None
    peak_mb: float | None = None
    baseline: str = ""
    baseline_seconds: float | None = None
    target: str = ""
    met: bool | None = None
    unit: str = "s"


def of(audits: int, what: str, run: Run, baseline: str = "", base: Run | None = None, target: str = "",
       met: bool | None = None) -> Row:
    """A row for a measured process."""
    return Row(audits, what, run.seconds, run.cpu, run.peak_mb, baseline, base.seconds if base else None, target, met)


def bench_size(work: Path, audits: int, commits: int, jobs: int, repeat: int, keep: bool) -> list[Row]:
    store = work / f"store-{audits}"
    if not (keep and store.is_dir()):
        shutil.rmtree(store, ignore_errors=True)
        t = time.perf_counter()
        # In a child: a process started by this one inherits its peak RSS as its own ru_maxrss
        # (exec records the old address space's high-water mark), so this one must stay small.
        measure(python(BUILD, Path(__file__).parent, store, audits, commits))
        print(f"built {store}: {audits} audits, {commits} commits in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    measure(python(CANONICAL, store, HOT))  # valid and canonical, or we would measure errors
    out = work / f"reports-{audits}"
    shutil.rmtree(out, ignore_errors=True)

    def step(what: str) -> None:
        print(f"[{audits}] {what}", file=sys.stderr)

    step("parse floor, bulk render")
    floor = measure(python(PARSE_FLOOR, store / "audits"))
    bulk = auditdesk(store, "report", "--all", "--out", str(out), "--jobs", str(jobs))
    cold = measure(bulk)
    again = measure(bulk)
    measure(auditdesk(store, "score", HOT, "A3", "--na", "--reason", f"bench {time.time_ns()}", "--user", f"{LEADER} <x@example.org>"))
    one = measure(bulk)
    for run, expected in ((cold, f"{audits} rendered"), (again, f"{audits} unchanged"), (one, "1 rendered")):
        if expected not in run.stdout:
            sys.exit(f"bench: expected '{expected}' from report --all, got: {run.stdout}")
    parsing = "tomllib read+parse of every file (1 process)"
    rows = [
        of(audits, f"report --all, cold (--jobs {jobs})", cold, parsing, floor, "≤ 3× floor", cold.seconds <= 3 * floor.seconds),
        of(audits, "report --all, nothing changed", again, parsing, floor, "≤ 0.25× floor", again.seconds <= 0.25 * floor.seconds),
        of(audits, "report --all, one audit changed", one, parsing, floor),
    ]
    if audits >= 10000:
        rows.append(of(audits, f"report --all, cold, {audits:,} on {jobs} cores", cold, target="< 60 s", met=cold.seconds < 60))

    step("saves")
    saves = measure(python(SAVES, store, HOT, repeat, LEADER))
    medians = json.loads(saves.stdout)
    rows.append(Row(audits, f"one save: AuditStore.save (median of {repeat})", medians["save"], None, saves.peak_mb,
                    "git add && git commit, same change", medians["git"], "≤ plain git", medians["save"] <= medians["git"]))

    step("list, log, diff")
    reads = measure(python(READS, store, HOT))
    r = json.loads(reads.stdout)
    small = audits == 1000
    rows += [
        Row(audits, "list: AuditStore.summaries(), cold cache", r["list_cold"], None, reads.peak_mb, "git ls-tree -r",
            r["ls_tree"], *(("< 0.2 s", r["list_cold"] < 0.2) if small else ())),
        Row(audits, "list: AuditStore.summaries(), warm cache", r["list_warm"], None, None, "git ls-tree -r",
            r["ls_tree"], *(("< 0.2 s", r["list_warm"] < 0.2) if small else ())),
        Row(audits, f"log: AuditStore.log ({r['revisions']} revisions)", r["log"], None, None, "git log -- FILE", r["git_log"]),
    ]
    path = f"audits/{HOT}.toml"
    git = ["git", "-C", str(store)]
    newest = subprocess.run([*git, "log", "-2", "--format=%H", "--", path], capture_output=True, text=True,
                            check=True, env=ENV).stdout.split()
    ls_tree = best_of(3, [*git, "ls-tree", "-r", "HEAD", "--", "audits"])
    git_log = best_of(3, [*git, "log", "--oneline", "--", path])
    rows += [
        of(audits, "auditdesk list (process, warm cache)", best_of(3, auditdesk(store, "list")), "git ls-tree -r (process)", ls_tree),
        of(audits, "auditdesk log HOT (process, old revisions not cached)", measure(auditdesk(store, "log", HOT)),
           "git log --oneline -- FILE", git_log),
        of(audits, "auditdesk log HOT (process, cached)", best_of(3, auditdesk(store, "log", HOT)), "git log --oneline -- FILE", git_log),
        of(audits, "auditdesk diff HOT (last two revisions)", best_of(3, auditdesk(store, "diff", HOT)),
           "git diff --no-textconv A B -- FILE", best_of(3, [*git, "diff", "--no-textconv", newest[1], newest[0], "--", path])),
    ]

    step("TUI")
    bare = best_of(3, python(BARE_FIRST_FRAME))
    try:
        tui = best_of(3, python(TUI_FIRST_FRAME, store, LEADER))
    except SystemExit as exc:  # the TUI is being built alongside: say so rather than stop
        print(f"TUI not measured: {str(exc)[:300]}", file=sys.stderr)
    else:
        rows.append(of(audits, "TUI start to first frame (headless)", tui, "bare Textual app to first frame", bare))
    if audits >= 10000:
        peak = max(row.peak_mb or 0 for row in rows)
        rows.append(Row(audits, "peak memory, largest process above", peak, target="< 150 MB", met=peak < 150, unit="MB"))
    return rows


# --- plain git through the textconv driver ---------------------------------------

TEXTCONV_HISTORY = """
import dataclasses, sys
from decimal import Decimal
from pathlib import Path
from auditdesk.audit.identity import Identity
from auditdesk.store.audits import AuditStore
root, no, n, leader = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
who = Identity(leader, "leader@example.org")
with AuditStore.open(root) as store:
    codes = [c for c in store.load(no).catalog.items if c not in ("B36", "B37", "B41", "B42", "B45")]
    for i in range(n):  # one item rescored a save, a note on every third: what a history looks like
        loaded = store.load(no)
        code = codes[i * 7 % len(codes)]
        old = loaded.audit.items[code]
        loaded.audit.items[code] = dataclasses.replace(old, pct=Decimal(90 if old.pct != 90 else 95),
                                                       note=f"bench note {i}" if i % 3 == 0 else old.note)
        store.save(loaded.audit, base=loaded.blob, user=who)
"""


def bench_textconv(work: Path, revisions: int, repeat: int = 5) -> list[Row]:
    """`git log -p` over `revisions` revisions of one audit in a fresh `auditdesk clone`, through the
    textconv driver, against `git log -p --no-textconv` in the same run: the first run (git's cache
    as the clone filled it), the second, and the first with the cache deleted (the driver runs once
    per blob), then `git blame` likewise."""
    root = work / f"textconv-{revisions}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    ENV["PATH"] = str(Path(sys.executable).parent) + os.pathsep + ENV.get("PATH", "")  # auditdesk-textconv, as installed
    hub, alice, fresh = root / "hub.git", root / "alice", root / "fresh"
    user = ["--user", f"{LEADER} <leader@example.org>"]
    print(f"[textconv] a hub with {revisions} revisions of {HOT}", file=sys.stderr)
    measure([sys.executable, "-m", "auditdesk", "init", "--bare", str(hub)])
    measure([sys.executable, "-m", "auditdesk", "clone", str(hub), str(alice)])
    measure(auditdesk(alice, "demo", *user))
    measure(python(TEXTCONV_HISTORY, alice, HOT, revisions, LEADER))
    measure(auditdesk(alice, "sync", *user))
    clone = measure([sys.executable, "-m", "auditdesk", "clone", str(hub), str(fresh)])
    git = ["git", "-C", str(fresh)]
    log = [*git, "log", "-p", "-n", str(revisions)]
    plain = best_of(repeat, [*log, "--no-textconv"])
    first = measure(log)
    second = best_of(repeat, log)
    subprocess.run([*git, "update-ref", "-d", "refs/notes/textconv/auditdesk"], check=True, env=ENV)
    cold = measure(log)
    cold_again = best_of(repeat, log)
    if first.stdout != second.stdout or cold.stdout != first.stdout or "item " not in first.stdout:
        sys.exit("bench: git log -p printed different text with and without auditdesk's cache")
    path = f"audits/{HOT}.toml"
    blame_plain = best_of(repeat, [*git, "blame", "--no-textconv", "HEAD", "--", path])
    blame = best_of(repeat, [*git, "blame", "HEAD", "--", path])
    blame_worktree = best_of(repeat, [*git, "blame", "--", path])
    base = f"git log -p --no-textconv -n {revisions}"
    what = f"git log -p -n {revisions} in a fresh clone"
    return [
        of(1, "auditdesk clone (fills git's textconv cache)", clone),
        of(1, f"{what}: first run", first, base, plain, "≤ 20×", first.seconds <= 20 * plain.seconds),
        of(1, f"{what}: second run", second, base, plain, "≤ 3×", second.seconds <= 3 * plain.seconds),
        of(1, f"{what}: cache deleted, driver once per blob", cold, base, plain),
        of(1, f"{what}: after that, git's own cache", cold_again, base, plain, "≤ 3×", cold_again.seconds <= 3 * plain.seconds),
        of(1, "git blame HEAD -- FILE (textconv, cached)", blame, "git blame --no-textconv HEAD -- FILE", blame_plain),
        of(1, "git blame FILE (the working-tree copy: the driver runs once)", blame_worktree,
           "git blame --no-textconv HEAD -- FILE", blame_plain),
    ]


def linear(rows: list[Row]) -> list[Row]:
    """Cold render per audit at the largest size against the smallest, by wall and by CPU time
    (CPU time does not depend on what else the machine runs); within 25 % counts as linear."""
    cold = {r.audits: r for r in rows if r.what.startswith("report --all, cold (")}
    if len(cold) < 2:
        return []
    small, large = cold[min(cold)], cold[max(cold)]
    scale = large.audits / small.audits
    wall = large.seconds / small.seconds / scale
    cpu = (large.cpu or 0) / (small.cpu or 1) / scale
    what = f"cold render per audit, {large.audits:,} vs {small.audits:,}"
    return [Row(large.audits, f"{what}, wall", wall, target="≤ 1.25 (linear)", met=wall <= 1.25, unit="×"),
            Row(large.audits, f"{what}, CPU", cpu, target="≤ 1.25 (linear)", met=cpu <= 1.25, unit="×")]


def table(rows: list[Row]) -> str:
    lines = ["| audits | measurement | auditdesk | CPU | peak MB | baseline | baseline | ratio | target | met |",
             "|---:|---|---:|---:|---:|---|---:|---:|---|---|"]
    for r in rows:
        value = {"×": f"{r.seconds:.2f}×", "MB": f"{r.seconds:.0f} MB"}.get(r.unit) or _duration(r.seconds)
        cpu = _duration(r.cpu) if r.cpu is not None else ""
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else ""
        base = _duration(r.baseline_seconds) if r.baseline_seconds is not None else ""
        ratio = f"{r.seconds / r.baseline_seconds:.2f}×" if r.baseline_seconds else ""
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.audits:,} | {r.what} | {value} | {cpu} | {peak} | {r.baseline} | {base} | {ratio} | {r.target} | {met} |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, action="append", metavar="N", help="store size; repeat for several (default 1000)")
    parser.add_argument("--commits", type=int, default=3000, metavar="N", help="commits in each store's history")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for report --all")
    parser.add_argument("--repeat", type=int, default=20, metavar="N", help="saves to take the median of")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "auditdesk-bench",
                        help="where the stores are built")
    parser.add_argument("--keep", action="store_true", help="reuse stores built by an earlier run")
    parser.add_argument("--textconv", type=int, default=100, metavar="N",
                        help="revisions for the git log -p / textconv section (0: skip it)")
    parser.add_argument("--textconv-only", action="store_true", help="run only the textconv section")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    code = snapshot(args.work)
    load = os.getloadavg()[0]
    rows: list[Row] = []
    for audits in [] if args.textconv_only else sorted(args.audits or [1000]):
        rows += bench_size(args.work, audits, args.commits, args.jobs, args.repeat, args.keep)
    rows += linear(rows)
    if args.textconv:
        rows += bench_textconv(args.work, args.textconv)
    print(f"code {code}; git {subprocess.run(['git', '--version'], capture_output=True, text=True, check=False).stdout.split()[-1]}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(table(rows))


if __name__ == "__main__":
    main()
