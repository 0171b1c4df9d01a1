"""Approvals that cannot be forged, tried as a team works: a bare hub, one clone per person.

Each test starts from `team` (conftest): 韩永师 (leader, administrator) in `a`,
Wu Member (on the team) in `b`, Li Reviewer in `c`; the store requires signed
workflow commits and every clone signs with its person's key.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

from support import git
from support.approvals import AUDIT, Team, add_member, git_as, submit_and_approve

from auditdesk.audit import workflow
from auditdesk.audit.identity import Identity
from auditdesk.store.audits import AuditStore
from auditdesk.store.git.repo import TagRequest
from auditdesk.store.signing import Signer

LI = Identity("Li Reviewer", "li@example.org", "li", ("reviewer",))


def status(team: Team, who: str, store: Path | None = None) -> dict:
    args = ("status", AUDIT, "--json") if store is None else ("status", AUDIT, "--json", "--store", str(store))
    code, out, err = team.cli(*args) if store is not None else team(who, *args)
    assert code == 0, err
    return json.loads(out)


def hub_file(team: Team) -> str:
    return git(team.hub, "show", f"main:audits/{AUDIT}.toml")


def hub_pct(team: Team, code: str) -> object:
    return tomllib.loads(hub_file(team))["items"][code].get("pct")


def forge_approval(store: Path) -> None:
    """What a member could write by hand: stage approved, an approval by Li Reviewer, a changed score."""
    path = store / "audits" / f"{AUDIT}.toml"
    text = path.read_text("utf-8").replace('stage = "conclusion"', 'stage = "approved"', 1)
    text = text.replace("[items.C1]\npct = 100", "[items.C1]\npct = 50")
    text += '\n[[transitions]]\nto = "approved"\nby = "Li Reviewer"\nat = 2024-04-20T10:00:00+08:00\nperson = "li"\n'
    path.write_text(text, "utf-8")


def test_a_hand_edited_stage_is_refused_and_a_committed_one_is_never_shown_approved(team: Team, tmp_path: Path) -> None:
    a = team.clones["han"]
    forge_approval(a)
    code, _, err = team("han", "commit", AUDIT)
    assert code == 1 and "stage, transitions change only through workflow commands" in err
    code, _, err = team("han", "validate")
    assert code == 1 and "stage or transitions edited by hand (the file says approved, the store conclusion)" in err

    git_as(a, "han", "commit", "-qam", "approved (by hand)")
    info = status(team, "han")
    assert info["stage"] == "unapproved" and info["recorded_stage"] == "approved"
    assert "no approval tag" in info["stage_problem"]
    assert any("the file records a move from conclusion to approved" in p for p in info["history_problems"])
    code, out, _ = team("han", "list")
    assert code == 0 and "unapproved" in out and "the file says approved, but there is no approval tag" in out
    assert json.loads(team.ok("han", "list", "--json", "--stage", "approved")) == []
    assert json.loads(team.ok("han", "export", "--format", "json", "--stage", "approved")) == []
    code, out, err = team("han", "report", "--all", "--stage", "approved", "--out", str(tmp_path / "reports"))
    assert code == 0 and not list((tmp_path / "reports").glob("*.md"))
    code, _, err = team("han", "validate")
    assert code == 1 and "the file records a move from conclusion to approved" in err
    code, _, err = team("han", "sync")
    assert code == 1 and "sync refused: 1 change(s) in your history were not made through auditdesk's workflow" in err
    assert "approved" not in git(team.hub, "show", f"main:audits/{AUDIT}.toml").split("[body]")[0]


def test_zero_width_and_homoglyph_names_are_refused(team: Team) -> None:
    code, _, err = team("han", "score", AUDIT, "B1=99", "--user", "韩永师\u200b <han@example.org>")
    assert code == 1 and "U+200B ZERO WIDTH SPACE" in err and "it looks like 韩永师 (han)" in err
    code, _, err = team("han", "score", AUDIT, "B1=99", "--user", "韩永师 <evil@example.com>")
    assert code == 1 and "韩永师 (han) is registered with the e-mail han@example.org, not evil@example.com" in err
    team.ok("han", "advance", AUDIT)
    code, _, err = team("han", "approve", AUDIT, "--user", "Lі Reviewer")  # a Cyrillic і
    assert code == 1 and "it looks like Li Reviewer (li)" in err and "U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I" in err
    assert status(team, "han")["stage"] == "review"
    # a team member written as a look-alike of a registered person
    b = team.clones["wu"]
    team.ok("han", "sync")
    team.ok("wu", "sync")
    team.ok("li", "sync")
    team.ok("li", "return", AUDIT, "--to", "planning", "--reason", "团队名单")
    team.ok("li", "sync")
    team.ok("wu", "sync")
    add_member(b, "Li Revіewer")
    code, _, err = team("wu", "commit", AUDIT)
    assert code == 1 and "planning.team[2].name" in err and "it looks like Li Reviewer (li)" in err
    code, _, err = team("han", "people", "add", "li2", "--name", "Lі Reviewer", "--email", "li2@example.org", "--role", "reviewer")
    assert code == 1 and "is too easily taken for 'Li Reviewer'" in err


def test_a_late_sync_leaves_the_hubs_approved_audit_unchanged_and_says_why(team: Team) -> None:
    team.ok("wu", "sync")
    team.ok("han", "advance", AUDIT)
    team.ok("han", "sync")
    # Wu, not synced since, scores while the audit is under review on the hub
    team.ok("wu", "score", AUDIT, "C2=50")
    code, _, err = team("wu", "sync")
    assert code == 1
    assert "10234-2024-SD is under review on origin (by 韩永师); your changes to it (items.C2) are not merged into it" in err
    assert "auditdesk return 10234-2024-SD" in err and "refs/auditdesk/held/" in err
    assert hub_pct(team, "C2") != 50
    team.ok("li", "sync")
    team.ok("li", "approve", AUDIT)
    team.ok("li", "sync")
    approved = hub_file(team)
    # and again once it is approved: the member's change is refused, --prefer ours cannot force it
    code, _, err = team("wu", "sync")
    assert code == 1 and "10234-2024-SD is approved on origin (by Li Reviewer); your changes to it (items.C2)" in err
    assert "auditdesk reopen 10234-2024-SD --reason" in err and "auditdesk sync --prefer theirs" in err
    code, _, err = team("wu", "sync", "--prefer", "ours")
    assert code == 1 and "--prefer ours cannot settle it" in err
    assert hub_file(team) == approved
    held = git(team.clones["wu"], "for-each-ref", "--format=%(refname)", "refs/auditdesk/held/").split()
    assert held and "pct = 50" in git(team.clones["wu"], "show", f"{held[0]}:audits/{AUDIT}.toml")
    # giving the changes up: the approved audit comes over whole, still approved
    code, out, _ = team("wu", "sync", "--prefer", "theirs")
    assert code == 0 and "merged and pushed" in out
    assert hub_file(team).split("[items.C1]")[1] == approved.split("[items.C1]")[1]
    for who in ("wu", "li"):
        team.ok(who, "sync")
        info = status(team, who)
        assert info["stage"] == "approved" and info["approval"]["valid"] is True


def test_after_the_reviewer_syncs_a_fresh_clone_verifies_the_issued_report(team: Team, tmp_path: Path) -> None:
    submit_and_approve(team)
    issued = tmp_path / "issued.md"
    team.ok("li", "report", AUDIT, "-o", str(issued))
    assert "approved/10234-2024-SD/1" in git(team.hub, "tag", "-l")
    fresh = team.clone("d")
    code, out, _ = team.cli("verify", str(issued), "--store", str(fresh))
    assert code == 0 and "verified: the report of 10234-2024-SD" in out
    assert "approved by Li Reviewer <li@example.org> (li)" in out and "tag signed by li (SHA256:" in out
    info = status(team, "", fresh)
    approval = info["approval"]
    assert info["stage"] == "approved" and approval["person"] == "li" and approval["valid"] and approval["content"]
    assert approval["signature"]["status"] == approval["commit_signature"]["status"] == "good"
    assert approval["signature"]["by"] == approval["commit_signature"]["by"] == "li"
    assert [t["person"] for t in info["transitions"]] == ["han", "li"]
    # git itself accepts the signatures auditdesk wrote (against the registry's allowed signers)
    signers = tmp_path / "allowed_signers"
    signers.write_text(team.ok("han", "people", "allowed-signers"), "utf-8")
    done = git(fresh, "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-tag", "approved/10234-2024-SD/1", check=False)
    assert done == ""  # verify-tag prints to stderr; a failure raised above
    # the leader's clone takes the tag on sync; log shows whose key signed each revision
    assert "took approval tag approved/10234-2024-SD/1 from origin" in team.ok("han", "sync")
    log = team.ok("han", "log", AUDIT)
    assert "signed:li" in log.splitlines()[0] and "signed:han" in log.splitlines()[1]
    assert status(team, "han")["approval"]["valid"]


def test_unsigned_approval_where_required_is_refused_and_can_be_retried(team: Team) -> None:
    c = team.clones["li"]
    team.ok("han", "advance", AUDIT)
    team.ok("han", "sync")
    team.ok("li", "sync")
    head = git(c, "rev-parse", "HEAD")
    git(c, "config", "--unset", "user.signingkey")
    code, _, err = team("li", "approve", AUDIT)
    assert code == 1 and "requires signed workflow commits, and no signing key of Li Reviewer (li) is available" in err
    git(c, "config", "user.signingkey", str(team.keys["mallory"]))
    code, _, err = team("li", "approve", AUDIT)
    assert code == 1 and "is not registered for Li Reviewer (li): it is not in the people registry" in err
    git(c, "config", "user.signingkey", str(team.keys["han"]))
    code, _, err = team("li", "approve", AUDIT)
    assert code == 1 and "it is 韩永师 (han)'s" in err
    # nothing landed: no commit, no tag, a clean working tree; the approval can simply be repeated
    assert git(c, "rev-parse", "HEAD") == head and git(c, "tag", "-l") == "" and git(c, "status", "--porcelain") == ""
    git(c, "config", "user.signingkey", str(team.keys["li"]))
    assert "tag approved/10234-2024-SD/1" in team.ok("li", "approve", AUDIT)
    assert status(team, "li")["approval"]["valid"]


def test_a_forged_signature_and_a_key_not_in_the_registry_are_refused(team: Team, tmp_path: Path) -> None:
    a = team.clones["han"]
    team.ok("han", "advance", AUDIT)
    # A forger with the repository writes an approval "by Li Reviewer" with auditdesk's own
    # machinery, but signed with a key that is not Li's (mallory is not in the registry).
    with AuditStore.open(a) as store:
        loaded = store.load(AUDIT)
        when = dt.datetime(2024, 4, 20, 10, tzinfo=dt.UTC)
        workflow.approve(loaded.audit, LI, store.reviewers, when)
        from auditdesk.audit.document import to_toml

        forged = Signer.from_file(team.keys["mallory"])
        store.repo.save_many({f"audits/{AUDIT}.toml": to_toml(loaded.audit)}, bases={f"audits/{AUDIT}.toml": loaded.blob},
                             author=LI, message=f"{AUDIT}: approved by Li Reviewer", sign=forged,
                             tag=TagRequest(f"approved/{AUDIT}/1", lambda c: f"approve\n\naudit: {AUDIT}\nrevision: {c}\n"))
    info = status(team, "han")
    assert info["stage"] == "unapproved" and not info["approval"]["valid"]
    assert info["approval"]["signature"]["status"] == "unknown-key"
    assert any("signed with a key that is not in the people registry" in p for p in info["approval"]["problems"])
    assert any("requires a signature by li's key" in p for p in info["history_problems"])
    code, _, err = team("han", "sync")
    assert code == 1 and "sync refused" in err and "requires a signature by li's key: signed with a key that is not in the people registry" in err
    assert "approved" not in git(team.hub, "tag", "-l")

    # A genuine approval, then its tag altered after signing: the signature no longer matches.
    git(a, "reset", "-q", "--hard", "HEAD~1")
    git(a, "tag", "-d", f"approved/{AUDIT}/1")
    team.ok("han", "sync")
    submit_li = team.clones["li"]
    team.ok("li", "sync")
    team.ok("li", "approve", AUDIT)
    report = tmp_path / "issued.md"
    team.ok("li", "report", AUDIT, "-o", str(report))
    raw = git(submit_li, "cat-file", "tag", f"approved/{AUDIT}/1")
    tampered = raw.replace("approved-by: Li Reviewer", "approved-by: Li  Reviewer")
    oid = git(submit_li, "hash-object", "-t", "tag", "-w", "--stdin", input=tampered).strip()
    git(submit_li, "update-ref", f"refs/tags/approved/{AUDIT}/1", oid)
    info = status(team, "li")
    assert info["stage"] == "unapproved" and info["approval"]["signature"]["status"] == "bad"
    code, out, _ = team("li", "verify", str(report))
    assert code == 1 and "does not hold: the approval tag is BAD signature" in out
    code, out, _ = team("li", "sync")
    assert code == 0 and "approval tag approved/10234-2024-SD/1 not pushed: the approval tag is BAD signature" in out
    assert "approved" not in git(team.hub, "tag", "-l")


def test_a_tag_naming_content_the_hub_lacks_is_refused_and_only_administrators_change_people(team: Team) -> None:
    team.ok("han", "advance", AUDIT)
    team.ok("han", "sync")
    team.ok("li", "sync")
    team.ok("li", "approve", AUDIT)
    # the tag reaches the hub by plain git, its revision does not (li never synced main)
    git(team.clones["li"], "push", "-q", "origin", f"refs/tags/approved/{AUDIT}/1")
    out = team.ok("han", "sync")
    assert f"refused approval tag approved/{AUDIT}/1 from origin: it names revision" in out and "not on origin's main" in out
    assert git(team.clones["han"], "tag", "-l") == "" and status(team, "han")["approval"] is None
    out = team.ok("li", "sync")  # li's sync brings the revision: now the hub has what the tag names
    assert team.ok("han", "sync").count(f"took approval tag approved/{AUDIT}/1 from origin") == 1
    assert status(team, "han")["approval"]["valid"]
    # people.toml is the administrators': Wu may not add anyone, by command or by hand
    code, _, err = team("wu", "people", "add", "zhao", "--name", "Zhao", "--email", "zhao@example.org", "--role", "auditor")
    assert code == 1 and "Wu Member (wu) is not an administrator; only administrators change people.toml" in err
    b = team.clones["wu"]
    team.ok("wu", "sync")
    text = (b / "people.toml").read_text("utf-8")
    (b / "people.toml").write_text(text.replace('"Wu Member"\nemail = "wu@example.org"\nroles = [\n    "auditor",\n',
                                                '"Wu Member"\nemail = "wu@example.org"\nroles = [\n    "auditor",\n    "reviewer",\n'))
    code, _, err = team("wu", "people", "commit")
    assert code == 1 and "is not an administrator" in err
    git_as(b, "wu", "commit", "-qam", "make myself a reviewer")
    code, _, err = team("wu", "sync")
    assert code == 1 and "people.toml: changed by Wu Member, who is not an administrator" in err
