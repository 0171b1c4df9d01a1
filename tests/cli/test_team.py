"""A team with a hub and clones: what the reviewer sees of every change, in auditdesk and in plain git.

The story: Alice (the team leader) submits the audit, Rita (the reviewer)
returns it ("B17 证据不足"), Alice adds evidence — a note, an N/A reason,
samples, a special item, a team member — and submits it again.  Rita syncs
and sees each of those in `diff`, `diff --json` and `git log -p` of a fresh
clone made with `auditdesk clone`; `blame` after a merge names who set each
value, not who synced.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import Cli, git
from support.seed import SAMPLE_PATH

AUDIT = "10234-2024-SD"
FILE = f"audits/{AUDIT}.toml"
ALICE = ("--user", "韩永师 <alice@example.org>")
BOB = ("--user", "李四 <bob@example.org>")
RITA = ("--user", "Rita Reviewer <rita@example.org>")
NOTE = "抽查送货单 30 份，均按承诺时间送达"
REASON = "受审查方不涉及商品召回（复核后补充说明）"
NONCONFORMITY = "未按规定处置废弃表具"


def edit(store: Path, old: str, new: str) -> None:
    path = store / FILE
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def team(cli: Cli, tmp_path: Path) -> dict[str, Path]:
    """A hub holding the demo audit, and clones for Alice and Rita."""
    hub, alice, rita = tmp_path / "hub.git", tmp_path / "alice", tmp_path / "rita"
    assert cli("init", "--bare", str(hub))[0] == 0
    assert cli("clone", str(hub), str(alice))[0] == 0
    assert cli("demo", "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    assert cli("clone", str(hub), str(rita))[0] == 0
    return {"hub": hub, "alice": alice, "rita": rita}


def returned_with_new_evidence(cli: Cli, team: dict[str, Path]) -> str:
    """Submit, return, add evidence, submit again; the revision Rita returned (her base for diff)."""
    alice, rita = team["alice"], team["rita"]
    assert cli("advance", AUDIT, "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(rita), *RITA)[0] == 0
    assert cli("return", AUDIT, "--to", "onsite", "--reason", "B17 证据不足", "--store", str(rita), *RITA)[0] == 0
    returned = git(rita, "rev-parse", "HEAD").strip()
    assert cli("sync", "--store", str(rita), *RITA)[0] == 0
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    assert cli("score", AUDIT, "B17=96", "--note", NOTE, "--store", str(alice), *ALICE)[0] == 0
    assert cli("score", AUDIT, "B36", "--na", "--reason", REASON, "--store", str(alice), *ALICE)[0] == 0
    assert cli("score", AUDIT, "C7", "--samples", "3", "--nonconforming", "1", "--store", str(alice), *ALICE)[0] == 0
    edit(alice, '[onsite]\n', '[[onsite.special.deductions]]\nkind = "law"\ndescription = "废弃表具随意堆放"\n'
                              f'nonconformity = "{NONCONFORMITY}"\ncorrective_action = "按规定处置并培训"\n\n[onsite]\n')
    edit(alice, 'phone = "13370506375"\n', 'phone = "13370506375"\n\n[[planning.team]]\ncode = "ISC[S]0099"\n'
                                          'name = "李四"\ncertificate = "2024-S1SC-0001"\n')
    edit(alice, 'recommended_star = "十星级"\n', 'recommended_star = "十星级"\nstar_justification = "扣分项已整改"\n')
    code, _, err = cli("commit", AUDIT, "--store", str(alice), *ALICE)
    assert code == 0, err
    for _ in range(2):  # onsite → conclusion → review
        assert cli("advance", AUDIT, "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(rita), *RITA)[0] == 0
    return returned


#: What the reviewer must see, one line each, in `auditdesk diff` (and the review view).
EXPECTED = [
    "stage: returned to onsite by Rita Reviewer",
    "B17: 95 → 96 (score 2.85 → 2.88)",
    f"B17 note: (empty) → {NOTE}",
    f"B36 N/A reason: 审查覆盖期内受审查方商品未出现缺陷或难以解决的问题，未发生召回或补救赔偿，本条款不涉及。 (added later) → {REASON}",
    "C7: 97 → 66.67 (score 6.79 → 4.667)",
    "C7 samples: (empty) → 3 sampled, 1 nonconforming",
    f"special deduction {NONCONFORMITY} added: kind law; description 废弃表具随意堆放; corrective_action 按规定处置并培训",
    "team member 李四 added: code ISC[S]0099; role member; certificate 2024-S1SC-0001",
    "stage: submitted for review by 韩永师",
    "special items: 0 → -1",
    "total: 138.33 → 135.24",
]


def test_the_reviewer_sees_every_change(cli: Cli, team: dict[str, Path]) -> None:
    rita = team["rita"]
    since = returned_with_new_evidence(cli, team)
    code, out, err = cli("diff", AUDIT, f"{since}~1", "main", "--store", str(rita))
    assert code == 0, err
    lines = out.splitlines()
    for want in EXPECTED:
        assert any(line.startswith(want) for line in lines), (want, out)
    assert not re.search(r"\[\{|\['|datetime\.|Decimal\(|ItemResult\(", out), "no Python reprs"
    code, out, _ = cli("diff", AUDIT, f"{since}~1", "main", "--json", "--store", str(rita))
    data = json.loads(out)
    texts = [c["text"] for c in data["changes"]]
    for want in EXPECTED:
        assert any(t.startswith(want) for t in texts), want
    kinds = {(c["kind"], c["key"]) for c in data["changes"]}
    assert {("evidence", "items.B17.note"), ("evidence", "items.B36.reason"), ("evidence", "items.C7.samples"),
            ("member", "planning.team[李四]"), ("special", f"onsite.special.deductions[{NONCONFORMITY}]")} <= kinds
    assert any(c["kind"] == "transition" and "returned to onsite" in c["new"] for c in data["changes"])
    b17 = next(c for c in data["changes"] if c["key"] == "items.B17")
    assert (b17["old"], b17["new"], b17["old_score"], b17["new_score"], b17["delta"]) == ("95", "96", "2.85", "2.88", "0.03")
    assert data["summary"].startswith("score B17 95 → 96, C7 97 → 66.67; note B17; N/A reason B36; samples C7")


def test_commit_messages_name_every_kind_of_change(cli: Cli, team: dict[str, Path]) -> None:
    returned_with_new_evidence(cli, team)
    subjects = git(team["rita"], "log", "--format=%s", "-n", "8").splitlines()
    assert f"{AUDIT}: score B17 95 → 96; note B17" in subjects
    assert f"{AUDIT}: N/A reason B36" in subjects
    assert f"{AUDIT}: score C7 97 → 66.67; samples C7" in subjects
    assert f"{AUDIT}: hand edit: team: +李四; special items: +{NONCONFORMITY}; edit conclusion.star_justification" in subjects


def test_git_log_p_in_a_fresh_clone_shows_each_change(cli: Cli, team: dict[str, Path], tmp_path: Path) -> None:
    returned_with_new_evidence(cli, team)
    fresh = tmp_path / "fresh"
    code, out, _ = cli("clone", str(team["hub"]), str(fresh))
    assert code == 0 and "1 audit(s)" in out
    assert git(fresh, "config", "diff.auditdesk.textconv").strip() == "auditdesk-textconv"
    assert git(fresh, "config", "diff.auditdesk.cachetextconv").strip() == "true"
    # The cache auditdesk filled is complete: git never needs the driver, even off PATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(["git", "log", "-p"], cwd=fresh, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for want in (f"+item B17 note = {NOTE}", f"+item B36 N/A reason = {REASON}\n",
                 "+item C7 samples = 3 sampled, 1 nonconforming", "+team member 李四 certificate = 2024-S1SC-0001",
                 f"+special deduction {NONCONFORMITY} corrective_action = 按规定处置并培训",
                 "+item B17 5.2.3.2 = 96 → 2.88", "returned to onsite by Rita Reviewer", "+total = 135.24 / 150"):
        assert want in done.stdout, want
    # Without the cache, the driver converts the same way.
    git(fresh, "update-ref", "-d", "refs/notes/textconv/auditdesk")
    again = git(fresh, "log", "-p")
    assert again == done.stdout


def test_the_driver_never_runs_code_from_the_store(cli: Cli, team: dict[str, Path], tmp_path: Path) -> None:
    """A committed auditdesk/ package in the store (anyone who can push can add one) is never imported."""
    alice = team["alice"]
    marker = tmp_path / "pwned"
    (alice / "auditdesk").mkdir()
    (alice / "auditdesk" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n", "utf-8")
    (alice / "auditdesk" / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n", "utf-8")
    git(alice, "add", "auditdesk")
    git(alice, "commit", "-qm", "a package in the store")
    assert cli("score", AUDIT, "B17=90", "--store", str(alice), *ALICE)[0] == 0
    git(alice, "update-ref", "-d", "refs/notes/textconv/auditdesk")
    assert "+item B17 5.2.3.2 = 90 → 2.7" in git(alice, "log", "-p")
    assert "item B17" in git(alice, "show", "HEAD")
    assert not marker.exists()
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    code, _, err = cli("sync", "--store", str(team["rita"]), *RITA)  # Rita's sync refuses the package (issue 11) …
    assert code == 1 and "brings what this store will not take; nothing was changed locally" in err, err
    assert "auditdesk/__init__.py" in err and "auditdesk/__main__.py" in err
    assert not (team["rita"] / "auditdesk").exists()
    git(team["rita"], "log", "-p")  # … and runs nothing either
    assert not marker.exists()


def test_blame_after_a_merge_names_who_set_each_value(cli: Cli, team: dict[str, Path], tmp_path: Path) -> None:
    """Alice and Bob change the same audit in their clones; Bob's sync merges; each value stays theirs."""
    alice, hub = team["alice"], team["hub"]
    bob = tmp_path / "bob"
    edit(alice, 'phone = "13370506375"\n', 'phone = "13370506375"\n\n[[planning.team]]\ncode = "ISC[S]0099"\n'
                                          'name = "李四"\ncertificate = "2024-S1SC-0001"\n')
    assert cli("commit", AUDIT, "--store", str(alice), *ALICE)[0] == 0
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    assert cli("clone", str(hub), str(bob))[0] == 0
    assert cli("score", AUDIT, "B17=96", "--note", NOTE, "--store", str(alice), *ALICE)[0] == 0
    alice_commit = git(alice, "rev-parse", "HEAD").strip()
    assert cli("score", AUDIT, "C1=90", "--store", str(bob), *BOB)[0] == 0
    bob_commit = git(bob, "rev-parse", "HEAD").strip()
    assert cli("sync", "--store", str(alice), *ALICE)[0] == 0
    code, out, _ = cli("sync", "--store", str(bob), *BOB)
    assert code == 0 and "merged and pushed" in out
    merge = git(bob, "rev-parse", "HEAD").strip()
    assert git(bob, "rev-list", "--parents", "-n1", "HEAD").split()[1:] == [bob_commit, alice_commit]
    _, out, _ = cli("blame", AUDIT, "--store", str(bob))
    by_key = {line.split()[4].rstrip(":"): line for line in out.splitlines()}
    assert by_key["items.B17"].startswith(alice_commit[:7]) and "韩永师" in by_key["items.B17"]
    assert by_key["items.B17.note"].startswith(alice_commit[:7])
    assert by_key["items.C1"].startswith(bob_commit[:7]) and "李四" in by_key["items.C1"]
    assert not any(line.startswith(merge[:7]) for line in out.splitlines()), "the merge set nothing itself"


def test_revisions_by_any_git_name(cli: Cli, team: dict[str, Path]) -> None:
    rita = team["rita"]
    returned_with_new_evidence(cli, team)
    for name in ("main", "HEAD~2", "origin/main", "HEAD^"):
        code, _, err = cli("show", AUDIT, "--rev", name, "--store", str(rita))
        assert code == 0, (name, err)
    assert cli("diff", AUDIT, "HEAD~3", "origin/main", "--store", str(rita))[0] == 0
    code, _, err = cli("show", AUDIT, "--rev", "no-such-branch", "--store", str(rita))
    assert code == 1 and "unknown revision 'no-such-branch'" in err


def test_the_driver_is_configured_once_without_a_path(cli: Cli, store: Path) -> None:
    """No interpreter path in .git/config: another virtual environment opening the store changes nothing;
    the value older versions wrote is replaced once; a driver of the user's own is left alone."""
    config = store / ".git" / "config"
    assert git(store, "config", "diff.auditdesk.textconv").strip() == "auditdesk-textconv"
    before = config.read_bytes()
    assert cli("show", AUDIT)[0] == 0 and config.read_bytes() == before
    git(store, "config", "diff.auditdesk.textconv", "/old/venv/bin/python3 -m auditdesk textconv")
    git(store, "config", "diff.auditdesk.cachetextconv", "false")
    assert cli("show", AUDIT)[0] == 0
    assert git(store, "config", "diff.auditdesk.textconv").strip() == "auditdesk-textconv"
    assert git(store, "config", "diff.auditdesk.cachetextconv").strip() == "true"
    git(store, "config", "diff.auditdesk.textconv", "my-own-driver")
    assert cli("show", AUDIT)[0] == 0
    assert git(store, "config", "diff.auditdesk.textconv").strip() == "my-own-driver"


def test_a_long_value_is_shortened_in_the_commit_message_only(cli: Cli, store: Path) -> None:
    """A commit body stays readable; `auditdesk diff` and git's diff (the cache a save fills,
    the same bytes as the driver's own output) show the whole value."""
    long_note = "送货单" * 200
    assert cli("score", AUDIT, "B17=96", "--note", long_note, *ALICE)[0] == 0
    body = git(store, "log", "-1", "--format=%b")
    line = next(x for x in body.splitlines() if x.startswith("B17 note:"))
    assert line.endswith("…") and len(line) < 330 and long_note not in body
    _, out, _ = cli("diff", AUDIT, "HEAD~1", "HEAD")
    assert f"B17 note: (empty) → {long_note}" in out
    cached = git(store, "log", "-p", "-1")
    assert f"+item B17 note = {long_note}" in cached
    assert git(store, "notes", "--ref", "textconv/auditdesk", "show", git(store, "rev-parse", f"HEAD:{FILE}").strip())
    git(store, "update-ref", "-d", "refs/notes/textconv/auditdesk")
    assert git(store, "log", "-p", "-1") == cached


def test_the_driver_loads_nothing_of_the_store() -> None:
    """git runs the driver on whatever the hub holds: it parses data and imports no store,
    git or report code (the layer gate keeps audit/ below store/; this checks it at run time)."""
    probe = ("import sys, runpy; sys.argv = ['auditdesk-textconv', sys.argv[1]]\n"
             "try:\n    runpy.run_module('auditdesk.audit.textconv', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('auditdesk.store', 'auditdesk.report', "
             "'auditdesk.cli', 'auditdesk.tui', 'auditdesk.audit.diff'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-P", "-c", probe, str(SAMPLE_PATH)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "item B17 5.2.3.2 = 95 → 2.85" in done.stdout
    assert done.stderr.strip() == "[]"


def test_sync_without_a_remote_says_how_to_name_one(cli: Cli, store: Path) -> None:
    """A store made with `demo` or `init` has no origin: sync says what to run, not only git's words."""
    code, _, err = cli("sync")
    assert code == 1
    assert err == (f"auditdesk: cannot fetch from origin: 'origin' does not appear to be a git repository; this store "
                   f"has no remote named origin: sync with a hub's URL (auditdesk sync URL), or name one with: "
                   f"git -C {store} remote add origin URL\n")
