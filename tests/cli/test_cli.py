"""The command line as scripts use it: exit codes, JSON, one clear error line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import Cli, git

USER = ["--user", "Ann Auditor <ann@example.org>"]


def show_json(cli: Cli) -> dict:
    code, out, _ = cli("show", "10234-2024-SD", "--json")
    assert code == 0
    return json.loads(out)


def test_demo_store_scores_like_the_seed(cli: Cli, store: Path) -> None:
    data = show_json(cli)
    totals = data["totals"]
    assert [(p["code"], p["score"], p["max"]) for p in totals["parts"]] == [("A", "54.29", "56"), ("B", "59.81", "69"), ("C", "24.23", "25")]
    assert (totals["total"], totals["max"], totals["applicable"], totals["rate"], totals["star"]) == ("138.33", "150", "143", "96.73", "十星级")
    assert data["items"]["B9"] == {"pct": 97, "na": False, "score": "1.455"}
    assert data["items"]["B38"]["score"] == "1.96"
    assert data["items"]["B36"] == {"pct": None, "na": True, "score": "0"}
    assert len(data["items"]) == 82 and data["unscored"] == []


def test_demo_is_idempotent_and_commits_once(cli: Cli, store: Path) -> None:
    code, out, _ = cli("demo")
    assert code == 0 and "already holds" in out
    assert git(store, "log", "--format=%an|%s", "--", "audits").splitlines() == ["Ann Auditor|create audit 10234-2024-SD (demo: the seed report)"]


def test_score_many_items_in_one_commit(cli: Cli, store: Path) -> None:
    code, out, _ = cli("score", "10234-2024-SD", "B17=97", "b18=96")
    assert code == 0 and "total 138.37 / 150" in out
    assert git(store, "log", "-1", "--format=%an").strip() == "韩永师"  # the demo store's default user
    subject = git(store, "log", "-1", "--format=%s")
    assert subject.strip() == "10234-2024-SD: score B17 95 → 97, B18 97 → 96"
    body = git(store, "log", "-1", "--format=%b")
    assert "B17: 95 → 97 (score 2.85 → 2.91)" in body and "total: 138.33 → 138.37" in body
    assert "[items.B17]\npct = 97\n" in (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")


def test_only_the_team_may_edit(cli: Cli, store: Path) -> None:
    code, _, err = cli("score", "10234-2024-SD", "B17=97", "--store", str(store), *USER)
    assert code == 1
    assert err == "auditdesk: Ann Auditor is not on the team of 10234-2024-SD (team: 韩永师)\n"


def test_scoring_the_same_value_makes_no_commit(cli: Cli, store: Path) -> None:
    before = git(store, "rev-parse", "HEAD")
    code, out, _ = cli("score", "10234-2024-SD", "B17=95")
    assert code == 0 and "unchanged, no commit" in out
    assert git(store, "rev-parse", "HEAD") == before


def test_not_applicable_and_sampled_items(cli: Cli, store: Path) -> None:
    assert cli("score", "10234-2024-SD", "C7", "--samples", "3", "--nonconforming", "1")[0] == 0
    assert cli("score", "10234-2024-SD", "A1", "--na", "--reason", "不涉及")[0] == 0
    data = show_json(cli)
    assert data["items"]["C7"] == {"pct": 66.67, "na": False, "score": "4.6669"}
    assert data["items"]["A1"] == {"pct": None, "na": True, "score": "0"}
    assert data["totals"]["applicable"] == "142"
    text = (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")
    assert "[items.C7]\npct = 66.67\nsamples = 3\nnonconforming = 1\n" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["B17=120"], "B17.pct: percentage must be between 0 and 100, got 120"),
        (["B17=9x"], "'9x' is not a percentage; give a number from 0 to 100"),
        (["B17=97.555"], "percentage has at most two decimals, got 97.555"),
        (["Z9=50"], "unknown item code 'Z9' in catalog cts-isc-jsgf-05@2024"),
        (["B17"], "B17: write CODE=PCT, for example B17=97"),
        (["B17", "--na"], "B17.reason: not applicable needs a reason"),
        (["B17", "--samples", "3", "--nonconforming", "4"], "nonconforming must be between 0 and samples (3), got 4"),
        (["B17", "--samples", "3"], "--samples needs --nonconforming K"),
    ],
)
def test_bad_scores_give_one_clear_line_and_change_nothing(cli: Cli, store: Path, args: list[str], message: str) -> None:
    before = git(store, "rev-parse", "HEAD")
    code, _, err = cli("score", "10234-2024-SD", *args)
    assert code == 1
    assert message in err and err.count("\n") == 1, err
    assert git(store, "rev-parse", "HEAD") == before


def test_new_audit_and_hostile_project_numbers(cli: Cli, store: Path) -> None:
    code, out, _ = cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2025-1", "--org", "某公司")
    assert code == 0 and "created P-2025-1" in out
    assert (store / "audits" / "P-2025-1.toml").is_file()
    code, _, err = cli("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2025-1", "--org", "x")
    assert code == 1 and "already exists" in err
    for bad in ("../x", "/etc/passwd", "a\x00b", "-rf"):
        code, _, err = cli("new", "--catalog", "cts-isc-jsgf-05", f"--project-no={bad}", "--org", "x")
        assert code == 1 and "project number" in err
    assert sorted(p.name for p in (store / "audits").iterdir()) == ["10234-2024-SD.toml", "P-2025-1.toml"]
    code, _, err = cli("new", "--catalog", "nope", "--project-no", "Q", "--org", "x")
    assert code == 1 and "unknown catalog nope" in err


def test_report_files_and_html(cli: Cli, store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.md"
    code, out, _ = cli("report", "10234-2024-SD", "-o", str(target))
    assert code == 0
    assert "138.33" in target.read_text("utf-8")
    own = git(store, "log", "-1", "--format=%H", "--", "audits/10234-2024-SD.toml").strip()
    assert sorted(p.name for p in target.parent.glob("*.svg")) == [f"10234-2024-SD-{own[:12]}-radar-{c}.svg" for c in "ABC"]
    code, out, _ = cli("report", "10234-2024-SD", "--format", "html")
    assert code == 0 and out.lstrip().lower().startswith("<!doctype html") and "<script" not in out


def test_validate_lists_every_problem(cli: Cli, store: Path, tmp_path: Path) -> None:
    code, out, _ = cli("validate")
    assert code == 0 and "ok " in out and "10234-2024-SD.toml" in out
    bad = tmp_path / "bad.toml"
    text = (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")
    bad.write_text(text.replace("[items.A1]\npct = 100", "[items.A1]\npct = 101").replace("[items.C8]\npct = 98", "[items.C8]\nna = true"), "utf-8")
    code, _, err = cli("validate", str(bad), str(tmp_path / "missing.toml"))
    assert code == 1
    assert "bad.toml:" in err and "items.A1.pct: percentage must be between 0 and 100, got 101" in err
    assert "items.C8.reason: not applicable needs a reason" in err
    assert "missing.toml: cannot read" in err and "2 of 2 file(s) have problems" in err


def test_catalog_commands(cli: Cli) -> None:
    code, out, _ = cli("catalog", "list")
    assert code == 0 and out.startswith("cts-isc-jsgf-05 ")
    code, out, _ = cli("catalog", "show", "cts-isc-jsgf-05@2024", "--json")
    data = json.loads(out)
    assert sum(len(s["items"]) for p in data["parts"] for s in p["sections"]) == 82


def test_show_reads_a_file_outside_the_store(cli: Cli, store: Path, tmp_path: Path) -> None:
    code, out, _ = cli("show", str(store / "audits" / "10234-2024-SD.toml"), "--store", str(tmp_path / "other"))
    assert code == 0 and "138.33" in out


def test_usage_errors_exit_2_and_module_entry_point_works(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "auditdesk", "score"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage:" in bad.stderr
    ok = subprocess.run([sys.executable, "-m", "auditdesk", "catalog", "list"], capture_output=True, text=True)
    assert ok.returncode == 0 and "cts-isc-jsgf-05" in ok.stdout


def test_report_to_a_folder_that_cannot_exist_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    code, _, err = cli("report", "10234-2024-SD", "-o", str(blocker / "sub" / "r.md"))
    assert code == 1 and err.startswith(f"auditdesk: cannot write {blocker / 'sub' / 'r.md'}: ")
