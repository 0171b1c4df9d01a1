"""Approval checks are kept by tag and blob in the user's private cache, never in the store."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from support import git
from support.approvals import AUDIT, Team, git_as, submit_and_approve

from auditdesk.store import signing


def approve(team: Team) -> None:
    """Submitted, approved by the reviewer, and synced back to the leader."""
    submit_and_approve(team)
    team.ok("han", "sync")


def listed_stage(team: Team, who: str) -> str:
    rows = json.loads(team.ok(who, "list", "--json"))
    return next(r["stage"] for r in rows if r["project_no"] == AUDIT)


def test_a_fresh_clone_lists_an_approval_checked_in_another_clone_without_checking_it_again(
        team: Team, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    approve(team)
    assert listed_stage(team, "han") == "approved"  # checked here (signatures verified) and kept
    kept = private_cache / "approvals" / "checks.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert not (team.clones["han"] / ".git" / "auditdesk" / "approvals.json").exists()

    def no_verifying(*args: object, **kwargs: object) -> signing.Check:
        raise AssertionError("a kept check was verified again")

    monkeypatch.setattr(signing, "verify_object", no_verifying)
    monkeypatch.setattr("auditdesk.store.trust.verify_object", no_verifying)
    team.clones["fresh"] = team.clone("fresh")
    assert listed_stage(team, "fresh") == "approved"


def test_a_kept_check_in_the_store_is_not_believed(team: Team, private_cache: Path) -> None:
    """Whoever shares a store can write its .git: a "valid" check written there changes nothing."""
    a = team.clones["han"]
    approve(team)
    assert listed_stage(team, "han") == "approved"
    kept = json.loads((private_cache / "approvals" / "checks.json").read_text("utf-8"))
    approved_blob = git(a, "rev-parse", f"HEAD:audits/{AUDIT}.toml").strip()
    [(key, valid)] = [(k, v) for k, v in kept["approvals"].items() if k.endswith(f" {approved_blob}")]
    assert valid["covers"] and not valid["problems"]
    tag_oid = key.split()[0]
    path = a / "audits" / f"{AUDIT}.toml"
    path.write_text(path.read_text("utf-8") + "# changed after the approval\n", "utf-8")
    git_as(a, "han", "commit", "-qam", "a score changed after the approval, with plain git")
    assert listed_stage(team, "han") == "unapproved"
    blob = git(a, "rev-parse", f"HEAD:audits/{AUDIT}.toml").strip()
    forged = {f"{tag_oid} {blob}": valid}  # "this approval covers the changed file", as issue 14's cache would read it
    (a / ".git" / "auditdesk").mkdir(exist_ok=True)
    for version in (1, kept["version"]):
        (a / ".git" / "auditdesk" / "approvals.json").write_text(json.dumps({"version": version, "approvals": forged}), "utf-8")
        assert listed_stage(team, "han") == "unapproved"


def test_listings_in_two_threads_agree_and_keep_one_whole_file(team: Team, private_cache: Path) -> None:
    """The TUI lists in a thread while the user works: both see the approval, and the kept
    file written at the end holds the check whole (its dict is not grown while written)."""
    import threading

    from auditdesk.store.audits import AuditStore
    from auditdesk.store.trust import effective_summaries

    approve(team)
    with AuditStore.open(team.clones["han"]) as store:
        rows = store.summaries()
        seen: list[str] = []
        failures: list[BaseException] = []

        def listing() -> None:
            try:
                for _ in range(5):
                    seen.extend(r.stage for r in effective_summaries(store, rows) if r.project_no == AUDIT)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)

        threads = [threading.Thread(target=listing) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures and seen == ["approved"] * 20
    kept = json.loads((private_cache / "approvals" / "checks.json").read_text("utf-8"))
    blob = git(team.clones["han"], "rev-parse", f"HEAD:audits/{AUDIT}.toml").strip()
    assert [v["covers"] for k, v in kept["approvals"].items() if k.endswith(f" {blob}")] == [True]
