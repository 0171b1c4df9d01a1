"""Stages, roles, approval tags and report verification, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from support import Cli, git

LEADER = ["--user", "韩永师 <han@example.org>"]
MEMBER = ["--user", "Wu Member <wu@example.org>"]
REVIEWER = ["--user", "Li Reviewer <li@example.org>"]


def status(cli: Cli, audit: str = "10234-2024-SD") -> dict:
    code, out, _ = cli("status", audit, "--json")
    assert code == 0
    return json.loads(out)


def test_each_gate_lists_everything_missing(cli: Cli, store: Path) -> None:
    assert cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "N-1", "--org", "某公司", *LEADER)[0] == 0
    info = status(cli, "N-1")
    assert info["stage"] == "planning" and info["next"] == "onsite"
    assert "1.3 registered address is missing" in info["blockers"]
    assert "1.13 team is missing" in info["blockers"]
    assert "1.14 complaints: answer yes or no" in info["blockers"]
    code, _, err = cli("advance", "N-1", *LEADER)
    assert code == 1
    assert f"N-1 cannot move from planning to onsite; {len(info['blockers'])} thing(s) block it:" in err
    assert all(f"  - {b}" in err for b in info["blockers"])


def test_conclusion_gate_needs_a_justified_star_level(cli: Cli, store: Path) -> None:
    text = (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")
    (store / "audits" / "10234-2024-SD.toml").write_text(text.replace('recommended_star = "十星级"', 'recommended_star = "九星级"'), "utf-8")
    assert cli("commit", "10234-2024-SD")[0] == 0
    assert status(cli)["blockers"] == ["the recommended star level 九星级 differs from the computed 十星级: write a justification"]
    assert cli("advance", "10234-2024-SD")[0] == 1


def test_whole_cycle_roles_and_log(cli: Cli, store: Path) -> None:
    assert cli("advance", "10234-2024-SD")[0] == 0  # the demo store acts as the leader
    assert status(cli)["stage"] == "review"
    # under review nothing changes but by a return
    code, _, err = cli("score", "10234-2024-SD", "B1=99")
    assert code == 1 and "under review" in err
    # the team may not approve or return its own audit
    code, _, err = cli("approve", "10234-2024-SD")
    assert code == 1 and "韩永师 is on the team of 10234-2024-SD; a reviewer must not be on the team" in err
    # a reviewer returns it with a reason, the team fixes and resubmits, the reviewer approves
    assert cli("return", "10234-2024-SD", "--to", "onsite", "--reason", "B17 证据不足", *REVIEWER)[0] == 0
    assert status(cli)["stage"] == "onsite"
    assert cli("score", "10234-2024-SD", "B17=96")[0] == 0
    assert cli("advance", "10234-2024-SD")[0] == 0
    assert cli("advance", "10234-2024-SD")[0] == 0
    code, out, _ = cli("approve", "10234-2024-SD", *REVIEWER)
    assert code == 0 and "tag approved/10234-2024-SD/1" in out
    # approved: read-only until reopened with a reason
    code, _, err = cli("score", "10234-2024-SD", "B1=99")
    assert code == 1 and "approved and read-only" in err
    assert cli("reopen", "10234-2024-SD", "--reason", "")[0] == 1
    assert cli("reopen", "10234-2024-SD", "--reason", "客户更正地址")[0] == 0
    info = status(cli)
    assert info["stage"] == "conclusion"
    assert info["approval"]["valid"] is False and "stage" in info["approval"]["changed"]
    assert [(t["to"], t["by"], t["reason"]) for t in info["transitions"]] == [
        ("review", "韩永师", ""), ("onsite", "Li Reviewer", "B17 证据不足"), ("conclusion", "韩永师", ""),
        ("review", "韩永师", ""), ("approved", "Li Reviewer", ""), ("conclusion", "韩永师", "客户更正地址"),
    ]
    subjects = git(store, "log", "--format=%s", "--", "audits").splitlines()
    assert subjects[:7] == [
        "10234-2024-SD: reopened by 韩永师: 客户更正地址",
        "10234-2024-SD: approved by Li Reviewer",
        "10234-2024-SD: submit for review (复核)",
        "10234-2024-SD: advance to conclusion (结论)",
        "10234-2024-SD: score B17 95 → 96",
        "10234-2024-SD: returned to onsite by Li Reviewer: B17 证据不足",
        "10234-2024-SD: submit for review (复核)",
    ]
    tag = git(store, "cat-file", "-p", "approved/10234-2024-SD/1")
    assert "approved-by: Li Reviewer <li@example.org>" in tag and "report-sha256: " in tag and "audit-sha256: " in tag


def test_configured_reviewers_only(cli: Cli, store: Path) -> None:
    (store / "auditdesk.toml").write_text('reviewers = ["Qian Qualified"]\n', "utf-8")
    git(store, "add", "auditdesk.toml")
    git(store, "-c", "user.name=admin", "-c", "user.email=a@x", "commit", "-qm", "reviewers")
    assert cli("advance", "10234-2024-SD")[0] == 0
    code, _, err = cli("approve", "10234-2024-SD", *REVIEWER)
    assert code == 1 and "Li Reviewer is not a qualified reviewer of this store (reviewers: Qian Qualified)" in err
    assert cli("approve", "10234-2024-SD", "--user", "Qian Qualified <q@x.org>")[0] == 0


def test_member_outside_the_team_cannot_edit(cli: Cli, store: Path) -> None:
    code, _, err = cli("score", "10234-2024-SD", "A1=99", *MEMBER)
    assert code == 1 and "Wu Member is not on the team" in err


def test_verify_accepts_the_approved_report_and_names_a_changed_line(cli: Cli, store: Path, tmp_path: Path) -> None:
    assert cli("advance", "10234-2024-SD")[0] == 0
    assert cli("approve", "10234-2024-SD", *REVIEWER)[0] == 0
    report = tmp_path / "r.md"
    assert cli("report", "10234-2024-SD", "-o", str(report))[0] == 0
    code, out, _ = cli("verify", str(report))
    assert code == 0 and "verified: the report of 10234-2024-SD revision" in out and "approved by Li Reviewer" in out
    data = report.read_text("utf-8")
    lines = data.splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if "淄博海源电子科技有限公司" in line)
    report.write_text(data.replace("淄博海源电子科技有限公司", "淄博海源电子科技有限公同", 1), "utf-8")
    code, out, _ = cli("verify", str(report))
    assert code == 1 and f"differs from it: line {number}: expected" in out


def test_verify_says_when_a_report_is_of_an_unapproved_revision(cli: Cli, store: Path, tmp_path: Path) -> None:
    report = tmp_path / "draft.md"
    assert cli("report", "10234-2024-SD", "-o", str(report))[0] == 0
    code, out, _ = cli("verify", str(report))
    assert code == 1 and "which is NOT an approved revision" in out
    (tmp_path / "other.md").write_text("# hello\n", "utf-8")
    code, out, _ = cli("verify", str(tmp_path / "other.md"))
    assert code == 1 and "no auditdesk provenance footer" in out
