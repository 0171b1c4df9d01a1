"""Load: eight processes saving to one store for a bounded time.

Each writer (load_worker.py) read-modify-saves, half the time its own audit,
half the time one audit all eight share, always from the revision it loaded.
Afterwards: every accepted save is exactly one commit on main, holding the
bytes that writer saved; every refused save (Conflict) is recoverable from
its rejected ref; saves of one's own audit are never refused; the last
accepted save of each audit is what the store holds; `git fsck` is clean.
Counted: saves made, refused, lost (must be 0).

The run lasts $AUDITDESK_LOAD_SECONDS seconds (default 10, at most 30).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import git
from support.reliability import cli_env, consistent

from auditdesk.audit.document import Member, new_audit
from auditdesk.audit.identity import Identity
from auditdesk.criteria.catalog import Catalogs
from auditdesk.store.audits import AuditStore

WRITERS = 8
WORKER = Path(__file__).with_name("load_worker.py")


@pytest.mark.slow
def test_eight_writers_lose_nothing(tmp_path: Path) -> None:
    seconds = min(float(os.environ.get("AUDITDESK_LOAD_SECONDS", "10")), 30.0)
    path = tmp_path / "store"
    catalog = Catalogs().get("cts-isc-jsgf-05")
    team = tuple(Member(str(w), f"W{w}", "leader" if w == 0 else "member") for w in range(WRITERS))
    with AuditStore.open(path, create=True) as store:
        for project in [f"LOAD-{w}" for w in range(WRITERS)] + ["LOAD-SHARED"]:
            audit = new_audit(catalog, project, f"{project} 公司")
            audit.planning.team = team
            store.save(audit, base=None, user=Identity("W0", "w0@example.org"))
    start = git(path, "rev-parse", "HEAD").strip()

    deadline = time.time() + 1.5 + seconds  # the writers start together, after their imports
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(path), str(w), str(deadline), str(w * 7919)],
                              env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(WRITERS)]
    records = []
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 60)
        assert proc.returncode == 0 and "Traceback" not in err, err
        records += [json.loads(line) for line in out.splitlines()]

    ok = [r for r in records if r["result"] == "ok"]
    refused = [r for r in records if r["result"] == "conflict"]
    assert [r for r in records if r["result"] == "error"] == []
    assert not [r for r in refused if r["audit"] != "LOAD-SHARED"], "a save of one's own audit was refused"

    # Every accepted save is one commit on main, by its writer, holding its bytes; nothing else was committed.
    history = git(path, "log", "--format=%H %an", f"{start}..HEAD").split("\n")
    on_main = dict(line.split(" ", 1) for line in history if line)
    assert sorted(on_main) == sorted(r["commit"] for r in ok)
    lost = []
    for r in ok:
        assert on_main[r["commit"]] == f"W{r['worker']}"
        text = git(path, "show", f"{r['commit']}:audits/{r['audit']}.toml")
        if f'overview = "{r["token"]}"' not in text:
            lost.append(r)
    # Every refused save is kept whole on its rejected ref.
    for r in refused:
        text = git(path, "show", f"{r['ref']}:audits/{r['audit']}.toml")
        if f'overview = "{r["token"]}"' not in text:
            lost.append(r)
    assert lost == []
    # What the store holds is the last accepted save of each audit.
    order = {commit: n for n, commit in enumerate(reversed([line.split()[0] for line in history if line]))}
    for project in [f"LOAD-{w}" for w in range(WRITERS)] + ["LOAD-SHARED"]:
        mine = [r for r in ok if r["audit"] == project]
        if mine:
            last = max(mine, key=lambda r: order[r["commit"]])
            assert f'overview = "{last["token"]}"' in (path / "audits" / f"{project}.toml").read_text("utf-8")
    assert len(git(path, "for-each-ref", "refs/auditdesk/rejected").splitlines()) == len(refused)
    assert consistent(path) == WRITERS + 1
    with AuditStore.open(path) as store:
        assert store.recovered == []
    shared = [r for r in ok if r["audit"] == "LOAD-SHARED"]
    print(f"load: {WRITERS} writers, {seconds:.0f} s: {len(records)} saves tried, {len(ok)} made "
          f"({len(shared)} of them to the shared audit), {len(refused)} refused as conflicts, {len(lost)} lost")
    assert len(ok) > 100 and len(shared) > 10 and len(refused) > 0  # the run really was concurrent
