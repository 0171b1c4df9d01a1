"""The command line as scripts use it: exit codes, JSON, one clear error line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditdesk.cli import main

USER = ["--user", "Ann Auditor <ann@example.org>"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "store"
    code, out, _ = run(capsys, "demo", "--store", str(path), *USER)
    assert code == 0 and "10234-2024-SD" in out
    return path


def git(store: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(store), *args], capture_output=True, text=True, check=True).stdout


def show_json(capsys: pytest.CaptureFixture[str], store: Path) -> dict:
    code, out, _ = run(capsys, "show", "10234-2024-SD", "--json", "--store", str(store))
    assert code == 0
    return json.loads(out)


def test_demo_store_scores_like_the_seed(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    data = show_json(capsys, store)
    totals = data["totals"]
    assert [(p["code"], p["score"], p["max"]) for p in totals["parts"]] == [("A", "54.29", "56"), ("B", "59.81", "69"), ("C", "24.23", "25")]
    assert (totals["total"], totals["max"], totals["applicable"], totals["rate"], totals["star"]) == ("138.33", "150", "143", "96.73", "十星级")
    assert data["items"]["B9"] == {"pct": 97, "na": False, "score": "1.455"}
    assert data["items"]["B38"]["score"] == "1.96"
    assert data["items"]["B36"] == {"pct": None, "na": True, "score": "0"}
    assert len(data["items"]) == 82 and data["unscored"] == []


def test_demo_is_idempotent_and_commits_once(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, out, _ = run(capsys, "demo", "--store", str(store))
    assert code == 0 and "already holds" in out
    assert git(store, "log", "--format=%an|%s", "--", "audits").splitlines() == ["Ann Auditor|create audit 10234-2024-SD (demo: the seed report)"]


def test_score_many_items_in_one_commit(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, out, _ = run(capsys, "score", "10234-2024-SD", "B17=97", "b18=96", "--store", str(store))
    assert code == 0 and "total 138.37 / 150" in out
    assert git(store, "log", "-1", "--format=%an").strip() == "韩永师"  # the demo store's default user
    subject = git(store, "log", "-1", "--format=%s")
    assert subject.strip() == "10234-2024-SD: score B17 95 → 97, B18 97 → 96"
    body = git(store, "log", "-1", "--format=%b")
    assert "B17: 95 → 97 (score 2.85 → 2.91)" in body and "total: 138.33 → 138.37" in body
    assert "[items.B17]\npct = 97\n" in (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")


def test_only_the_team_may_edit(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, _, err = run(capsys, "score", "10234-2024-SD", "B17=97", "--store", str(store), *USER)
    assert code == 1
    assert err == "auditdesk: Ann Auditor is not on the team of 10234-2024-SD (team: 韩永师)\n"


def test_scoring_the_same_value_makes_no_commit(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    before = git(store, "rev-parse", "HEAD")
    code, out, _ = run(capsys, "score", "10234-2024-SD", "B17=95", "--store", str(store))
    assert code == 0 and "unchanged, no commit" in out
    assert git(store, "rev-parse", "HEAD") == before


def test_not_applicable_and_sampled_items(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    assert run(capsys, "score", "10234-2024-SD", "C7", "--samples", "3", "--nonconforming", "1", "--store", str(store))[0] == 0
    assert run(capsys, "score", "10234-2024-SD", "A1", "--na", "--reason", "不涉及", "--store", str(store))[0] == 0
    data = show_json(capsys, store)
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
def test_bad_scores_give_one_clear_line_and_change_nothing(capsys: pytest.CaptureFixture[str], store: Path, args: list[str], message: str) -> None:
    before = git(store, "rev-parse", "HEAD")
    code, _, err = run(capsys, "score", "10234-2024-SD", *args, "--store", str(store))
    assert code == 1
    assert message in err and err.count("\n") == 1, err
    assert git(store, "rev-parse", "HEAD") == before


def test_new_audit_and_hostile_project_numbers(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, out, _ = run(capsys, "new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2025-1", "--org", "某公司", "--store", str(store))
    assert code == 0 and "created P-2025-1" in out
    assert (store / "audits" / "P-2025-1.toml").is_file()
    code, _, err = run(capsys, "new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2025-1", "--org", "x", "--store", str(store))
    assert code == 1 and "already exists" in err
    for bad in ("../x", "/etc/passwd", "a\x00b", "-rf"):
        code, _, err = run(capsys, "new", "--catalog", "cts-isc-jsgf-05", f"--project-no={bad}", "--org", "x", "--store", str(store))
        assert code == 1 and "project number" in err
    assert sorted(p.name for p in (store / "audits").iterdir()) == ["10234-2024-SD.toml", "P-2025-1.toml"]
    code, _, err = run(capsys, "new", "--catalog", "nope", "--project-no", "Q", "--org", "x", "--store", str(store))
    assert code == 1 and "unknown catalog nope" in err


def test_report_files_and_html(capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.md"
    code, out, _ = run(capsys, "report", "10234-2024-SD", "-o", str(target), "--store", str(store))
    assert code == 0
    assert "138.33" in target.read_text("utf-8")
    assert sorted(p.name for p in target.parent.glob("*.svg")) == [f"10234-2024-SD-radar-{c}.svg" for c in "ABC"]
    code, out, _ = run(capsys, "report", "10234-2024-SD", "--format", "html", "--store", str(store))
    assert code == 0 and out.lstrip().lower().startswith("<!doctype html") and "<script" not in out


def test_validate_lists_every_problem(capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", "--store", str(store))
    assert code == 0 and "ok " in out and "10234-2024-SD.toml" in out
    bad = tmp_path / "bad.toml"
    text = (store / "audits" / "10234-2024-SD.toml").read_text("utf-8")
    bad.write_text(text.replace("[items.A1]\npct = 100", "[items.A1]\npct = 101").replace("[items.C8]\npct = 98", "[items.C8]\nna = true"), "utf-8")
    code, _, err = run(capsys, "validate", str(bad), str(tmp_path / "missing.toml"))
    assert code == 1
    assert "bad.toml:" in err and "items.A1.pct: percentage must be between 0 and 100, got 101" in err
    assert "items.C8.reason: not applicable needs a reason" in err
    assert "missing.toml: cannot read" in err and "2 of 2 file(s) have problems" in err


def test_catalog_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "list")
    assert code == 0 and out.startswith("cts-isc-jsgf-05 ")
    code, out, _ = run(capsys, "catalog", "show", "cts-isc-jsgf-05@2024", "--json")
    data = json.loads(out)
    assert sum(len(s["items"]) for p in data["parts"] for s in p["sections"]) == 82


def test_show_reads_a_file_outside_the_store(capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "show", str(store / "audits" / "10234-2024-SD.toml"), "--store", str(tmp_path / "other"))
    assert code == 0 and "138.33" in out


def test_usage_errors_exit_2_and_module_entry_point_works(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "auditdesk", "score"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage:" in bad.stderr
    ok = subprocess.run([sys.executable, "-m", "auditdesk", "catalog", "list"], capture_output=True, text=True)
    assert ok.returncode == 0 and "cts-isc-jsgf-05" in ok.stdout
